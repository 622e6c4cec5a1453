"""The pipeline of one question, and the Python API over it: `Assistant`.

    from rag import Assistant
    bot = Assistant("vectorstore")
    answer = bot.ask("张店区2022年地区生产总值是多少？")
    print(answer.text, answer.citations[0].chunk.doc_id)

A question runs through an LCEL chain (`build_answer_chain`) that the CLI, the app and the API share:

    text -> clean -> read (one `Question`: follow-up, table ask, bridge, parts; `rag.question.read`)
         -> retrieve each part (`rag.retrieval`) or fill the table (`rag.answer.table`)
         -> answer each part (`rag.answer.extractive`) -> merge -> `Answer`

`Assistant` satisfies the `rag.answer.base.Answerer` protocol (`respond` / `ask`), as the LLM answerer does.
The index loads lazily on first use; a missing index or a model mismatch is a `RagError` with a message that
names the fix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from .answer.base import Response
from .answer.comparison import comparison_answer
from .answer.completion import completion_answer
from .answer.extractive import ExtractiveAnswerer, interleave, merge_answers
from .answer.table import answer_table
from .domain.places import region_aliases
from .domain.tokenize import tag
from .embedding import DEFAULT_EMBEDDER, Embedder, get_embedder
from .question.model import Question
from .question.read import clean_question
from .retrieval import Filters, HybridRetriever
from .stores import open_store
from .types import Answer, Hit

DEFAULT_K = 10


MAX_CHAINS = 32  # (k, filters) combinations kept built


class Assistant:
    def __init__(
        self,
        index_dir: str | Path = "vectorstore",
        embedder: Embedder | str = DEFAULT_EMBEDDER,
        answerer: ExtractiveAnswerer | None = None,
        store=None,
    ):
        self.index_dir = Path(index_dir)
        self.store = open_store(self.index_dir, store)  # where the index lives (`rag.stores`; RAG_STORE)
        self.embedder = get_embedder(embedder) if isinstance(embedder, str) else embedder
        self.answerer = answerer or ExtractiveAnswerer()
        self._retriever: HybridRetriever | None = None
        self._generation: Path | None = None
        self._lock = threading.Lock()
        self._pins = threading.local()
        # Chains by (k, filters): built once. Building one parses its functions' source (`RunnableLambda`), and
        # CPython 3.11's parser state is shared between threads (gh-106905): parsing while another thread compiles
        # a module failed an index load with a spurious SystemError.
        self._chains: dict[tuple[int, Filters | None], Runnable] = {}

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever over the live index generation (reloaded after an ingest); inside
        `pinned()`, the one this thread first used there."""
        pins = self._pins
        if getattr(pins, "active", False):
            if pins.retriever is None:
                pins.retriever = self._live_retriever()
            return pins.retriever
        return self._live_retriever()

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Within this block, every use of `retriever` in this thread sees one index generation,
        even if an ingest makes a new one live meanwhile (an answer never mixes two). Re-entrant."""
        if getattr(self._pins, "active", False):
            yield
            return
        self._pins.active, self._pins.retriever = True, None
        try:
            yield
        finally:
            self._pins.active, self._pins.retriever = False, None

    def _live_retriever(self) -> HybridRetriever:
        with self._lock:
            gen = self.store.generation()
            if self._retriever is None or gen != self._generation:
                index, _ = self.store.load(self.embedder.name)
                old = self._retriever
                self._retriever = HybridRetriever(index, self.embedder)
                if old is not None:  # query vectors do not depend on the index: keep them
                    self._retriever.query_cache = old.query_cache
                self._generation = gen
            return self._retriever

    def load(self) -> None:
        """Load (and validate) the index now, so errors surface before any question; warm the tokenizer's
        part-of-speech tables (a second's work that the first question would otherwise pay)."""
        retriever = self.retriever
        tag("政府工作报告")
        retriever.query_vector("政府工作报告")  # the engine's first call starts its threads
        self.chain()  # the default chain, built before any thread asks

    def read(self, question: str, previous: str | None = None) -> Question:
        """The one reading of a turn (`previous`: the previous question as understood, for follow-ups such as
        "那临淄区呢？")."""
        cleaned, _ = clean_question(question)
        return self.retriever.read(cleaned, previous)

    def retrieve(self, question: str, k: int = DEFAULT_K, filters: Filters | None = None, q=None, vector_text=None):
        """Hits for a question (`q`: its reading when already done; `vector_text`: the text to embed instead)."""
        question, _ = clean_question(question)
        return self.retriever.search(question, k=k, filters=filters, q=q, vector_text=vector_text)

    def ask(self, question: str, k: int = DEFAULT_K, filters: Filters | None = None, reading: Question | None = None) -> Answer:
        """Answer one question through the LCEL chain (`reading`: the turn's `Question` when already read)."""
        with self.pinned():
            return self.chain(k, filters).invoke({"text": question, "reading": reading})

    def chain(self, k: int = DEFAULT_K, filters: Filters | None = None) -> Runnable:
        """The answer chain for `k` and `filters` (`build_answer_chain`), built once."""
        key = (max(1, k), filters)
        with self._lock:
            found = self._chains.get(key)
            if found is None:
                if len(self._chains) >= MAX_CHAINS:
                    self._chains.pop(next(iter(self._chains)))
                found = self._chains[key] = build_answer_chain(self, k=key[0], filters=filters)
            return found

    def respond(
        self, question: str, k: int = DEFAULT_K, filters: Filters | None = None, reading: Question | None = None
    ) -> Response:
        """The extractive answer as a `Response` (complete at once: no pieces before the `Answer`)."""
        return Response.of(self.ask(question, k=k, filters=filters, reading=reading))

    def as_retriever(self, k: int = DEFAULT_K, filters: Filters | None = None) -> BaseRetriever:
        """The hybrid retrieval as a LangChain retriever, for chains of one's own: documents with the
        provenance of their chunk in `metadata` (doc, chunk_id, section, region, year, title, score)."""
        return ReportRetriever(assistant=self, k=k, filters=filters)


def build_answer_chain(assistant: Assistant, k: int = DEFAULT_K, filters: Filters | None = None) -> Runnable:
    """LCEL: the question (or {"text", "reading"}: with the turn's reading done already) -> the turn read once
    -> parts with their hits (or a table) -> `Answer`."""

    def read(state: str | dict) -> dict:
        started = time.perf_counter()
        state = {"text": state} if isinstance(state, str) else state
        cleaned, notice = clean_question(state["text"])
        q = state.get("reading") or assistant.retriever.read(cleaned)
        return {"question": cleaned, "q": q, "notice": notice, "started": started}

    def search(text: str, q: Question, vector_text: str | None = None) -> list[Hit]:
        return assistant.retrieve(text, k=k, filters=filters, q=q, vector_text=vector_text)

    def retrieve(state: dict) -> dict:
        retriever, q = assistant.retriever, state["q"]
        if q.table is not None:  # across regions or years: a table of indicator records, no search
            table = answer_table(q.text, q.table, retriever, filters)
            if table is not None:
                return {**state, "table": table}
            q = retriever.reader.read(q.text, tables=False)  # no report of an asked region: answered as asked
        found = []
        if q.bridge is not None:  # identify the described place first, then ask about it
            ask = q.bridge_ask
            names = {
                a: r
                for r in retriever.regions
                if r.endswith(q.bridge.kind) and r not in ask.regions
                for a in region_aliases(r)
                if len(a) >= 2
            }
            named = assistant.answerer.naming(ask, search(q.bridge.ask, ask), names)
            if named is not None:
                place, answer = named
                found, q = [answer], retriever.reader.read(q.bridge.fill(place), bridged=True)
        parts = q.answered_as
        vector_text = None
        if len(parts) > 1 and len({tuple(p.phrases[:1]) for p in parts}) == 1:
            vector_text = q.text  # one indicator, several places/years: the whole question's vector
        elif len(parts) > 1:
            retriever.prefetch([p.text for p in parts])  # the parts' vectors in one batch
        return {**state, "q": q, "found": found, "parts": [(p, search(p.text, p, vector_text)) for p in parts]}

    def answer(state: dict) -> Answer:
        if state.get("table") is not None:
            result = state["table"]
            result.notice = state["notice"]
        else:
            answers = state["found"] + [assistant.answerer.answer(p.text, p, hits) for p, hits in state["parts"]]
            q = state["q"]
            if q.completion and len(answers) == 2:  # a target against its result, judged
                result = completion_answer(state["question"], *answers, indicator=(q.parts[0].phrases or [""])[0])
            elif q.comparison is not None and len(answers) == 2:  # one figure at two times, ordered
                labels = tuple(f"{p.years[0]}年" if p.years else "" for p in q.parts)
                result = comparison_answer(state["question"], q.comparison, *answers, labels=labels)
            else:
                result = merge_answers(state["question"], answers)
            result.ranking = interleave([hits for _, hits in state["parts"]])
            result.notice = "；".join(n for n in (state["notice"], result.notice) if n)
        result.latency_ms = (time.perf_counter() - state["started"]) * 1000
        return result

    return RunnableLambda(read) | RunnableLambda(retrieve) | RunnableLambda(answer)


class ReportRetriever(BaseRetriever):
    """Hybrid BM25 + dense retrieval over the report index, as LangChain documents (`Assistant.as_retriever`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    assistant: Assistant
    k: int = DEFAULT_K
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[LCDocument]:
        return [to_lc_document(h) for h in self.assistant.retrieve(query, k=k or self.k, filters=self.filters)]


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
