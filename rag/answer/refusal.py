"""The refusal policy: an ordered list of named checks on the sentence the answer would quote.

Similarity scores do not separate answerable from unanswerable questions (top cosine 0.91–0.94 for both
on the bundled reports), so refusal reads
what is asked and whether the chosen sentence carries it. Each check is a small function of a
`Decision` (the question, the candidates, the chosen sentence) that returns the reason to refuse — in
Chinese, shown to the user — and the sentence to show as the closest one, or None when it passes.
The first check that fails decides. No check uses a similarity threshold or a count of documents: the
coverage threshold compares a share of the question's own terms, whatever the corpus size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..question.model import Question
from ..types import Hit
from .base import Candidate
from .features import agrees, asked_compounds, names_compounds, names_share_part, share_numerator, title_slot
from .indicator import found, other_indicator, phrase_unwritten

# Asked kinds that need their slot in the quoted sentence (a figure, a date, an enumeration).
SLOT_REQUIRED = {"number": "具体数额", "date": "具体时间", "list": "具体清单", "rank": "具体位次"}
TOPICAL_POOL, TOPICAL_RATIO = 10, 0.5  # the most on-topic of the best sentences, and how far below it an answer may be


@dataclass
class Decision:
    q: Question
    hits: list[Hit]
    cands: list[Candidate]
    best: Candidate | None  # the sentence the answer would quote
    min_coverage: float
    glossary: Candidate | None = None  # a definition of a quoted term (answers list/summary questions about it)
    dated: tuple[int, str] | None = None  # for 哪一年 questions: the year read off the passage, and where

    @property
    def topical(self) -> Candidate | None:
        """The most on-topic of the best sentences."""
        return max(self.cands[:TOPICAL_POOL], key=lambda c: c.coverage) if self.cands else None


Refusal = tuple[str, "Candidate | None"]  # (reason, the closest sentence to show)
Check = Callable[[Decision], "Refusal | None"]


def place_without_report(d: Decision) -> Refusal | None:
    """A place no report is about, and no report of a place above it."""
    scope = d.q.scope
    if scope is not None and scope.missing:
        return f"已导入的文档中没有关于{'、'.join(scope.missing)}的报告", None
    return None


def time_without_report(d: Decision) -> Refusal | None:
    """An asked year or five-year plan that none of the asked place's reports can speak of (a year's
    result before any report reviews it, a target beyond the reports' plan periods)."""
    scope = d.q.scope
    if scope is not None and scope.missing_time:
        return "；".join(scope.missing_time), None
    return None


def nothing_retrieved(d: Decision) -> Refusal | None:
    if not d.cands:
        scope = d.q.scope
        if scope is not None and not scope.docs:
            return f"已导入的文档中没有关于{'、'.join(p.name for p in scope.places)}的报告", None
        return "检索结果中没有可用的段落", None
    return None


def unknown_place_unnamed(d: Decision) -> Refusal | None:
    """A place the place data does not hold must at least be named by a retrieved passage."""
    q = d.q
    if q.other_places and not q.regions and q.scope is None:
        missing = [p for p in q.other_places if not any(p in h.chunk.text for h in d.hits)]
        if missing:
            return f"已导入的文档中没有关于{'、'.join(missing)}的内容", None
    return None


def wrong_place_or_year(d: Decision) -> Refusal | None:
    """The chosen sentence's place, year, kind or resident group disagrees with the question (no
    agreeing alternative was found among the best candidates)."""
    if d.best is not None and not d.best.agrees:
        return agrees(d.q, d.best.hit, d.best.sentence)[1], d.best
    return None


def topic_without_slot(d: Decision) -> Refusal | None:
    """The passage that is about the question names the indicator without the asked figure/list/date;
    a weakly related sentence that has one is not the answer."""
    what = SLOT_REQUIRED.get(d.q.asked)
    topical = d.topical
    if what and topical is not None and not topical.has_slot and topical.agrees and d.best is not d.glossary:
        if d.best.coverage < TOPICAL_RATIO * topical.coverage:
            return f"资料只提到相关内容，未给出{what}", topical
    return None


def speaker_not_in_title_block(d: Decision) -> Refusal | None:
    """Who delivered a report is said by its title block alone: a name from its body (the thanks to its audience,
    a person it praises) is no answer, and a report that lost its title block does not say."""
    q, best = d.q, d.best
    if q.about_report and q.asked == "person" and not title_slot(q, best.hit.chunk, best.sentence):
        return "这份报告的文本没有标题部分，未写明报告人", None
    return None


def too_little_of_the_question(d: Decision) -> Refusal | None:
    """The sentence covers too little of the question's terms (a definition is about the asked term itself;
    a report's title block answers who delivered it, when and where, however the question words it)."""
    if d.q.about_report and title_slot(d.q, d.best.hit.chunk, d.best.sentence):
        return None
    if d.best.coverage < d.min_coverage and d.best is not d.glossary:
        return "资料中没有与问题要点对应的表述", d.best
    return None


def indicator_not_named(d: Decision) -> Refusal | None:
    """A 多少 question's compound indicator name must be in the sentence."""
    if not names_compounds(d.q, d.best.sentence):
        missing = "、".join(t for t in asked_compounds(d.q) if not found(t, d.best.sentence, d.q))
        return f"资料中没有关于“{missing}”的数据", d.best
    return None


def indicator_phrase_missing(d: Decision) -> Refusal | None:
    """The sentence writes almost nothing of the asked indicator ("货物进出口总额" is not answered by
    "国内生产总值超过126万亿元")."""
    if phrase_unwritten(d.q, d.best.sentence):
        return f"资料中没有关于“{d.q.phrases[0]}”的数据", d.best
    return None


def another_indicator(d: Decision) -> Refusal | None:
    """The sentence states the same kind of figure for another indicator (same head noun, none of the
    asked indicator's modifiers: "数字经济核心产业增加值" for 规模以上工业增加值)."""
    if other_indicator(d.q, d.best.sentence):
        return f"资料中只有其他指标的数据，没有“{d.q.phrases[0]}”", d.best
    return None


def share_of_another_part(d: Decision) -> Refusal | None:
    """ "X占Y的比重" is answered only by a sentence that names X."""
    if not names_share_part(d.q, d.best.sentence):
        return f"资料中没有“{''.join(share_numerator(d.q))}”所占的比重", d.best
    return None


def slot_missing(d: Decision) -> Refusal | None:
    """The sentence lacks the asked figure/list/date (a 哪一年 question may read it off the passage)."""
    what = SLOT_REQUIRED.get(d.q.asked)
    if what and not d.best.has_slot and d.dated is None:
        return f"资料只提到相关内容，未给出{what}", d.best
    return None


# Checks before a sentence is chosen, then checks on the chosen sentence, in order.
BEFORE_CHOICE: tuple[Check, ...] = (place_without_report, time_without_report, nothing_retrieved, unknown_place_unnamed)
ON_CHOICE: tuple[Check, ...] = (
    wrong_place_or_year,
    speaker_not_in_title_block,
    topic_without_slot,
    too_little_of_the_question,
    indicator_not_named,
    indicator_phrase_missing,
    another_indicator,
    share_of_another_part,
    slot_missing,
)


def first_refusal(d: Decision, checks: tuple[Check, ...]) -> Refusal | None:
    for check in checks:
        found_reason = check(d)
        if found_reason is not None:
            return found_reason
    return None
