"""LangChain at the edge: a `BaseRetriever` adapter over our hybrid retriever
and the LCEL answer chain (question -> retrieve -> answer) that the CLI, the
app and the Python API all run.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict, Field

from .answer.extractive import interleave, merge_answers
from .answer.table import answer_table
from .question.parts import bridge_question, split_question
from .question.reading import region_aliases
from .types import Hit

if TYPE_CHECKING:
    from .pipeline import Assistant


class ReportRetriever(BaseRetriever):
    """Hybrid BM25 + dense retrieval over the report index, as LangChain documents.

    Each document's metadata carries the provenance of its chunk: doc id,
    chunk id, section path, region, year, and the fused score.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    assistant: Any
    k: int = 10
    filters: Any = None
    # Optional, by query text: its analysis when already done, and the text whose embedding to search with
    # (the parts of "贵州和云南…分别…" share the whole question's: they differ only in place).
    analysed: dict = Field(default_factory=dict)
    vector_texts: dict = Field(default_factory=dict)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[LCDocument]:
        hits = self.assistant.retrieve(
            query, k=k or self.k, filters=self.filters, q=self.analysed.get(query), vector_text=self.vector_texts.get(query)
        )
        return [to_lc_document(h) for h in hits]


def to_lc_document(hit: Hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text,
        id=c.chunk_id,
        metadata={
            "doc": c.doc_id,
            "chunk_id": c.chunk_id,
            "section": c.section_path,
            "region": c.meta.region,
            "year": c.meta.year,
            "title": c.meta.title,
            "score": hit.score,
        },
    )


def build_answer_chain(assistant: Assistant, k: int = 10, filters: Any = None) -> Runnable:
    """LCEL: str question -> parts (compound questions split) with their hits -> `Answer`."""
    from .pipeline import clean_question

    def prepare(question: str) -> dict:
        cleaned, notice = clean_question(question)
        return {"question": cleaned, "notice": notice, "started": time.perf_counter()}

    def retrieve(state: dict) -> dict:
        retriever = assistant.retriever
        lc_retriever = ReportRetriever(assistant=assistant, k=k, filters=filters)

        def search(text: str) -> list[Hit]:
            # The LangChain retriever returns documents; map them back to our chunks.
            docs = lc_retriever.invoke(text)
            return [Hit(retriever.index.chunks[retriever.index.by_id[d.id]], d.metadata["score"]) for d in docs]

        question, found = state["question"], []
        table = None if bridge_question(question) else answer_table(question, retriever, filters)
        if table is not None:  # across regions or years: a table of indicator records, no search
            return {**state, "table": table}
        bridge = bridge_question(question)
        if bridge is not None:  # identify the described place first, then ask about it
            q = retriever.analyse(bridge.ask)
            names = {
                a: r
                for r in retriever.regions
                if r.endswith(bridge.kind) and r not in q.regions
                for a in region_aliases(r)
                if len(a) >= 2
            }
            named = assistant.answerer.naming(q, search(bridge.ask), names)
            if named is not None:
                place, answer = named
                found, question = [answer], bridge.fill(place)
        texts = split_question(question, retriever.places)
        analysed = {text: retriever.analyse(text) for text in texts}
        lc_retriever.analysed.update(analysed)
        if len(texts) > 1 and len({tuple(q.phrases[:1]) for q in analysed.values()}) == 1:
            lc_retriever.vector_texts.update(dict.fromkeys(texts, question))  # one indicator, several places/years
        elif len(texts) > 1:
            retriever.prefetch(texts)  # the parts' vectors in one batch
        parts = [(text, analysed[text], search(text)) for text in texts]
        return {**state, "found": found, "parts": parts}

    def answer(state: dict):
        if state.get("table") is not None:
            result = state["table"]
            result.notice = state["notice"]
            result.latency_ms = (time.perf_counter() - state["started"]) * 1000
            return result
        answers = state["found"] + [assistant.answerer.answer(text, q, hits) for text, q, hits in state["parts"]]
        result = merge_answers(state["question"], answers)
        result.ranking = interleave([hits for _, _, hits in state["parts"]])
        result.notice = "；".join(n for n in (state["notice"], result.notice) if n)
        result.latency_ms = (time.perf_counter() - state["started"]) * 1000
        return result

    return RunnableLambda(prepare) | RunnableLambda(retrieve) | RunnableLambda(answer)
