import tempfile
from functools import lru_cache
from pathlib import Path

from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from fakes import REPORT_A, REPORT_B, KeywordEmbedder
from rag.ingest.run import ingest
from rag.pipeline import Assistant, ReportRetriever, build_answer_chain
from rag.types import Answer


@lru_cache(maxsize=1)
def _assistant() -> Assistant:
    root = Path(tempfile.mkdtemp(prefix="rag-chain-"))
    (root / "docs").mkdir()
    (root / "docs" / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (root / "docs" / "b.txt").write_text(REPORT_B, encoding="utf-8")
    emb = KeywordEmbedder()
    ingest([root / "docs"], root / "index", emb)
    return Assistant(root / "index", embedder=emb)


class TestReportRetrieverStandard(RetrieversIntegrationTests):
    """LangChain's standard retriever tests, run on our adapter."""

    @property
    def retriever_constructor(self):
        return ReportRetriever

    @property
    def retriever_constructor_params(self):
        return {"assistant": _assistant(), "k": 5}

    @property
    def retriever_query_example(self) -> str:
        return "地区生产总值"


def test_documents_carry_provenance():
    docs = _assistant().as_retriever(k=3).invoke("甲山区2022年地区生产总值")
    assert isinstance(docs[0], Document)
    assert docs[0].metadata["doc"] == "a.txt" and docs[0].metadata["chunk_id"] == docs[0].id
    assert docs[0].metadata["region"] == "甲山区" and "score" in docs[0].metadata


def test_lcel_chain_answers():
    chain = build_answer_chain(_assistant(), k=5)
    answer = chain.invoke("甲山区2022年地区生产总值是多少？")
    assert isinstance(answer, Answer) and "805亿元" in answer.text and answer.latency_ms > 0
    batch = chain.batch(["甲山区2022年地区生产总值是多少？", "临沂市一般公共预算收入完成多少？"])
    assert "395.3亿元" in batch[1].text
