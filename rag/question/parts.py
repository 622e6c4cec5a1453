"""Compound questions become parts answered one by one, each part cited.

- "长者食堂2021年达到多少家？2023年的目标是什么？" -> two questions; a part
  that names no region inherits the region of the first part.
- "张店区2021年和2022年到位省外资金分别是多少？" -> one question per year
  (likewise two regions joined by 和/与/及), when the question asks for each
  ("分别", "各", or a comparison such as "哪个…更高").

Bridge questions name a place by a description ("…与临淄区一同跻身百强区的那个区，
2022年地区生产总值是多少？"): `bridge_question` splits them into the question that
identifies the place ("…的是哪个区？") and the rest, which `fill_bridge` completes
with the place once it is found (`rag.question.read`, `rag.pipeline`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..domain.indicators import catalogue, pairs
from ..domain.periods import TIME, YEAR_TOKEN
from ..domain.places import Gazetteer, known_places
from .model import Bridge, Question
from .reading import analyse

_INTERROGATIVE = re.compile(r"多少|几|什么|哪|谁|何|吗|怎么|如何|是否|有没有")
_YEAR_PAIR = re.compile(rf"({YEAR_TOKEN})(?:和|与|及|、)({YEAR_TOKEN})")
_EACH = re.compile(r"分别|各自|各是|哪个|哪一个|较高|较低|更高|更低|谁高|谁低|谁更|谁的|相比|比较|对比")
_JOIN = re.compile(rf"\s*(?:{YEAR_TOKEN})?\s*(?:和|与|及|、|同)\s*$")
MAX_PARTS = 4


def _place_run(text: str, g: Gazetteer) -> list[tuple[int, int]]:
    """Spans of two or more places joined by 和/与/及/、 ("贵州和云南", "广东、江苏和浙江", "淄博市2023年和
    张店区2022年"), each span with the year written right after its place."""
    mentions = [m for m in g.find(text) if not m.weak]
    best: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for m in mentions:
        year = re.match(rf"\s*{YEAR_TOKEN}", text[m.end :])
        span = (m.start, m.end + (year.end() if year else 0))
        if run and _JOIN.fullmatch(text[run[-1][1] : m.start]):
            run.append(span)
        else:
            run = [span]
        if len(run) > len(best):
            best = list(run)
    if len(best) < 2:
        return []
    if not any(re.search(YEAR_TOKEN, text[a:b]) for a, b in best[:-1]):  # "江西和湖南2025年…": the year is shared
        last = next(m for m in mentions if m.start == best[-1][0])
        best[-1] = (best[-1][0], last.end)
    return best


def _subject(first: str) -> str:
    """What the first part is about: its text before the first year or question word."""
    m = re.search(TIME + "|" + _INTERROGATIVE.pattern, first)
    return first[: m.start()] if m else ""


def _parts(text: str) -> list[str]:
    parts = [p.strip(" ，,；;") for p in re.split(r"[？?]", text) if p.strip(" ，,；;")]
    parts = [p for p in parts if _INTERROGATIVE.search(p)]
    if len(parts) >= 2:
        return parts
    clauses = [c.strip() for c in re.split(r"[，,；;]", text.rstrip("？?")) if c.strip()]
    asking = [c for c in clauses if _INTERROGATIVE.search(c) and re.search(TIME, c)]
    return asking if len(asking) >= 2 and len(asking) == len(clauses) else []


def split_question(
    text: str, places: Gazetteer | list[str] | tuple[str, ...] = (), slots: Callable[[str], Question] | None = None
) -> list[str]:
    """Return the parts of a compound question, or [text] when it is simple. `places`: the knowledge
    base's place model (or the names of its regions); `slots`: how a text is parsed (the reader's memo)."""
    g = places if isinstance(places, Gazetteer) else known_places(tuple(sorted(set(places))))
    slots = slots or (lambda t: analyse(t, g))
    parts = _parts(text)
    if parts:
        subject = _subject(parts[0])
        out = [parts[0] + "？"]
        for p in parts[1:]:
            if _COMPARISON_ONLY.fullmatch(_without_places(p, g)):
                continue  # "…分别增长多少？谁更快？": the figures of the first part answer the comparison
            if subject and not any(not m.weak for m in g.find(p)) and _subject(p) in ("", "又"):
                p = subject + p
            out.append(p + "？")
        return [x for part in out for x in _split_each(part, g, slots)][:MAX_PARTS]
    return _split_each(text, g, slots)


# What is left of a follow-on part that only compares what the first part asked ("湖南和湖北谁更快").
_COMPARISON_ONLY = re.compile(
    r"[和与及、\s]*(?:哪个|哪一个|谁)?(?:的)?(?:更|较|最)?(?:高|低|快|慢|多|少|大|小)(?:一些|些)?[？?]*"
)


def _without_places(text: str, g: Gazetteer) -> str:
    for m in sorted(g.find(text), key=lambda m: -m.start):
        text = text[: m.start] + text[m.end :]
    return text


def _split_each(text: str, g: Gazetteer, slots: Callable[[str], Question]) -> list[str]:
    """One question per year, place or indicator when the question asks for each (分别, 各, 哪个更高…)."""
    if not _EACH.search(text):
        return _figure_pair(text, g, slots) or [text]
    m = _YEAR_PAIR.search(text)
    if m:
        return _single([text[: m.start()] + y + text[m.end() :] for y in (m.group(1), m.group(2))])
    run = _place_run(text, g)
    if run:
        start, end = run[0][0], run[-1][1]
        return _single([text[:start] + text[a:b] + text[end:] for a, b in run[:MAX_PARTS]])
    return _phrase_pair(text, g) or _single(_indicator_pair(text, slots)) or _figure_pair(text, g, slots) or [text]


def _single(parts: list[str]) -> list[str]:
    """Each part asks for one thing: its 分别/各自 goes ("贵州2025年…增长目标分别是多少" → "…增长目标是多少")."""
    return [re.sub(r"分别|各自", "", p) for p in parts]


def _indicator_pair(text: str, slots: Callable[[str], Question]) -> list[str]:
    """ "赤字率和赤字规模分别按多少安排？" → one question per indicator, when two indicator phrases joined by
    和/与/及/、 come right before 分别/各 and a figure is asked (each may be in another unit)."""
    q = slots(text)
    if q.asked != "number":
        return []
    order = q.phrases[::-1]  # as written
    for a, b in zip(order, order[1:], strict=False):
        m = re.search(rf"{re.escape(a)}(和|与|及|、){re.escape(b)}(?=[^，,？?]{{0,3}}(?:分别|各))", text)
        # exactly two complete indicators ("赤字率和赤字规模"), not the end of a list sharing a head noun
        # ("原煤、原油、天然气产量")
        if m and min(len(a), len(b)) >= 3 and not re.search(r"[、和及与]$", text[: m.start()]):
            return [text[: m.start()] + p + text[m.end() :] for p in (a, b)]
    return []


_MEASURES = ("增长率", "增速", "增幅", "增长", "总量", "规模", "总额")  # an indicator's level or growth
_FIGURE_ASK = re.compile(r"(?:分别|各自|各)?(?:是|为|有|(?:增长|增加|下降|达到)了?)?多少[^，,？?]*[？?]?$")


def _figure_pair(text: str, g: Gazetteer, slots: Callable[[str], Question]) -> list[str]:
    """Two figures asked at once, joined by 和/与/及 right after the place and year: one question each.
    "四川2024年GDP总量和增速是多少？" (one indicator's level and growth: the second takes the first's name) →
    "…GDP总量是多少？", "…GDP增速是多少？"; "黑龙江2024年地区生产总值增速和城镇新增就业各是多少？" → one question
    per indicator (without 分别/各, only two indicators of the catalogue: "地区生产总值和一般公共预算收入是多少")."""
    ask = _FIGURE_ASK.search(text)
    if not ask or slots(text).asked != "number":
        return []
    body = text[: ask.start()]
    opened = [m.end for m in g.find(body) if not m.weak] + [m.end() for m in re.finditer(TIME, body)]
    start = max(opened, default=0)
    stretch = body[start:]
    joins = list(re.finditer(r"和|与|及", stretch))
    if len(joins) != 1 or "、" in stretch:
        return []
    a, b = stretch[: joins[0].start()], stretch[joins[0].end() :]
    if len(a.lstrip("的")) < 2 or len(b) < 2:
        return []
    if b in _MEASURES:  # "GDP总量和增速": the growth of the same indicator
        b = next((a[: -len(m)] for m in _MEASURES if a.endswith(m) and len(a) > len(m)), a).lstrip("的") + b
    elif min(len(a.lstrip("的")), len(b)) < 3 or any(stretch in w for w, _ in pairs()):
        return []  # "城镇和农村居民人均可支配收入": one pair wording, answered together
    elif not re.match(r"分别|各", ask.group(0)) and not _two_indicators(a, b):
        return []  # "做生意的公司和个体户一共有多少": one figure of two kinds of things
    rest = re.sub(r"^(?:分别|各自|各)", "", ask.group(0))
    return [text[:start] + part + rest for part in (a, b)]


def _two_indicators(a: str, b: str) -> bool:
    """Do `a` and `b` name two different indicators of the catalogue ("地区生产总值", "一般公共预算收入")?"""

    def ids(text: str) -> set[str]:
        return {i.id for i in catalogue() for w in i.wordings + i.growth_wordings if w in text}

    return bool(ids(a)) and bool(ids(b)) and not ids(a) & ids(b)


def _phrase_pair(text: str, g: Gazetteer) -> list[str]:
    """Split "临淄区2020年技改投资增速和张店区2023年技改投资增长目标分别是多少？" -> one question
    per phrase: two phrases, each opening with a place or a time, joined before 分别."""
    m = re.search(r"分别|各自|各是", text)
    if not m:
        return []
    head, rest = text[: m.start()], text[m.end() :]
    names = {m.text for m in g.find(head) if not m.weak}
    opener = "|".join([re.escape(r) for r in sorted(names, key=len, reverse=True)] + [TIME])
    for j in re.finditer(r"和|与|及", head):
        left, right = head[: j.start()], head[j.end() :]
        if re.match(rf"(?:{opener})", right) and re.match(rf"(?:{opener})", left) and len(right) >= 4:
            return [left + rest, right + rest]
    return []


# "<description>的那个区，<rest>": a place described instead of named (general question form).
_BRIDGE = re.compile(r"^(?P<clause>.{4,}?)的那个(?P<kind>区|县|市|镇|街道)[，,]\s*(?P<rest>.+)$")


def bridge_question(text: str) -> Bridge | None:
    m = _BRIDGE.match(text.strip())
    if not m or not _INTERROGATIVE.search(m.group("rest")):
        return None
    return Bridge(f"{m.group('clause')}的是哪个{m.group('kind')}？", m.group("kind"), m.group("rest"))
