"""The Python API: `Assistant` ties the steps together.

    from rag import Assistant
    bot = Assistant("vectorstore")
    answer = bot.ask("张店区2022年地区生产总值是多少？")
    print(answer.text, answer.citations[0].chunk.doc_id)

The index loads lazily on first use; a missing index or a model mismatch is
a `RagError` with a message that names the fix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .answer.extractive import Answerer, ExtractiveAnswerer
from .embedding import DEFAULT_EMBEDDER, Embedder, get_embedder
from .errors import QuestionError
from .retrieval import Filters, HybridRetriever
from .types import Answer

MAX_QUESTION_CHARS = 500
DEFAULT_K = 10


def clean_question(text: str) -> tuple[str, str]:
    """Normalise a question; return (question, notice). Raises QuestionError if empty."""
    if not isinstance(text, str):
        raise QuestionError("问题必须是文本。")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    example = "请输入一个完整的问题，例如：张店区2022年地区生产总值是多少？"
    if not cleaned:
        raise QuestionError(f"问题为空。{example}")
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError(f"问题为空：只有标点或符号（“{cleaned[:20]}”），没有文字。{example}")
    notice = ""
    if len(cleaned) > MAX_QUESTION_CHARS:
        notice = f"问题过长（{len(cleaned)} 字），已截取前 {MAX_QUESTION_CHARS} 字作答。"
        cleaned = cleaned[:MAX_QUESTION_CHARS]
    return cleaned, notice


class Assistant:
    def __init__(
        self,
        index_dir: str | Path = "vectorstore",
        embedder: Embedder | str = DEFAULT_EMBEDDER,
        answerer: Answerer | None = None,
        store=None,
    ):
        from .stores import open_store

        self.index_dir = Path(index_dir)
        self.store = open_store(self.index_dir, store)  # where the index lives (`rag.stores`; RAG_STORE)
        self.embedder = get_embedder(embedder) if isinstance(embedder, str) else embedder
        self.answerer = answerer or ExtractiveAnswerer()
        self._retriever: HybridRetriever | None = None
        self._generation: Path | None = None
        self._lock = threading.Lock()
        self._pins = threading.local()

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
        from .domain.tokenize import tag

        retriever = self.retriever
        tag("政府工作报告")
        retriever.query_vector("政府工作报告")  # the engine's first call starts its threads

    def retrieve(self, question: str, k: int = DEFAULT_K, filters: Filters | None = None, q=None, vector_text=None):
        """Hits for a question (`q`: its analysis when already done; `vector_text`: the text to embed instead)."""
        question, _ = clean_question(question)
        return self.retriever.search(question, k=k, filters=filters, q=q, vector_text=vector_text)

    def ask(self, question: str, k: int = DEFAULT_K, filters: Filters | None = None) -> Answer:
        """Answer one question through the LCEL chain (see `rag.chain`)."""
        from .chain import build_answer_chain

        with self.pinned():
            return build_answer_chain(self, k=max(1, k), filters=filters).invoke(question)
