"""LLM answer mode: the same retrieval, a generated answer, every figure verified.

    extractive answer (retrieval + reranked passages)  ->  numbered passages
    -> answer prompt | chat model | text   (LCEL; streamed token by token)
    -> verify figures, correct citations   ->  `Answer(mode="llm", verified=True)`

The extractive answer is computed first: its passage order feeds the prompt,
and it is the safety net. When the endpoint is dead or slow, or a figure of
the generated answer is in no given passage, the extractive answer (or its
refusal) is returned instead, with `fallback_reason` saying why.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Generator, Iterator

from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from ...domain.periods import years_in
from ...domain.tokenize import tag
from ...types import Answer, Citation, Hit
from ..base import Response
from ..features import agrees
from .backend import describe_error
from .citations import strip_markers
from .config import DEFAULT_TIMEOUT, LLMConfig
from .prompts import answer_prompt, format_passages
from .verify import Verification, figures_in, quote_for, verify

PASSAGES = 4
NAME_TAGS = ("nr", "ns", "nt", "nz")  # jieba: person, place, organisation, other proper noun


class LLMAnswerer:
    """Generated answers over an `Assistant`'s retrieval. `model` is any LangChain chat model
    (`ChatOpenAI` in the shipped path, a scripted fake in unit tests)."""

    def __init__(self, assistant, model, config: LLMConfig | None = None, prompt=None, guard: bool = True):
        self.assistant = assistant
        self.model = model
        self.config = config
        self.passages = config.passages if config else PASSAGES
        self.timeout = config.timeout if config else DEFAULT_TIMEOUT
        self.generation: Runnable = (prompt or answer_prompt()) | model | StrOutputParser()
        # guard: answerability is decided by the extractive step's slot checks. When it refuses (the asked
        # region/year/figure is missing), a generated answer is not trusted over it: small models fill such
        # gaps with nearby figures. When it answers and the model refuses, its cited quote is shown instead.
        self.guard = guard

    def prepare(self, question: str, k: int = 10, filters=None, reading=None) -> dict:
        started = time.perf_counter()
        with self.assistant.pinned():  # the reading and the extractive answer over one index generation
            q = reading or self.assistant.read(question)
            extractive = self.assistant.ask(question, k=k, filters=filters, reading=q)
        return {"extractive": extractive, "q": q, "passages": extractive.retrieved[: self.passages], "started": started}

    @staticmethod
    def _inputs(state: dict) -> dict:
        return {"question": state["extractive"].question, "passages": format_passages(state["passages"])}

    # -- the Answerer protocol (`rag.answer.base`) -----------------------------------------------
    def ask(self, question: str, k: int = 10, filters=None, reading=None) -> Answer:
        return self.respond(question, k=k, filters=filters, reading=reading).answer()

    def respond(self, question: str, k: int = 10, filters=None, reading=None) -> Response:
        """The generated text piece by piece, then the final (verified or fallback) `Answer`."""
        return Response(self._events(question, k, filters, reading))

    def _events(self, question: str, k: int, filters, reading) -> Generator[str, None, Answer]:
        state = self.prepare(question, k, filters, reading)
        if not state["passages"]:
            return self.fallback(state, "没有检索到任何段落，未调用大模型")
        pieces: list[str] = []
        try:
            for piece in self._generate(self._inputs(state)):
                pieces.append(piece)
                yield piece
        except Exception as e:  # any endpoint failure: the extractive answer still appears
            return self.fallback(state, describe_error(e, self.config))
        return self.finish(state, "".join(pieces))

    def _generate(self, inputs: dict) -> Iterator[str]:
        deadline = time.monotonic() + self.timeout
        stream = self.generation.stream(inputs)
        try:
            for piece in stream:
                if time.monotonic() > deadline:
                    raise TimeoutError("generation deadline")
                if piece:
                    yield piece
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()

    # -- verification and fallback --------------------------------------------------------------
    def finish(self, state: dict, draft: str) -> Answer:
        extractive: Answer = state["extractive"]
        v = verify(draft, state["passages"], extractive.question)
        if not v.ok:
            return self.fallback(state, f"大模型回答未通过核查：{v.reason}", draft)
        q = state["q"]  # the turn's one reading: the checks below do not parse the question again
        asked = q.asked
        if not v.refused and not figures_in(v.text) and asked == "number" and _answered_with_figure(extractive):
            return self.fallback(state, "问题问的是具体数额，生成的回答没有给出数字", draft)
        if self.guard and extractive.refused and not v.refused:
            return self.fallback(state, "抽取式核对认为资料中没有所问的内容（地区、年份或数额不符），不采用生成的回答", draft)
        if self.guard and v.refused and not extractive.refused:
            return self.fallback(state, "大模型未能从资料中找到答案，而抽取式核对找到了引用原文的回答", draft)
        off = _off_scope(q, v, state["passages"]) if self.guard and not v.refused else ""
        if off:
            return self.fallback(state, off, draft)
        clash = _clash(extractive, v.text, asked) if self.guard and not v.refused and not extractive.refused else ""
        if clash:
            return self.fallback(state, clash, draft)
        answer = Answer(
            question=extractive.question,
            text=v.text,
            refused=v.refused,
            citations=_citations(v, state["passages"]),
            retrieved=extractive.retrieved,
            notice=_notice(extractive.notice, "已更正引用：" + "；".join(v.corrections) if v.corrections else ""),
            mode="llm",
            verified=True,
        )
        answer.latency_ms = (time.perf_counter() - state["started"]) * 1000
        return answer

    def fallback(self, state: dict, reason: str, draft: str = "") -> Answer:
        extractive: Answer = state["extractive"]
        answer = dataclasses.replace(
            extractive,
            mode="extractive",
            verified=False,
            fallback_reason=reason,
        )
        answer.latency_ms = (time.perf_counter() - state["started"]) * 1000
        return answer


def _off_scope(q, v: Verification, passages: list[Hit]) -> str:
    """Why the generated answer cites a report it may not ("" if it does not): another place's report
    (or a higher level's passage that does not name the asked place), or a passage about another year."""
    for i in v.cited:
        hit = passages[i]
        quote = quote_for(hit, v.figures.get(i, []), v.text)
        ok, why = agrees(q, hit, quote or hit.chunk.text)
        if not ok:
            return f"大模型引用的资料 [{v.cited.index(i) + 1}]（{hit.chunk.meta.region or hit.chunk.doc_id}）与问题不符：{why}"
    return ""


def _answered_with_figure(extractive: Answer) -> bool:
    return not extractive.refused and bool(figures_in(extractive.text))


def _clash(extractive: Answer, text: str, asked: str) -> str:
    """Why a generated answer disagrees with what the extractive step found ("" if it does not).

    - "哪一年" questions: the generated year must be one the extractive answer gives. A passage's
      header names the report's own year too, so a year can pass the figure check and still be
      the wrong one ("2023年" for an event the 2022 review reports).
    - "谁/哪个/哪家" questions: every name the generated answer gives (person, place,
      organisation; not one the question names) must be in the sentence the extractive step
      quoted. A passage that names other places passes the wording check ("高青县" for the
      county the report names elsewhere).
    """
    if asked == "date":
        found, given = _years(extractive.text), _years(text)
        if found and given and not found & given:
            return f"大模型给出的年份（{'、'.join(sorted(given))}年）与抽取式核对找到的（{'、'.join(sorted(found))}年）不一致"
    elif asked in ("person", "entity"):
        names = {w for w, flag in tag(strip_markers(text)) if flag in NAME_TAGS and len(w) >= 2} - {
            w for w, _ in tag(extractive.question)
        }
        missing = sorted(n for n in names if n not in extractive.text)
        if missing:
            return f"大模型给出的名称（{'、'.join(missing)}）不在抽取式核对引用的原句中"
    return ""


def _years(text: str) -> set[str]:
    return {str(y) for y in years_in(text or "")}


def _notice(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def _citations(v: Verification, passages: list[Hit]) -> list[Citation]:
    out = []
    for n, i in enumerate(v.cited, 1):
        out.append(Citation(n, passages[i].chunk, quote_for(passages[i], v.figures.get(i, []), v.text)))
    return out
