"""A figure in a report's passage: the year it is about, whether it is a target or a result, and the clause
it belongs to. Ingest (`rag.ingest.records`), retrieval and the answer step all read figures this way."""

from __future__ import annotations

import re

from ..types import Chunk
from .periods import FIVE_YEAR_PLANS, YEAR_SPAN, YEAR_WORD, framed, plan_named, years_in
from .units import Figure
from .vocabulary import GROWTH_WORDS, PER_UNIT

# Words that make a figure a plan's ("力争…", "…以上", "控制在…").
TARGET_CUE = re.compile(r"力争|目标|预期|计划|确保|争取|以上|左右|突破|达到|控制在|不低于")


def passage_year(chunk: Chunk) -> int | None:
    """The year a passage reports on: its section's period, or for a document
    without review/plan sections (news, congress material) the document's year."""
    if chunk.period is not None:
        return chunk.period
    if not chunk.meta.review_years and not chunk.meta.plan_years:
        return chunk.meta.year
    return None


def year_of(sentence: str, chunk: Chunk) -> int | None:
    """The year a figure is about: a year the sentence names, else its section's, else the report's."""
    named = years_in(sentence)
    if len(named) == 1:
        return named[0]
    return passage_year(chunk)


def kind_of(sentence: str, chunk: Chunk) -> str:
    """目标 (a plan's figure) or 实际 (a result), as the passage presents it; "" when it cannot tell. In a section
    that both reviews and plans ("“十四五”时期发展成就和“十五五”时期主要目标任务"), a sentence about a plan over
    by the report's year ("过去五年，…年均增长4.8%") with no goal word is a result."""
    if chunk.period_kind == "plan" and _past_plan(sentence, chunk) and not _GOAL_WORDS.search(sentence):
        return "实际"
    if chunk.period_kind == "plan" or (TARGET_CUE.search(sentence) and chunk.period_kind != "review"):
        return "目标"
    if chunk.period_kind == "review":
        return "实际"
    return ""


_GOAL_WORDS = re.compile(r"力争|目标|预期|计划|确保|争取|左右|提出|要|将")


def _past_plan(sentence: str, chunk: Chunk) -> bool:
    """Does the sentence (or its paragraph before it, ending on a span) speak of a five-year plan over before the
    report's year?"""
    year = chunk.meta.year
    lead = chunk.text[: max(0, chunk.text.find(sentence))]
    plan = plan_named(sentence, year) or (plan_named(lead, year) if framed(lead) else "")
    return bool(year and plan and FIVE_YEAR_PLANS[plan][1] < year)


# Words that open a ratio's name ("人均地区生产总值", "单位GDP能耗"; "万元" is also an amount).
RATIO_MARKERS = tuple(m for m in PER_UNIT if m != "万元")
_CHANGE_BEFORE = re.compile(rf"(?:{GROWTH_WORDS}|新增|净增|增)了?\s*(?:超过|超|近|约)?$")
_FROM_BEFORE = re.compile(r"从\s*$")
# A level reached, written before the figure: at the end of a period it is that year's level.
_REACHED = re.compile(r"(?:达到|达|突破|迈上|跨上|站上|超过|增加到|提高到|提升至|提升到|增至|升至)\s*$")
_GOAL = re.compile(r"力争|目标|预期|计划|确保|争取|左右|以上|纲要|到\s*20\d\d\s*年")  # a goal's words ("达" is a result's too)


def own_clause(before: str) -> str:
    """The figure's own clause up to it: what `before` (the text before a figure) says after its last comma."""
    return re.split(r"[，,；;。、]", before)[-1]


def ratios_named(before: str) -> list[str]:
    """The ratio words (人均, 单位 …) in the figure's own clause up to it: its figure is that ratio's."""
    clause = own_clause(before)
    return [m for m in RATIO_MARKERS if m in clause]


def change_before(before: str) -> bool:
    """Is the figure a change ("全省共增加2702亿元", "比2020年增加超7400亿元") or the start of one ("从11.37万亿元
    提高到…"), not a level?"""
    return bool(_CHANGE_BEFORE.search(before[-6:]) or _FROM_BEFORE.search(before[-3:]))


def level_reached(f: Figure, window: str) -> bool:
    """In a sentence over several years, is the figure the level reached at its end ("…达14.2万亿元") — not a
    rate, an average or total over the years ("年均超过70万人"), nor a goal ("达58万元/人左右")?"""
    before = window[: f.start]
    return (
        f.family != "percent"
        and bool(_REACHED.search(window[max(0, f.start - 4) : f.start]))
        and not YEAR_SPAN.search(before)
        and "累计" not in before
        and not _GOAL.search(window)
    )


# A clause that goes on with the indicator of the clause before it: it opens with a predicate or a
# figure ("…完成805亿元，同比增长3.4%"), not with another indicator ("…与经济增长同步，单位地区生产总值能耗…").
_CONTINUES = re.compile(
    rf"^\s*(?:{YEAR_WORD.pattern}|全省|全市|全区|全县|全国)?\s*(?:同比|比上年|较上年|分别|年均|累计|预计|全年|约|共|均|其中)?\s*"
    r"(?:增长|增速|增幅|涨幅|下降|降低|提高|提升|减少|增加|达到|达|完成|实现|突破|超过|为|是|保持|稳定在|控制在|占|\d(?!\d{3}\s*年))"
)


MAX_CONTINUATION = (
    3  # clauses that may go on with one indicator ("…地区生产总值都有所增加，全省共增加2702亿元，2023年达到13.09万亿元")
)


def clause_spans(sentence: str, positions: list[int], exact: bool = True) -> list[tuple[int, int]]:
    """(start, end) in `sentence` of the clause holding each position and the clauses that go on with it
    (see `indicator_windows`)."""
    bounds = [0] + [m.end() for m in re.finditer(r"[，,；;。：:]", sentence)] + [len(sentence)]
    spans = []
    for pos in positions:
        k = next((j for j in range(len(bounds) - 1) if bounds[j] < pos <= bounds[j + 1]), None)
        if k is None:
            continue
        end = k + 1
        for step in range(MAX_CONTINUATION):
            if end >= len(bounds) - 1 or sentence[bounds[end] - 1 : bounds[end]] in ("；", ";", "。"):
                break
            if (exact or step > 0) and not _CONTINUES.match(sentence[bounds[end] : bounds[end + 1]]):
                break  # (placed by terms, the next clause counts in any case)
            end += 1
        spans.append((bounds[k], bounds[end]))
    return spans
