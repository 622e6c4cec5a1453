"""The seam every caller answers through: an `Answerer` turns a question into a `Response` — iterate it for
the text as it is produced, call `answer()` for the final cited `Answer`. The extractive assistant
(`rag.pipeline.Assistant`) and the LLM answerer (`rag.answer.llm.LLMAnswerer`) both satisfy it, so the CLI,
the app and the API run either without asking which one they hold.

Also here: `Candidate`, one sentence of a retrieved passage as the extractive step and its refusal policy
weigh it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..types import Answer, Hit

if TYPE_CHECKING:  # (annotation only: the retrieval stage imports nothing from here)
    from ..retrieval import Filters


class Response:
    """One answer as it is produced. `for piece in response` yields the generated text piece by piece (nothing
    for an answer that is complete at once, such as the extractive one); `response.answer()` finishes the
    iteration if needed and returns the final `Answer` (verified, or the fallback that replaced it)."""

    def __init__(self, events: Generator[str, None, Answer]):
        self._events = events
        self._answer: Answer | None = None
        self._pieces: list[str] = []

    @classmethod
    def of(cls, answer: Answer) -> Response:
        """A response that is complete at once: no pieces, then `answer`."""

        def events() -> Generator[str, None, Answer]:
            yield from ()
            return answer

        return cls(events())

    def __iter__(self) -> Iterator[str]:
        while self._answer is None:
            try:
                piece = next(self._events)
            except StopIteration as done:
                self._answer = done.value
                return
            self._pieces.append(piece)
            yield piece

    def draft(self) -> str:
        """The text streamed so far (the generated draft; "" for an answer complete at once)."""
        return "".join(self._pieces)

    def answer(self) -> Answer:
        for _ in self:
            pass
        assert self._answer is not None, "the answer's events ended without an Answer"
        return self._answer


@runtime_checkable
class Answerer(Protocol):
    """Answers one question over a knowledge base."""

    def respond(self, question: str, k: int = 10, filters: Filters | None = None) -> Response: ...

    def ask(self, question: str, k: int = 10, filters: Filters | None = None) -> Answer: ...


@dataclass
class Candidate:
    hit_rank: int
    hit: Hit
    sentence: str
    features: dict[str, float]
    score: float  # the reranker's score

    @property
    def coverage(self) -> float:
        return self.features["coverage"]

    @property
    def has_slot(self) -> bool:
        return bool(self.features["slot"])

    @property
    def agrees(self) -> bool:
        return bool(self.features["agree"])
