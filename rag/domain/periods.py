"""Years and periods as reports and questions write them: one year pattern for the whole assistant.

- `YEAR_WORD` "2023年" (also "2023 年"), `YEAR_LOOSE` "2023" with or without 年 (questions);
- Chinese-numeral years "二〇二三年";
- relative years, as offsets from an anchor year (the report's year, or the previous question's):
  去年/上年 −1, 前年 −2, 今年/本年 0, 明年/下一年 +1 …;
- five-year plans: 十三五 = 2016–2020 (the national convention), and "过去五年" style phrases.
"""

from __future__ import annotations

import re

from .numbers import CN_COUNT_OR_DIGIT, cn_digits_year, cn_number

YEAR_DIGITS = r"(?:19|20)\d{2}"  # the one year pattern; every other one is built from it
_Y = rf"(?<![\d.])({YEAR_DIGITS})(?!\d)"
YEAR_WORD = re.compile(_Y + r"\s*年")
YEAR_LOOSE = re.compile(_Y + r"\s*年?")
CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})\s*年")
YEAR_TOKEN = rf"{YEAR_DIGITS}\s*年"  # for building larger patterns
DAY = r"\d{1,2}\s*月\s*\d{1,2}\s*日"  # "3月5日"
FULL_DATE = re.compile(rf"({YEAR_DIGITS})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日")  # "2024年3月5日"
# Relative years (offset from the anchor year). Longer words first where they overlap.
RELATIVE_YEARS = {
    "上一年": -1, "前一年": -1, "上年": -1, "去年": -1, "前年": -2, "今年": 0, "本年": 0, "当年": 0, "同年": 0,
    "新的一年": 0, "下一年": 1, "后一年": 1, "次年": 1, "第二年": 1, "明年": 1,
}  # fmt: skip
RELATIVE_RE = re.compile("|".join(sorted(RELATIVE_YEARS, key=len, reverse=True)))
# Words for the current year itself: in a follow-up they are not counted from the previous question's year.
CURRENT_YEAR_WORDS = ("今年", "本年", "新的一年")
TIME = rf"{YEAR_TOKEN}|今年|去年|明年"  # a time phrase that opens a part of a compound question
FIVE_YEAR_PLANS = {
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
    "十五五": (2026, 2030),
}
# A year that names a report, not the period asked about: "2024年政府工作报告中…", "在其2021年的报告里" (the
# year, followed within its clause by 报告).
REPORT_YEAR = re.compile(rf"({YEAR_DIGITS})\s*年(?=[^，,。？?；;]{{0,12}}?报告)")
# A figure over several years, not one year's: "近3年", "三年来", "过去五年", "年均".
YEAR_SPAN = re.compile(
    rf"近(?![一1]年){CN_COUNT_OR_DIGIT}+年(?!来?(?:新高|最高|最好|最低|新低|最快|最多))"
    rf"|(?![一1]年来){CN_COUNT_OR_DIGIT}+年来(?!(?:新高|最高|最好|最低|新低|最快|最多))"
    rf"|过去(?![一1]年){CN_COUNT_OR_DIGIT}+年|年均"
)  # not "一年来", "过去一年" (one year), nor "创近5年新高" (one year's figure, the highest in five)
PAST_FIVE_YEARS = ("过去五年", "过去5年", "上一个五年", "五年来", "这五年", "这5年")
# A sentence about a period, not one year: a span word, a five-year plan named, a goal "到2030年".
SPAN_FRAME = re.compile(rf"{YEAR_SPAN.pattern}|累计|五年|期间|时期|以来|(?:{'|'.join(FIVE_YEAR_PLANS)})|到\s*{YEAR_DIGITS}\s*年")
# What opens a paragraph about a period: the same words, but not a plan merely named ("“十四五”收官之年",
# "确保“十五五”开好局": a year's words).
_LEAD_FRAME = re.compile(rf"{YEAR_SPAN.pattern}|累计|五年|期间|时期|以来|到\s*{YEAR_DIGITS}\s*年")


def years_in(text: str, loose: bool = False) -> list[int]:
    """Years named in `text`, in order, deduplicated: "2023年", "二〇二三年" (and bare "2023" if `loose`)."""
    found = [(m.start(), int(m.group(1))) for m in (YEAR_LOOSE if loose else YEAR_WORD).finditer(text)]
    found += [(m.start(), y) for m in CN_YEAR.finditer(text) if (y := cn_digits_year(m.group(1)))]
    return list(dict.fromkeys(y for _, y in sorted(found)))


# An explicit span of years: "2021—2025年", "2021年至2025年", "2024到2026年" — not "从2020年到2025年", a change
# between two ends.
_RANGE = re.compile(rf"(?<!从)(?<![\d.])({YEAR_DIGITS})\s*年?\s*(?:—|–|-|－|~|～|至|到)\s*({YEAR_DIGITS})\s*年")
# The last few years, counted back: "近三年", "最近3年", "过去三年" (not "三年来", nor an average "近三年年均").
_RECENT = re.compile(rf"(?:近|最近|过去)({CN_COUNT_OR_DIGIT}{{1,2}})\s*个?\s*年(?!来|均)")
MAX_SPAN_YEARS = 15


def year_range(text: str) -> list[int]:
    """Every year of the first explicit span in `text` ("2024—2026年" → [2024, 2025, 2026]); [] if none."""
    m = _RANGE.search(text)
    if not m:
        return []
    a, b = int(m.group(1)), int(m.group(2))
    return list(range(a, b + 1)) if 0 < b - a < MAX_SPAN_YEARS else []


def recent_count(text: str) -> int:
    """How many years "近三年" / "最近3年" / "过去三年" counts back; 0 if the text names no such span, or speaks
    of an average or a total over it ("近三年年均增长", "过去五年累计")."""
    m = _RECENT.search(text)
    if not m or re.search(r"年均|累计|平均", text):
        return 0
    n = cn_number(m.group(1))
    return int(n) if n and 1 < n < MAX_SPAN_YEARS else 0


# A year named as a comparison's base ("较2015年下降26.2%", "比2020年末增长"): not the year a figure is about.
BASE_YEAR = re.compile(rf"(?:较|比|与|同)\s*{YEAR_TOKEN}(?:末|底)?")


def own_years(text: str) -> list[int]:
    """The years `text` names, without those named as a comparison's base (`BASE_YEAR`)."""
    return years_in(BASE_YEAR.sub(" ", text))


def relative_offsets(text: str) -> list[int]:
    """Offsets of the relative years in `text` ("去年和今年" → [-1, 0])."""
    return list(dict.fromkeys(RELATIVE_YEARS[m.group(0)] for m in RELATIVE_RE.finditer(text)))


def plans_in(text: str) -> list[str]:
    return [name for name in FIVE_YEAR_PLANS if name in text]


_NEXT_FIVE = ("今后五年", "未来五年", "今后5年", "未来5年")


def plan_named(text: str, report_year: int | None) -> str:
    """The five-year plan `text` speaks of: the last one it names, or "过去五年"/"今后五年" counted from the
    report's year (a 2026 report's 过去五年 is the 十四五, its 今后五年 the 十五五); "" when none."""
    named = [(text.rfind(n), n) for n in FIVE_YEAR_PLANS if n in text]
    if named:
        return max(named)[1]
    if report_year:
        if any(w in text for w in PAST_FIVE_YEARS):
            plan = plan_of(report_year - 1)
            return plan[0] if plan and plan[2] == report_year - 1 else ""
        if any(w in text for w in _NEXT_FIVE):
            plan = plan_of(report_year)
            return plan[0] if plan and plan[1] == report_year else ""
    return ""


def framed(text: str) -> bool:
    """Does `text` (what comes before a sentence) speak of a period at its end: a span word after the last
    year it names ("“十四五”时期…", not "五年来…。2025年，…")?"""
    spans = [m.end() for m in _LEAD_FRAME.finditer(text)]
    years = [m.end() for m in YEAR_WORD.finditer(text)]
    return bool(spans) and (not years or spans[-1] > years[-1])


def opens_on_span(lead: str) -> bool:
    """Does the paragraph that `lead` (what comes before a sentence) ends in open on a span ("这五年，…", "五年来，…"):
    its first clause names a span and no year?"""
    paragraph = lead.rsplit("\n", 1)[-1]
    first = re.split(r"[，,。；;：:]", paragraph, maxsplit=1)[0]
    return bool(_LEAD_FRAME.search(first)) and not years_in(first)


def period_disagrees(asked_plans: list[str], sentence: str, section: str, lead: str = "", report_year: int | None = None) -> str:
    """Why a sentence does not state a figure of the asked five-year plan (or of "过去五年"): it or its section
    names another plan ("“十五五”时期年均增长5%左右" for 十四五), or it speaks of one year only — no span word in
    it, nor in its paragraph before it (`lead`) after the last year named there, nor a section about the plan
    alone; "" when it may."""
    for text in (sentence, section):  # the sentence decides when it names a plan ("今后五年" of a 2026 report: 十五五)
        named = plans_in(text) or [p for p in [plan_named(text, report_year)] if p]
        if asked_plans and named:
            if set(named) & set(asked_plans):
                break
            return f"只找到“{named[-1]}”的相关内容"
    if SPAN_FRAME.search(sentence):
        return ""
    if framed(lead):
        return ""  # "五年来，…。地区生产总值达到1.5万亿元": the paragraph speaks of the period
    if plans_in(section) and not years_in(section):
        return ""  # a section about the plan alone ("“十四五”时期发展成就"; for 过去五年, a report's own past plan)
    asked = f"“{asked_plans[0]}”时期" if asked_plans else "过去五年"
    return f"只找到单一年份的数据，没有{asked}的数据"


LONG_RANGE_GOALS = (2035,)  # 远景目标: a year any report may set goals for ("到2035年")


def plan_of(year: int) -> tuple[str, int, int] | None:
    """The five-year plan a year falls in: 2025 → ("十四五", 2021, 2025)."""
    return next(((n, a, b) for n, (a, b) in FIVE_YEAR_PLANS.items() if a <= year <= b), None)


def speaks_of(report_year: int, year: int, kind: str, early: bool = True) -> bool:
    """Can a report of `report_year` state `year`'s figure of `kind` (target | actual | "" either)? A work
    report is delivered early in its year (`early`): a year's result only once the year is over (a later
    report reviews it); other material (a congress report, news) may state its own year's results. A
    target for the report's own year, the rest of its five-year plan, or a long-range goal."""
    actual = report_year > year if early else report_year >= year
    plan = plan_of(report_year)
    horizon = plan[2] if plan else report_year
    target = report_year <= year <= horizon or year in LONG_RANGE_GOALS
    return actual if kind == "actual" else target if kind == "target" else actual or target


def speaks_of_period(report_year: int, start: int, end: int, kind: str, early: bool = True) -> bool:
    """Can a report of `report_year` state a figure of the period `start`–`end`? Its result (年均, 累计,
    the level reached) once the period is over; its goals from the report of its first year on."""
    actual = report_year > end if early else report_year >= end
    target = start <= report_year <= end
    return actual if kind == "actual" else target if kind == "target" else actual or target
