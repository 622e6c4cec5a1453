"""Question analysis: what is asked, for which region, year and kind.

Slots:
- regions: region names from the index's documents found in the question
  (full name "张店区" or its stem "张店");
- years: explicit years ("2022年", "二〇二二年"), relative years ("去年",
  "今年", "明年", resolved later against each document's own year) and
  five-year-plan periods ("十三五", "过去五年");
- kind: "target" (目标/计划/力争…) or "actual" (完成/实现/实际…) or "";
- asked: number | list | entity | date | yesno | summary | other;
- terms: content words (jieba, stopwords removed) for lexical matching.
The vocabularies below are general to Chinese government documents.
"""

from __future__ import annotations

import re

from ..domain.named_sets import asked_set
from ..domain.periods import (
    FIVE_YEAR_PLANS,
    PAST_FIVE_YEARS,
    RELATIVE_RE,
    RELATIVE_YEARS,
    REPORT_YEAR,
    YEAR_LOOSE,
    plans_in,
    relative_offsets,
    years_in,
)
from ..domain.places import NATIONAL_WORDS, Gazetteer, Mention, known_places
from ..domain.reports import OFFICES
from ..domain.tokenize import STOPWORDS, tag, tokenize, word_spans, words
from ..domain.units import MEASURE_WORDS, UNITS, family_of
from ..domain.vocabulary import (
    ACTUAL_WORDS,
    ALIASES,
    CHANGE_WORDS,
    DATE_ASK,
    ENTITY_ASK,
    GROWTH_WORDS,
    LEVEL_ASK,
    LIST_ASK,
    MONEY_INDICATORS,
    NAME_ASK,
    NEGATED_ASIDE,
    NUMBER_ASK,
    PERCENT_ASK,
    PERSON_ASK,
    PHRASING,
    RANK_ASK,
    SUMMARY_ASK,
    TARGET_WORDS,
    WHICH_ASK,
    YESNO_ASK,
    asked_kind,
    asked_residents,
)
from .model import Question

_ASKED_UNIT = re.compile(
    r"(?:多少|几)\s*((?:万亿|亿|万|千)?(?:" + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True)) + "))"
)
_ASK = re.compile(r"多少|几|百分之几|哪些|哪几|哪个|哪一|哪|什么|怎样|怎么样|如何|是否|有没有|吗|谁")
# Who delivered a report, on which day, at which meeting: answered from the report's title block.
_ABOUT_REPORT = re.compile(
    r"报告.{0,12}(?:谁|哪位|哪天|哪一天|何时|什么时候|哪次会议|什么会议|哪个会议|日期)|(?:谁|哪位).{0,8}(?:作|做|发表|宣读)"
    rf"|(?:{OFFICES}|总理)(?:是谁|叫什么|是哪位)|哪位(?:{OFFICES}|总理)"
)
_ABOUT_ARTICLE = re.compile(r"记者|通讯员|作者|编辑|撰稿|报道")  # who wrote a news story about a report: not its title block
_PLANS = re.compile("“?(?:" + "|".join(FIVE_YEAR_PLANS) + ")”?")
_AFTER_ASK = re.compile(rf"(?:多少|几)(?:万亿|亿|万|千)?{MEASURE_WORDS}?([\u4e00-\u9fff]{{2,10}})[？?。，,]*$")


_WHICH_COUNT = re.compile(rf"哪[二三四五六七八九十两几\d]+(?:{MEASURE_WORDS}|大|方面)")


def _asked(q: str) -> str:
    if any(w in q for w in RANK_ASK):
        return "rank"
    if any(w in q for w in DATE_ASK):
        return "date"
    if any(w in q for w in WHICH_ASK) or _WHICH_COUNT.search(q) or asked_set(q) is not None:
        return "list"
    if any(w in q for w in NUMBER_ASK):
        return "number"
    if any(w in q for w in LIST_ASK):
        return "list"
    if any(w in q for w in PERSON_ASK):
        return "person"
    if any(w in q for w in NAME_ASK):
        return "entity"
    if any(w in q for w in YESNO_ASK):
        return "yesno"
    if any(w in q for w in SUMMARY_ASK):
        return "summary"
    if any(w in q for w in ENTITY_ASK):
        return "entity"
    return "other"


# For names the place data does not hold ("丙河县" in a test, a new district): a name ending in 省/市/区/县
# that opens the question or a part of it and is followed by a year or a particle. Words ending so that
# are not places (general vocabulary):
GENERIC_PLACES = frozenset(
    "全市 全区 全县 全省 本市 本区 本县 城市 城区 市区 园区 社区 小区 景区 片区 辖区 新区 老区 山区 "
    "开发区 高新区 示范区 试验区 先行区 功能区 集聚区 保税区 自贸区 中心城区 主城区 超市 上市 都市 夜市".split()
)
_LEADING_PLACE = re.compile(r"(?:^|[和与及、，,])([\u4e00-\u9fff]{2,3}[省市区县])(?=\d|[的在去今明前上本和与及、，,“])")


def unknown_places(text: str, mentions: list[Mention]) -> list[str]:
    """Names that look like places but that the place data does not hold: a full name ending in 省/市/区/县,
    or — in a question that names no place — the noun it opens with right before a year ("鹭岛2023年", "穗2024年",
    "冰城2023年": a city's nickname, which no report covers; answering it from any city would be a guess)."""
    known = [m.text for m in mentions]
    names = [
        n
        for n in dict.fromkeys(_LEADING_PLACE.findall(text))
        if n not in GENERIC_PLACES and not any(n in k or k in n for k in known)
    ]
    if not mentions and not names:
        lead = _SUBJECT_BEFORE_YEAR.match(text)
        if lead:
            word, flag = tag(lead.group(1))[0] if tag(lead.group(1)) else ("", "")
            if word == lead.group(1) and word not in _NOT_A_SUBJECT and (flag == "ns" or (flag in _NOUNS and len(word) <= 3)):
                names.append(word)
    return names


_SUBJECT_BEFORE_YEAR = re.compile(r"^([\u4e00-\u9fff]{1,4}?)(?=(?:19|20)\d{2}\s*年|今年|去年|前年|明年)")
_NOUNS = ("n", "nz", "j", "ns")
_NOT_A_SUBJECT = frozenset(GENERIC_PLACES | set(NATIONAL_WORDS) | {"本市", "该市", "全州", "我市", "我省", "我区", "我县"})


def _split_places(mentions: list[Mention], g: Gazetteer) -> tuple[list[str], list[str]]:
    """(regions the knowledge base covers, other places) of the mentions. A county-level name no report
    covers, outside the provinces of the covered places the question names, reads as an ordinary word
    ("广东…老城区改造": 老城区 is a district of 洛阳, not what a 广东 question asks about)."""
    regions: list[str] = []
    others: list[tuple[Mention, list]] = []
    for m in mentions:
        covered = [p for p in m.places if g.is_covered(p)]
        if covered:
            regions += [p.name for p in covered if p.name not in regions]
        else:
            others.append((m, list(m.places)))
    provinces = {a.key for r in regions if (p := g.resolve(r)) for a in [p, *g.ancestors(p)] if a.level == "province"}
    out: list[str] = []
    for m, places in others:
        if provinces and all(p.level == "county" for p in places):
            if not any(a.key in provinces for p in places for a in g.ancestors(p)):
                continue
        name = places[0].name if len(places) == 1 else m.text
        if name not in out and name not in regions:
            out.append(name)
    return regions, out


def asked_units(text: str, aliases: dict[str, list[str]]) -> tuple[str, ...]:
    """The unit families a figure question asks; a paraphrased indicator asks in its report wording's unit
    ("经济总量有多大" -> 地区生产总值: money)."""
    return _units(text + " " + " ".join(f for forms in aliases.values() for f in forms))


def _units(text: str) -> tuple[str, ...]:
    m = _ASKED_UNIT.search(text)
    if m:
        return (family_of(m.group(1)),)
    if (any(w in text for w in PERCENT_ASK) or _RATE_ASK.search(text)) and not _NOT_A_RATE.search(text):
        return ("percent",)
    if any(w in text for w in MONEY_INDICATORS) and any(w in text for w in ("多少", "多大", "几")):
        if any(w in text for w in LEVEL_ASK) or not (_MOVED.search(text) or any(w in text for w in TARGET_WORDS)):
            # "经济总量有多大", "进出口总额是多少": the amount, not its growth rate (a target usually is a rate)
            return ("money", "usd")
        return ("money", "usd", "percent")
    return ()


# "全员劳动生产率", "效率": 率 words that are no percentage; words that ask how a figure moved.
_NOT_A_RATE = re.compile(r"生产率|效率")
# "经济增长目标是多少", "增速预期为多少": how much something is to grow is a rate.
_RATE_ASK = re.compile(r"(?:增长|增速|增幅|涨幅)(?:的)?(?:预期)?(?:目标|预期目标)(?:是|为|定为|定在)?(?:多少|几)")
_MOVED = re.compile(rf"{GROWTH_WORDS}|比上年|同比|变化")


# Trimmed off a phrase's ends: change and kind words, comparison words, and measure nouns ("充电桩总数",
# "高新技术企业数量": the report writes "充电桩保有量达到3000个", "高新技术企业…达到1800家").
_EDGE_WORDS = tuple(
    sorted(
        CHANGE_WORDS | set(TARGET_WORDS) | set(ACTUAL_WORDS) | {"比", "高", "低", "的", "数量", "总数", "数目", "个数"},
        key=len,
        reverse=True,
    )
)


def _trim_phrase(phrase: str) -> str:
    """ "城镇调查失业率控制目标" → "城镇调查失业率": change and kind words jieba glued to the phrase's ends."""
    changed = True
    while changed and phrase:
        changed = False
        for w in _EDGE_WORDS:
            if phrase.endswith(w) and len(phrase) > len(w):
                phrase, changed = phrase[: -len(w)], True
            if phrase.startswith(w) and len(phrase) > len(w):
                phrase, changed = phrase[len(w) :], True
    return phrase


def _only_kind_words(term: str, kinds: set[str]) -> bool:
    parts = [t for t in tokenize(term) if t != term]
    return len(term) > 2 and bool(parts) and "".join(p for p in parts if p in kinds) == term


def indicator_phrases(text: str, q: Question) -> list[str]:
    """The indicator a question asks about, as written: runs of adjacent content words once places,
    years, ask, change and kind words are taken out ("河北2024年一般公共预算收入比上年增长了多少" →
    ["一般公共预算收入"]). Most important first: the noun counted after 多少 ("建设了多少风电光伏装机"),
    then the phrases before the ask from the nearest to the first, then those after it."""
    chars = list(text)
    for m in q.mentions:
        chars[m.start : m.end] = " " * (m.end - m.start)
    blanked = "".join(chars)
    for pattern in (YEAR_LOOSE, RELATIVE_RE, _ASK, _PLANS):
        blanked = pattern.sub(lambda m: " " * len(m.group(0)), blanked)
    drop = STOPWORDS | CHANGE_WORDS | set(TARGET_WORDS) | set(ACTUAL_WORDS) | PHRASING | set(UNITS) | _SCOPE_WORDS
    runs: list[list[tuple[int, int]]] = []
    for word, start, end in word_spans(blanked):
        if word.strip() == "" or word in drop or not re.search(r"[\u4e00-\u9fffA-Za-z]", word):
            runs.append([])
            continue
        if runs and runs[-1] and runs[-1][-1][1] == start:
            runs[-1].append((start, end))
        else:
            runs.append([(start, end)])
    ask = (_NUMBER_ASK.search(text) if q.asked == "number" else None) or _ASK.search(text)
    at = ask.start() if ask else len(text)
    spans = [(r[0][0], p) for r in runs if r for p in _split_phrase(blanked[r[0][0] : r[-1][1]])]
    spans = [(start, _with_alias(p, q)) for start, p in spans if len(p) >= 2 and not family_of(p)]  # "万亿元" is a unit
    before = [p for start, p in spans if start < at][::-1]  # nearest the ask first
    after = [p for start, p in spans if start >= at]
    ask_noun = _HOW_MANY_MEASURE.search(text)  # "派了多少名医护人员去…": the noun counted is the indicator
    counted = [p for start, p in spans if ask_noun and start == ask_noun.end()]
    return list(dict.fromkeys(counted + before + after))


_INNER = re.compile("|".join(sorted((w for w in CHANGE_WORDS | set(TARGET_WORDS) if len(w) >= 2), key=len, reverse=True)))


# Words for the whole of the place or the period ("全区", "年度"), and the comparison's "一个": no indicator.
_SCOPE_WORDS = frozenset("全区 全市 全县 全省 全国 年度 全年 当年 一个 较高 较低 更高 更低 最高 最低".split())


_NUMBER_ASK = re.compile(r"多少|几|百分之几|多大|多高|多快|多长")
_HOW_MANY_MEASURE = re.compile(rf"(?:多少|几)(?:万亿|亿|万|千)?{MEASURE_WORDS}?")


def _split_phrase(phrase: str) -> list[str]:
    """Trimmed parts of a phrase, split at the change or kind words inside it — also where jieba glued
    one to a word ("重点项目年度计划投资" → 重点项目年度, 投资), but not inside a word that only starts or
    ends with one ("增加值")."""
    parts, current = [], ""
    for w in words(phrase):
        m = _INNER.fullmatch(w) or _INNER.match(w) or _INNER.search(w)
        inner = m.group(0) if m else ""
        rest = w.replace(inner, "", 1) if inner else w
        if inner and (w == inner or len(rest) >= 2):
            before, _, after = w.partition(inner)
            parts.append(current + before)
            current = after
        else:
            current += w
    parts.append(current)
    return [t for part in parts if (t := _trim_phrase(part)) and t not in _EDGE_WORDS]


def _with_alias(phrase: str, q: Question) -> str:
    """A paraphrase the assistant knows is one phrase, whatever jieba made of it ("经济增速" → 地区生产总值
    增长, not 经济)."""
    return next((k for k in q.aliases if phrase in k and len(k) > len(phrase) and k in q.text), phrase)


def analyse(text: str, places: Gazetteer | list[str] | tuple[str, ...] = ()) -> Question:
    """Read the slots of a question. `places`: the knowledge base's place model, or the names of the
    regions its reports are about."""
    g = places if isinstance(places, Gazetteer) else known_places(tuple(sorted(set(places))))
    q = Question(text=text)
    text = NEGATED_ASIDE.sub("", text)
    q.mentions = g.find(text)
    q.place_text = text
    q.regions, q.other_places = _split_places(q.mentions, g)
    q.other_places += unknown_places(text, q.mentions)
    # "淄博市2024年政府工作报告中…": a year naming a report says which report, not which period is asked
    q.report_years = sorted({int(y) for y in REPORT_YEAR.findall(text)})
    q.years = sorted(years_in(REPORT_YEAR.sub(" ", text), loose=True))
    q.relative = relative_offsets(text)
    q.periods = plans_in(text)
    if any(w in text for w in PAST_FIVE_YEARS):
        q.periods.append("past-five-years")
    q.kind = asked_kind(text)
    q.asked = _asked(text)
    lowered = text.lower()
    q.aliases = {w: forms for w, forms in ALIASES.items() if w in lowered}
    if q.asked == "number":
        q.units = asked_units(text, q.aliases)
    drop = set(RELATIVE_YEARS) | set(TARGET_WORDS) | set(ACTUAL_WORDS) | PHRASING | set(UNITS)
    for m in q.mentions:
        drop.update(tokenize(m.text))
        for p in m.places:
            drop.update(form for form in p.forms)
            drop.update(tokenize(p.name))
    q.terms = [t for t in tokenize(text) if t not in drop and not YEAR_LOOSE.fullmatch(t)]
    kinds = set(TARGET_WORDS) | set(ACTUAL_WORDS) | CHANGE_WORDS
    q.terms = [t for t in q.terms if not _only_kind_words(t, kinds)]  # "控制目标": two kind words, no indicator
    if not q.terms:  # "主要预期目标有哪些": the kind words are the topic
        kinds = set(TARGET_WORDS) | set(ACTUAL_WORDS) | CHANGE_WORDS
        q.terms = [t for t in tokenize(text) if t in kinds]
    q.terms += [w for w in q.aliases if w not in q.terms]
    q.phrases = indicator_phrases(text, q)
    q.named_set = asked_set(text)
    q.residents = asked_residents(q.text)
    noun = _HOW_MANY_MEASURE.search(text)
    q.counted = q.asked == "number" and bool(noun) and any(text.startswith(p, noun.end()) for p in q.phrases)
    q.about_report = (
        q.asked in ("person", "date", "entity") and bool(_ABOUT_REPORT.search(text)) and not _ABOUT_ARTICLE.search(text)
    )
    return q
