"""Indicators by meaning: a question that names a figure in its own words ("物价涨了多少", "经济盘子有多大", "财政一共花出去
多少钱") is matched to the catalogue indicator whose report wordings (`rag/domain/data/indicators.json`) the
embedding model puts nearest — and only when it is near enough, and nearer than any other indicator by a margin.
The match becomes a paraphrase of the question (`Question.aliases`): the sentence must then write one of the
indicator's wordings, and its figure must be of the asked kind (`rag.answer.indicator`).

The thresholds were set on `eval/ownwords.jsonl` (its everyday names) and checked on the other sets; they are the
model's (multilingual-e5-small), and a knowledge base embedded with another model keeps them only if it is
re-measured (`rag eval`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from threading import Lock

import numpy as np

from ..domain.indicators import Indicator, catalogue
from ..domain.periods import RELATIVE_RE, YEAR_LOOSE
from ..domain.vocabulary import GROWTH_WORDS, NEGATED_ASIDE, SHARED_HEADS
from .model import Question
from .reading import asked_units

GROWTH = re.compile(GROWTH_WORDS)
MIN_SCORE = 0.91  # cosine of the question's words to the nearest indicator wording
MIN_MARGIN = 0.003  # … ahead of the nearest wording of any other indicator
# What a question says besides the figure it asks for: the ask, the time, its particles.
_ASK_WORDS = re.compile(
    r"是多少|有多少|有多大|多少|多大|几|是什么|怎么样|如何|吗|呢|了|的|一共|总共|大概|大约|今年|去年|明年|准备|打算|计划|要|能"
    r"|[？?。，,！!“”\"、\s]"
)


MODEL = "multilingual-e5-small"  # the model the thresholds were measured with


class IndicatorMeaning:
    """The catalogue's wordings embedded once (as queries, like the question); `match` the asked words.
    `embed_query`: how one text is embedded (the retriever's cached query vectors)."""

    @classmethod
    def for_embedder(cls, embedder, embed_query=None) -> IndicatorMeaning | None:
        """None for a model the thresholds were not measured with: its everyday words are not matched."""
        return cls(embedder, embed_query) if MODEL in getattr(embedder, "name", "") else None

    def __init__(self, embedder, embed_query=None, indicators: tuple[Indicator, ...] | None = None):
        self.embedder = embedder
        self.embed_query = embed_query or (lambda text: embedder.embed_queries([text])[0])
        self.indicators = indicators or catalogue()
        self._rows: list[int] = []
        self._vectors: np.ndarray | None = None
        self._lock = Lock()

    def _table(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                texts = []
                for k, ind in enumerate(self.indicators):
                    for w in dict.fromkeys((ind.name, *ind.wordings, *ind.growth_wordings)):
                        texts.append(w)
                        self._rows.append(k)
                self._vectors = np.asarray(self.embedder.embed_queries(texts), dtype=np.float32)
            return self._vectors

    def match(self, words: str) -> tuple[Indicator, float, float] | None:
        """The indicator `words` mean, its score and its margin over the next indicator; None below the thresholds."""
        if len(words) < 2:
            return None
        table = self._table()
        v = np.asarray(self.embed_query(words), dtype=np.float32)
        scores = table @ v
        best: dict[int, float] = {}
        for k, s in zip(self._rows, scores.tolist(), strict=True):
            best[k] = max(best.get(k, -1.0), s)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        (k, top), (_, second) = ranked[0], ranked[1]
        if top < MIN_SCORE or top - second < MIN_MARGIN:
            return None
        return self.indicators[k], top, top - second


def _own_terms(phrase: str) -> list[str]:
    """The phrase, and without a trailing count or ask word ("高新技术企业数量" → 高新技术企业, "网上零售额要冲" →
    网上零售额); three characters at least ("还是" is no term)."""
    bare = re.sub(r"(?:数量|数目|总数|总量|规模|情况|要冲|要|还是|是)$", "", phrase)
    return [p for p in dict.fromkeys((phrase, bare)) if len(p) >= 3]


def asked_words(q: Question) -> str:
    """The question's words about its figure: without its places, years, ask and particles ("上海去年物价涨了多少？"
    → "物价涨")."""
    text = q.place_text or q.text
    for m in sorted(q.mentions, key=lambda m: -m.start):
        text = text[: m.start] + text[m.end :]
    text = RELATIVE_RE.sub("", YEAR_LOOSE.sub("", text))
    return _ASK_WORDS.sub("", text)


def add_meaning(
    q: Question,
    meaning: IndicatorMeaning | None,
    written: Callable[[str], bool] = lambda _: False,
    prefetch: Callable[[str], None] = lambda _: None,
) -> None:
    """A figure asked in words no report uses and no paraphrase lists: the catalogue indicator it means, as a
    paraphrase of its phrase (its report wordings). `written`: whether the asked place's reports write a phrase
    (then it is their own term — "第一产业增加值", "新增各类人才" — not an everyday name of another indicator);
    `prefetch`: told the words about to be embedded (the retriever embeds them in one batch with the question)."""
    if meaning is None or q.asked != "number" or not q.phrases or q.aliases or q.table is not None:
        return
    if any(w in q.text for ind in meaning.indicators for w in (*ind.wordings, *ind.growth_wordings)):
        return  # the question writes a report wording itself
    if any(written(form) for phrase in q.phrases for form in _own_terms(phrase)):
        return
    words = asked_words(q)
    prefetch(words)
    found = meaning.match(words)
    if found is None:
        return
    ind = found[0]
    said = (ind.name, *ind.wordings)
    ends = _own_terms(q.phrases[0]) or [q.phrases[0]]
    if any(p.endswith(h) and any(h in w for w in said) for h in SHARED_HEADS for p in ends):
        return  # "三次产业增加值" is near 规模以上工业增加值 by its head alone: another statistic of that head
    growth = ind.growth_wordings if GROWTH.search(q.text) else ()  # "经济涨了多少": 经济增长 is its wording too
    q.aliases = {**q.aliases, q.phrases[0]: list(dict.fromkeys((*ind.wordings, *growth)))}
    if q.phrases[0] not in q.terms:
        q.terms = [*q.terms, q.phrases[0]]
    q.units = asked_units(NEGATED_ASIDE.sub("", q.text), q.aliases)
