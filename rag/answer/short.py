"""The asked value(s) alone, and the line that leads an answer with them.

`short_answer` reads, from each quoted sentence, what the question asks for: the figure in the
indicator's own clause (with its qualifier: "5.5%左右", "820.1亿斤以上"), the items of an enumeration,
the date, the speaker. `headline` puts it after the region, the year the figure is about and whether it
is a target or a result: "广西壮族自治区 · 2025年 · 目标：5.5%左右". The CLI, the app and the briefing
export lead with the headline, then the quote; `rag eval` scores the short answer strictly.
"""

from __future__ import annotations

import re

from ..domain.figures import kind_of, year_of
from ..domain.named_sets import members
from ..domain.periods import DAY, FIVE_YEAR_PLANS, YEAR_TOKEN, plan_named, years_in
from ..domain.places import region_aliases
from ..domain.tokenize import tag
from ..domain.vocabulary import RANK
from ..question.model import Question
from ..types import Chunk
from .features import around_asked_noun, is_title_block
from .indicator import indicator_head, slot_figures

_DAY = re.compile(rf"(?:{YEAR_TOKEN}\s*)?{DAY}")
_ITEM_SPLIT = re.compile(r"[、；;，,]|和|及|以及")
MAX_ITEM = 24
MAX_TEXT = 60


def _figure(q: Question, sentence: str) -> str:
    """The figure of the asked indicator among its windows' figures (`slot_figures`): the difference for a
    comparison ("比全国高多少"), one written with an asked year ("2023年达到13.09万亿元"), the one right
    after the indicator's head word."""
    found = slot_figures(q, sentence)
    if not found:
        return ""
    if _COMPARES.search(q.text):  # "比全国高多少": the difference, "高于全国0.7个百分点"
        found = [(f, w) for f, w in found if "百分点" in f.unit or _DIFFERENCE.search(w[max(0, f.start - 8) : f.start])] or found
    found = _of_the_asked_place(q, sentence, found) or found
    dated = [(f, w) for f, w in found if set(q.years) & set(years_in(w[: f.start]))]
    return min(dated or found, key=lambda fw: _distance_from_head(q, *fw))[0].text


_CLAUSE_END = re.compile(r"[，,；;。！？]")


def _of_the_asked_place(q: Question, sentence: str, found: list) -> list:
    """In a sentence that gives several places' figures ("全省…增长6%，其中日照市…增长6.5%", "酒泉…达到1042亿元，
    临夏州…跻身500亿元行列"), the figures in the clauses that name the asked place."""
    if q.scope is None:
        return []
    names = [a for p in q.scope.places for a in region_aliases(p.name)]
    out = []
    for f, w in found:
        at = sentence.find(w)
        if at < 0:
            continue
        start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, at + f.start)), default=0)
        if any(n in sentence[start : at + f.start] for n in names):
            out.append((f, w))
    return out


_COMPARES = re.compile(r"比[^，,？?]{1,10}(?:高|低|快|慢|多|少)(?:了)?(?:多少|几)|高出多少|低多少")
_DIFFERENCE = re.compile(r"(?:高于|低于|快于|慢于|高出|低出|超过)[^，,；;。\d]{0,6}$")


def _distance_from_head(q: Question, figure, window: str) -> int:
    """How far a figure follows the nearest mention of the indicator's head word before it ("粮食播种面积
    1.1亿亩、产量825亿斤": 825亿斤 follows 产量); figures with no head before them come last, in order."""
    head = indicator_head(q.phrases[0]) if q.phrases else ""
    i = window.rfind(head, 0, figure.start) if head else -1
    return figure.start - (i + len(head)) if i >= 0 else 10_000 + figure.start


def _items(q: Question, sentence: str) -> str:
    if q.named_set is not None:
        found = members(q.named_set, sentence)
        if found:
            return "、".join(found)
    zone = around_asked_noun(q, sentence)
    lead = re.search(r"[：:](.+)", zone)
    body = lead.group(1) if lead else zone
    quoted = re.findall(r"“([^”]{2,20})”", body)
    if len(quoted) >= 2:
        return "、".join(dict.fromkeys(quoted))
    items = [i.strip(" “”。；") for i in _ITEM_SPLIT.split(body)]
    items = [i for i in items if 2 <= len(i) <= MAX_ITEM]
    return "、".join(dict.fromkeys(items)) if len(items) >= 2 else _trim(sentence)


def _trim(sentence: str) -> str:
    s = sentence.replace("**", "").strip().rstrip("。；;，,")
    return s if len(s) <= MAX_TEXT else s[:MAX_TEXT] + "…"


def value_of(q: Question, sentence: str, chunk: Chunk) -> str:
    """What the question asks for, from one quoted sentence."""
    if q.asked == "number":
        return _figure(q, sentence) or _trim(sentence)
    if q.asked == "rank":
        ranks = [m.group(0) for m in RANK.finditer(sentence)]
        return "、".join(dict.fromkeys(ranks)) if ranks else _trim(sentence)
    if q.asked == "date":
        if is_title_block(chunk) and chunk.meta.date:
            day = _chinese_date(chunk.meta.date)
            return f"{day}，{chunk.meta.meeting}" if chunk.meta.meeting and "会议" in q.text else day
        day = _DAY.search(sentence)
        if day:
            return re.sub(r"\s+", "", day.group(0))
        years = years_in(sentence)
        return f"{years[0]}年" if years else _trim(sentence)
    if q.asked == "person":
        if is_title_block(chunk) and chunk.meta.speaker:
            return chunk.meta.speaker
        names = [w for w, flag in tag(sentence) if flag == "nr" and len(w) >= 2]
        return "、".join(dict.fromkeys(names)) or _trim(sentence)
    if q.asked == "list":
        return _items(q, sentence)
    if q.about_report and "会议" in q.text and is_title_block(chunk) and chunk.meta.meeting:
        return chunk.meta.meeting
    return _trim(sentence)


def _chinese_date(iso: str) -> str:
    """ "2024-03-05" → "2024年3月5日"."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def headline(q: Question, value: str, sentence: str, chunk: Chunk, place: str = "") -> str:
    """ "广西壮族自治区 · 2025年 · 目标：5.5%左右" (the place asked about when a higher level's report
    answers: "临淄区（据淄博市的报告）")."""
    region = chunk.meta.region or ""
    if place and place != region:
        region = f"{place}（据{region}的报告）"
    year = year_of(sentence, chunk)
    plan = next((p for p in q.periods if p in FIVE_YEAR_PLANS), "")
    if not plan and "past-five-years" in q.periods:
        plan = plan_named(sentence, chunk.meta.year) or plan_named("过去五年", chunk.meta.year)
    # a question about a five-year plan is answered for the plan ("“十四五”时期"), not for the year its report dates it
    parts = [region, f"“{plan}”时期" if plan else f"{year}年" if year else ""]
    if q.asked == "number":
        parts.append(kind_of(sentence, chunk))
    label = " · ".join(p for p in parts if p)
    return f"{label}：{value}" if label else value
