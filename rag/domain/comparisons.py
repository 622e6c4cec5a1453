"""One figure at two times, compared: "四川今年的粮食产量目标比去年的目标高还是低？", "2025年粮食产量和2021年相比增加了
还是减少了？". The question becomes two questions, one per time (each answered from the report that speaks of
it, `rag.question.scope`), and the answer orders their two figures as written — nothing is computed but which
is higher (`order`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .periods import YEAR_TOKEN
from .units import comparable, figures, signed_base

_TIME = rf"去年|上年|前年|今年|明年|{YEAR_TOKEN}"
_RISE_FALL = (
    r"增加了?还是减少了?|减少了?还是增加了?|多了?还是少了?|少了?还是多了?|增了还是减了|上升了?还是下降了?|提高了?还是降低了?"
)
_HIGH_LOW = r"高还是低|低还是高|高了还是低了|是高是低|哪个高|哪个低|哪年高|有(?:何|什么)变化|变化(?:如何|怎样)"
YEAR_COMPARE = re.compile(
    rf"[，,]?\s*(?:比|较|和|与|同|跟)\s*(?P<other>{_TIME})(?:的)?[^？?。，,]{{0,8}}?(?P<ask>{_RISE_FALL}|{_HIGH_LOW})"
)


@dataclass(frozen=True)
class YearComparison:
    first: str  # "四川今年的粮食产量目标": the figure asked, at the question's own time
    second: str  # "四川去年的粮食产量目标": the same figure at the time it is compared with
    rise_fall: bool  # asked as 增加还是减少 (a level's change), not 高还是低


def year_comparison(text: str) -> YearComparison | None:
    """The two times a question compares one figure at; None when it compares nothing, or names no time of its own
    to put the other in place of."""
    m = YEAR_COMPARE.search(text)
    if not m:
        return None
    first = text[: m.start()].strip(" ，,、")
    first = re.sub(r"(?:是多少|有多少|多少)$", "", first).rstrip("的")
    own = re.search(_TIME, first)
    if not own or own.group(0) == m.group("other") or len(first) - len(own.group(0)) < 4:
        return None
    second = first[: own.start()] + m.group("other") + first[own.end() :]
    return YearComparison(first, second, bool(re.fullmatch(_RISE_FALL, m.group("ask"))))


def order(first: str, second: str) -> int | None:
    """1 when the first figure (as written: "730亿斤以上", "增长5%左右", "下降3%") is higher, -1 lower, 0 equal; None
    when the two are not numbers of one kind (another unit family, a rate against a percentage-point change)."""
    a_figs, b_figs = figures(first), figures(second)
    if not a_figs or not b_figs or a_figs[0].number is None or b_figs[0].number is None:
        return None
    a, b = a_figs[0], b_figs[0]
    if not comparable(a, b):
        return None
    va, vb = signed_base(first, a), signed_base(second, b)  # "下降3%" is below "增长1%"
    return (va > vb) - (va < vb)
