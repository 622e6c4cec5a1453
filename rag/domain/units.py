"""One table of the units government reports write figures in, and the figures themselves.

A figure is a number, an optional magnitude (万, 亿, 万亿, 千) and a unit, with what reports put around it:
a range ("5.0%—5.5%"), 余/多 ("300余家"), a qualifier after it ("5.5%左右", "45万人以上") or before it
("不低于", "控制在"). `figures(text)` finds them all with their family (money, percent, weight …), so a
question asking "增长多少" (percent) is not answered with "820.1亿斤" (weight), and a unit family test reads
the same everywhere: question analysis, slots, the short answer, LLM verification and the benchmark.
Chinese-numeral figures ("三座", "百分之五点五") are read with `rag.domain.numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import CN_NUMERAL, cn_number
from .periods import YEAR_WORD

# unit -> family. Magnitudes (万/亿/万亿/千) combine with any of them ("820.1亿斤", "13.09万亿元", "45万人").
UNITS: dict[str, str] = {
    **dict.fromkeys("元 亿元 万元 千元".split(), "money"),
    **dict.fromkeys("美元 亿美元 万美元".split(), "usd"),
    **dict.fromkeys(["%", "％", "‰", "个百分点", "百分点", "成"], "percent"),
    **dict.fromkeys("平方米 平方公里 平方千米 亩 公顷".split(), "area"),
    **dict.fromkeys("公里 千米 米".split(), "length"),
    **dict.fromkeys("吨 斤 公斤 千克".split(), "weight"),
    **dict.fromkeys("千瓦时 千瓦".split(), "power"),
    **dict.fromkeys("立方米".split(), "volume"),
    **dict.fromkeys("标箱 标准箱".split(), "containers"),
    **dict.fromkeys("倍".split(), "multiple"),
    **dict.fromkeys("天 小时 分钟 个月 岁".split(), "time"),
    **dict.fromkeys(
        "人次 人 名 户 个 家 项 座 所 条 处 张 台 辆 套 件 次 批 位 床 栋 期 间 类 种 场 起 宗 只 头 株 棵 艘 架 列 对 支 部 门 本 篇 份 颗".split(),
        "count",
    ),
}
DATE_UNITS = ("年", "月", "日", "号")  # a date's parts: not amounts, but a generated "2023年" is checked like a figure
MAGNITUDES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
QUALIFIERS_AFTER = ("左右", "以上", "以内", "以下", "上下", "多", "余")

_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_MAG = "万亿|亿|万|千"
_NUM = r"\d+(?:\.\d+)?"
_APPROX = r"(?:余|多)?"
# number, magnitude and/or unit, then a qualifier; a range "5.0%—5.5%" / "5%-5.5%" / "5%到5.5%" is one figure.
_ONE = rf"(?<![\d.]){_NUM}\s*{_APPROX}(?:(?:{_MAG}){_APPROX}(?:{_UNIT})?|(?:{_UNIT}))"
_RANGE = rf"{_ONE}\s*(?:—|–|-|~|～|至|到)\s*{_ONE}|(?<![\d.]){_NUM}\s*(?:—|–|-|~|～|至|到)\s*{_ONE}"
FIGURE = re.compile(rf"(?P<fig>{_RANGE}|{_ONE}|(?<![\d.]){_NUM}(?![\d.]))(?P<qual>{'|'.join(QUALIFIERS_AFTER)})?")
# The number of a figure, when a magnitude or unit follows (Markdown bold between allowed): what the benchmark rescales.
NUMBER_BEFORE_UNIT = re.compile(rf"(?<![\d.])({_NUM})(?=\s*(?:\*\*)?\s*(?:{_MAG}|{_UNIT}))")
# A number and the magnitude/unit written after it (groups: number, unit): what LLM verification checks.
NUMBER_WITH_UNIT = re.compile(
    rf"(?<![\d.])({_NUM})({_APPROX}(?:(?:{_MAG}){_APPROX}(?:{_UNIT}|{'|'.join(DATE_UNITS)})?|(?:{_UNIT}|{'|'.join(DATE_UNITS)})))?"
)
# A Chinese-numeral figure starts with a digit character (一…九, 两, 十): "亿元" alone is a unit, not a figure.
CN_FIGURE = re.compile(rf"百分之{CN_NUMERAL}+|[〇零一二三四五六七八九十两]{CN_NUMERAL}*(?:{_UNIT})")
_ORDINAL = re.compile(r"届$")
_NAMED_AFTER = re.compile(r"全会|会议|党代会|全体会议")
_SPLIT = re.compile(rf"^(?P<num>{_NUM})\s*(?P<approx>{_APPROX})(?P<mag>(?:{_MAG})?){_APPROX}(?P<unit>(?:{_UNIT})?)")

# Measure words (量词) between a count and its noun: "多少个项目", "几家企业", "哪几类".
MEASURE_WORDS = "(?:个|项|家|座|所|条|名|位|人|户|套|台|辆|张|批|处|件|次|类|种|只|头|艘|架|列|对|支|部|本|份)"


@dataclass(frozen=True)
class Figure:
    text: str  # as written, qualifier included: "5.5%左右", "820.1亿斤", "5.0%—5.5%"
    number: float | None  # the first number as written (5.5, 820.1); None for a bare Chinese numeral it could not read
    unit: str  # magnitude + unit as written: "%", "亿斤", "万人", "" (bare number)
    family: str  # UNITS family of the unit, "" for a bare number
    qualifier: str  # 左右 / 以上 / …, "" if none
    start: int
    end: int


def family_of(unit: str) -> str:
    """The family of a unit as written (magnitudes and 余/多 stripped): "亿斤" → weight, "亿" → count."""
    unit = unit.strip()
    if unit in UNITS:
        return UNITS[unit]
    bare = re.sub(rf"^(?:余|多)?(?:{_MAG})?(?:余|多)?", "", unit)
    if bare in UNITS:
        return UNITS[bare]
    return "count" if unit and not bare else ""  # "300万": a count of something unnamed


# Base units for comparing amounts written in different units ("1993.5万吨" and "398.7亿斤").
_TO_BASE = {"吨": 2000.0, "公斤": 2.0, "千克": 2.0, "斤": 1.0, "平方公里": 1e6, "公顷": 1e4, "亩": 666.67, "平方米": 1.0}


def comparable(a: Figure, b: Figure) -> bool:
    """Are two figures numbers of one kind: one unit family, both rates or both percentage-point changes?"""
    return bool(a.family) and a.family == b.family and ("百分点" in a.unit) == ("百分点" in b.unit)


_FALL_BEFORE = re.compile(r"下降|减少|负增长")


def falls(text: str, f: Figure) -> bool:
    """Is the figure of `text` written as a fall ("下降3%", "减少12万吨")?"""
    return bool(_FALL_BEFORE.search(text[: f.start]))


def signed_base(text: str, f: Figure) -> float | None:
    """The figure's number in base units (`to_base`), below zero for a rate written as a fall ("下降3%")."""
    value = to_base(f.number, f.unit)
    return -value if value is not None and f.family == "percent" and falls(text, f) else value


def to_base(number: float | None, unit: str) -> float | None:
    """A figure's number in its family's base unit (magnitudes applied; weights in 斤, areas in 平方米), so
    "13.09万亿元" and "57761亿元" compare; None when there is no number."""
    if number is None:
        return None
    unit = unit.strip()
    value = number
    for mag, factor in MAGNITUDES.items():
        if unit.startswith(mag) and unit != mag:
            value, unit = value * factor, unit[len(mag) :]
            break
    return value * _TO_BASE.get(unit, 1.0)


def _blank_years(text: str) -> str:
    """Years are dates, not amounts: "2022年" is blanked (same length, offsets kept)."""
    return YEAR_WORD.sub(lambda m: " " * len(m.group(0)), text)


def figures(text: str, chinese: bool = True) -> list[Figure]:
    """Every figure in `text` (years excluded), in order."""
    clean = _blank_years(text).replace("**", "  ")  # Markdown bold ("**145**亿元") is no part of a figure
    out: list[Figure] = []
    for m in FIGURE.finditer(clean):
        written = m.group("fig").strip()
        if not written:
            continue
        head = _SPLIT.match(written)
        number = float(head.group("num")) if head else None
        unit = (head.group("mag") + head.group("unit")) if head else ""
        if re.search(r"(?:—|–|-|~|～|至|到)", written):  # a range: the unit is the last one's
            tail = _SPLIT.match(re.split(r"\s*(?:—|–|-|~|～|至|到)\s*", written)[-1])
            unit = (tail.group("mag") + tail.group("unit")) if tail else unit
        qual = m.group("qual") or ""
        out.append(Figure(m.group(0).strip(), number, unit, family_of(unit), qual, m.start(), m.end()))
    if chinese:
        for m in CN_FIGURE.finditer(clean):
            if any(f.start <= m.start() < f.end for f in out) or _ORDINAL.search(clean[max(0, m.start() - 1) : m.start()]):
                continue
            if _NAMED_AFTER.match(clean[m.end() : m.end() + 3]):
                continue  # "十三届六次全会", "第三次会议": a name, not an amount
            written = m.group(0)
            if written.startswith("百分之"):
                out.append(Figure(written, cn_number(written[3:]), "%", "percent", "", m.start(), m.end()))
            else:
                unit = re.sub(rf"^{CN_NUMERAL}+", "", written)
                out.append(
                    Figure(written, cn_number(written[: len(written) - len(unit)]), unit, family_of(unit), "", m.start(), m.end())
                )
        out.sort(key=lambda f: f.start)
    return out
