"""A report's outline answers "which areas" questions: "河南2025年重点工作有哪些方面？", "天津2025年工作
安排主要有哪几个方面？", "2024年工作有哪些成效？".

Reports say it in their headings: under "三、2025年重点工作" come "（一）更大力度推动全方位扩大内需",
"（二）…". `outline` finds, in the asked place's report, the section of the asked kind (the year's plan,
or the review of the year before) whose numbered sub-headings list the areas, and returns them with the
first passage under each, so every heading quoted is cited where it stands.
"""

from __future__ import annotations

import re

from ..domain.headings import NUMBERED
from ..question.model import Question
from ..types import Chunk

# What asks for the areas of work (general question wording).
ASKS_AREAS = re.compile(
    r"哪些方面|哪几个方面|哪几方面|几个方面|主要方面|重点工作|工作安排|主要工作|重点任务|主要任务|工作重点|重点做好|重点抓好|主要成效|哪些成效|主要成绩"
)
_REVIEW_ASK = re.compile(r"回顾|成效|成绩|进展|做了哪些|取得")
MIN_AREAS = 3


def asks_areas(q: Question) -> bool:
    return q.asked in ("summary", "list", "other") and q.named_set is None and bool(ASKS_AREAS.search(q.text))


def outline(q: Question, chunks: list[Chunk]) -> list[tuple[str, Chunk]]:
    """(sub-heading, first chunk under it) of the section listing the areas asked about, in order;
    [] when the report has no such section. `chunks`: one report's chunks, in document order."""
    kind = "review" if _REVIEW_ASK.search(q.text) else "plan"
    if q.years and chunks and chunks[0].meta.year:
        delivered = chunks[0].meta.year
        if all(y < delivered for y in q.years):
            kind = "review"
    sections: dict[str, list[tuple[str, Chunk]]] = {}
    for c in chunks:
        if len(c.section) < 2 or c.period_kind != kind or not NUMBERED.match(c.section[1]):
            continue
        children = sections.setdefault(c.section[0], [])
        if not any(h == c.section[1] for h, _ in children):
            children.append((c.section[1], c))
    best = max(sections.values(), key=len, default=[])
    return best if len(best) >= MIN_AREAS else []


def heading_text(heading: str) -> str:
    """ "（一）更大力度推动全方位扩大内需" → "更大力度推动全方位扩大内需"."""
    return NUMBERED.sub("", heading).strip()
