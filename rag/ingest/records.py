"""Indicator records: the figures reports state for known indicators, read at ingest.

Every sentence that writes out an indicator (`rag/domain/data/indicators.json`: canonical indicators and their
report wordings, extendable through RAG_INDICATORS) with a figure in its clause yields a record: region,
level, year, kind (target / actual), indicator, measure (the level — an amount, a count, a rate — or its
growth), the value as written ("5.5%左右"), number, unit, qualifier, document, chunk and character span.

It is read with the model that answers questions: the clause of the wording and those that go on with it
(`rag.domain.figures.clause_spans`), the figures and units of `rag.domain.units`, the year and kind as the short
answer reads them (`rag.domain.figures`). A clause that names another place ("临淄区…", "全国…") is that
place's, not the report's: it yields nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from ..domain.figures import change_before, clause_spans, kind_of, level_reached, passage_year, ratios_named
from ..domain.indicators import Indicator, catalogue, pairs
from ..domain.periods import (
    FIVE_YEAR_PLANS,
    RELATIVE_RE,
    RELATIVE_YEARS,
    YEAR_SPAN,
    opens_on_span,
    own_years,
    plan_named,
    years_in,
)
from ..domain.places import Gazetteer, gazetteer
from ..domain.units import figures
from ..domain.vocabulary import GROWTH_WORDS
from ..progress import OnStep, Stage
from ..types import Chunk
from .chunking import split_sentences, unlabelled_reviews

# A total or a rate over several years is no one year's record: a span, 累计, a five-year plan's 期间.
_SEVERAL_YEARS = re.compile(rf"累计|{YEAR_SPAN.pattern}|“?(?:{'|'.join(FIVE_YEAR_PLANS)})”?(?:期间|时期)")
_COORDINATED = re.compile(r"[和、及与]\S{0,12}$")
_ESTIMATE = re.compile(r"预计|初步统计|初步核算")
# Words between an indicator and a percentage that make it the indicator's growth ("地区生产总值增长5.5%").
_GROWTH = re.compile(GROWTH_WORDS)


# Bump when extraction changes: indexes whose records were read otherwise are re-read (`fingerprint`).
RECORDS_VERSION = "8"


def fingerprint(extra: str | None = None) -> str:
    """What the records of an index were read with: the extraction version and the indicator catalogue
    (a user's RAG_INDICATORS included). An index whose records differ gets them read again."""
    body = json.dumps([RECORDS_VERSION, [asdict(i) for i in catalogue(extra)], pairs(extra)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Record:
    region: str
    level: str  # the region's level: national | province | city | county
    year: int | None
    kind: str  # target | actual | ""
    indicator: str  # Indicator.id
    measure: str  # level | growth
    name: str  # display name: 地区生产总值增长
    value: str  # as written: "5.5%左右"
    number: float | None
    unit: str
    qualifier: str  # 左右, 以上, … ("" if none)
    doc: str
    chunk_id: str
    start: int  # span of the value in the chunk's text
    end: int
    period: str = ""  # a five-year plan's average ("十四五": year is the plan's last), "" for one year's figure

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Record:
        return cls(**d)


@dataclass(frozen=True)
class Wording:
    text: str
    members: tuple[tuple[Indicator, bool], ...]  # (indicator, means growth): two for "城乡居民…分别…"
    alone: tuple[Indicator, bool] | None = None  # what a pair wording means without 分别 (None: nothing)
    topics: tuple[str, ...] = ()  # a continued wording: counts only after one of these (`Indicator.continued`)


@lru_cache(maxsize=4)
def _wording_table(indicators: tuple[Indicator, ...], pair_wordings: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Wording]:
    """Every wording, longest first: "单位地区生产总值能耗" before "地区生产总值"."""
    rows = [Wording(w, ((ind, False),), (ind, False)) for ind in indicators for w in ind.wordings]
    rows += [Wording(w, ((ind, True),), (ind, True)) for ind in indicators for w in ind.growth_wordings]
    rows += [
        Wording(w, ((ind, False),), (ind, False), ind.topics + ind.wordings + ind.growth_wordings)
        for ind in indicators
        for w in ind.continued
    ]
    by_id = {ind.id: ind for ind in indicators}
    alone = {w.text: w.alone for w in rows}
    for text, members in pair_wordings:
        if all(m in by_id for m in members):
            rows.append(Wording(text, tuple((by_id[m], False) for m in members), alone.get(text)))
    rows = list({w.text: w for w in rows}.values())  # a pair wording replaces the plain one of that text
    return sorted(rows, key=lambda r: -len(r.text))


# What may stand right before an indicator's wording: the whole place or period, predicates, particles.
# Anything else makes it another indicator ("海洋生产总值", "单位生产总值能耗") or a share ("占地区生产总值的比重").
_LEAD_IN = re.compile(
    r"(?:全[省市区县州盟旗疆藏国年]|全社会|预计|初步预计|实现|完成|其中|今年|去年|力争|确保|努力|带动|推动|时期|期间|以来)$"
)
_OPEN_BEFORE = '，,、；;：:。（(“"年是为的和及与'
_JOINER = re.compile(r"\s*(?:和|、|及|与|以及)\s*")
_RESPECTIVELY = re.compile(r"\s*(?:均|都)?分别")
# Written before a figure, it bounds it: "突破1600亿斤", "不少于26万人", "迈上14万亿元新台阶".
_BOUND_BEFORE = re.compile(r"(?:突破|超过|超|不少于|不低于|不超过|不高于|接近|近|约|迈上|跨上|站上)$")
# a fall written before a rate: "居民消费价格下降0.1%" is -0.1 (not for indicators named by their fall: 能耗降低)
_SHARED_QUALIFIERS = ("左右", "以上", "以内", "以下")
_FALL_BEFORE = re.compile(r"(?:下降|下跌|回落|降低|减少)了?$")
_STEP_AFTER = re.compile(r"(?:新)?台阶")
_EXACT_BEFORE = re.compile(r"[、，,]\s*(?:达到|达|为)$")  # "…突破3万亿元、达3.6万亿元": the level itself


def _stands_alone(sentence: str, start: int) -> bool:
    before = sentence[max(0, start - 8) : start].rstrip()
    while True:
        m = _LEAD_IN.search(before)
        if not m or not m.group(0):
            break
        before = before[: m.start()]
    return not before or before[-1] in _OPEN_BEFORE or not ("\u4e00" <= before[-1] <= "\u9fff")


@dataclass(frozen=True)
class _Occurrence:
    start: int
    end: int
    wording: Wording


def _occurrences(sentence: str, table: list[Wording]) -> list[_Occurrence]:
    """Wordings in the sentence that stand alone (`_stands_alone`), longest first and not overlapping;
    continued wordings after their topic (`_continues`)."""
    taken: list[tuple[int, int]] = []
    out, continued = [], []
    for w in table:
        start = sentence.find(w.text)
        while start >= 0:
            end = start + len(w.text)
            if not any(a < end and start < b for a, b in taken):
                taken.append((start, end))  # (taken even when not alone: "海洋生产总值" is no 生产总值)
                if _stands_alone(sentence, start):
                    (continued if w.topics else out).append(_Occurrence(start, end, w))
            start = sentence.find(w.text, end)
    out += [o for o in continued if _continues(sentence, o, out)]
    return sorted(out, key=lambda o: o.start)


def _continues(sentence: str, o: _Occurrence, others: list[_Occurrence]) -> bool:
    """Is the topic of a continued wording named before it, with no other indicator's wording between?"""
    topic = max((sentence.rfind(t, 0, o.start) for t in o.wording.topics), default=-1)
    if topic < 0:
        return False
    ind = o.wording.members[0][0]
    return not any(topic < x.start < o.start and x.wording.members[0][0] != ind for x in others)


def _other_place(clause: str, chunk: Chunk, g: Gazetteer) -> bool:
    """Does the clause name a place other than the report's own (or one of its own names)?"""
    own = {chunk.meta.region, *(f for p in [g.resolve(chunk.meta.region)] if p for f in p.forms)}
    return any(m.text not in own and m.place.name not in own for m in g.find(clause) if not m.weak)


def _year(before: str, sentence: str, chunk: Chunk) -> int | None:
    named = own_years(before)  # "较2015年下降26.2%": 2015 is the base, not the figure's year
    if named:
        return named[-1]
    relative = RELATIVE_RE.search(sentence)
    if relative and chunk.meta.year:
        return chunk.meta.year + RELATIVE_YEARS[relative.group(0)]
    return passage_year(chunk)


def _kind(sentence: str, chunk: Chunk, year: int | None) -> str:
    """As the short answer reads it; a figure of a year before the report's is a result whatever the words."""
    kind = {"目标": "target", "实际": "actual"}.get(kind_of(sentence, chunk), "")
    if not kind and year and chunk.meta.year and year < chunk.meta.year:
        return "actual"
    if not kind and year and chunk.meta.year and year == chunk.meta.year and _ESTIMATE.search(sentence):
        return "actual"  # "全年预计地区生产总值同比增长7%": the year's estimated result
    return kind


def _respective(sentence: str, occurrences: list[_Occurrence]) -> list[tuple[list[_Occurrence], int]]:
    """Runs of wordings joined by 和/、 (or one pair wording) that 分别 follows: (the run, where 分别 ends)."""
    runs, i = [], 0
    while i < len(occurrences):
        j = i
        while j + 1 < len(occurrences) and _JOINER.fullmatch(sentence[occurrences[j].end : occurrences[j + 1].start]):
            j += 1
        run = occurrences[i : j + 1]
        after = _RESPECTIVELY.match(sentence, run[-1].end)
        if after and sum(len(o.wording.members) for o in run) > 1:
            runs.append((run, after.end()))
        i = j + 1
    return runs


def chunk_records(chunk: Chunk, indicators: tuple[Indicator, ...] | None = None, g: Gazetteer | None = None) -> list[Record]:
    """The records one chunk yields."""
    indicators = indicators or catalogue()
    g = g or gazetteer()
    table = _wording_table(indicators, pairs())
    out: list[Record] = []
    offset = 0
    for sentence in split_sentences(chunk.text):
        at = max(chunk.text.find(sentence, offset), 0)
        offset = at + len(sentence)

        def record(ind: Indicator, measure: str, fs: int, f, shared: str = "", sentence=sentence, at=at) -> Record:
            year = _year(sentence[:fs], sentence, chunk)
            bound = _BOUND_BEFORE.search(sentence[:fs])
            value, qualifier, fe, number = f.text + shared, f.qualifier or shared, fs + len(f.text), f.number
            if bound:
                value, qualifier = bound.group(0) + value, qualifier or bound.group(0)
                step = _STEP_AFTER.match(sentence, fe) if bound.group(0) in ("迈上", "跨上", "站上") else None
                value += step.group(0) if step else ""
            fall = _FALL_BEFORE.search(sentence[:fs]) if f.family == "percent" else None
            if fall and not any(w in ind.name for w in ("降", "减")):
                value, number = fall.group(0) + value, -number
            return Record(
                region=chunk.meta.region, level=chunk.meta.level, year=year, kind=_kind(sentence, chunk, year),
                indicator=ind.id, measure=measure, name=ind.label(measure), value=value, number=number,
                unit=f.unit, qualifier=qualifier, doc=chunk.doc_id, chunk_id=chunk.chunk_id,
                start=at + fs, end=at + fs + len(f.text),
            )  # fmt: skip

        occurrences = _occurrences(sentence, table)
        handled: set[int] = set()
        for run, after in _respective(sentence, occurrences):
            # "城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内": the figures go to the wordings in order
            handled |= {o.start for o in run}
            spans = clause_spans(sentence, [run[0].end])
            a, b = spans[0] if spans else (0, len(sentence))
            if _other_place(sentence[a : run[0].start], chunk, g) or _SEVERAL_YEARS.search(sentence[a:b]):
                continue
            members = [m for o in run for m in o.wording.members]
            found = [f for f in figures(sentence[after:b]) if f.number is not None][: len(members)]
            if len(found) < len(members):
                continue  # fewer figures than names: which is whose is not read
            # "分别控制在5%和3%以内": a qualifier after the last figure holds for every figure without its own
            shared = found[-1].qualifier if found[-1].qualifier in _SHARED_QUALIFIERS else ""
            for (ind, growth_word), f in zip(members, found, strict=True):
                measure = _measure(f.family, f.unit, ind, growth_word, sentence[after : after + f.start])
                if measure is not None:
                    out.append(record(ind, measure, after + f.start, f, "" if f.qualifier else shared))
        for i, o in enumerate(occurrences):
            if o.start in handled or o.wording.alone is None:
                continue
            ind, growth_word = o.wording.alone
            end = o.end
            limit = occurrences[i + 1].start if i + 1 < len(occurrences) else len(sentence)  # up to the next indicator
            for a, b in clause_spans(sentence, [end]):
                if _other_place(sentence[a:end], chunk, g):
                    continue
                if _COORDINATED.search(sentence[a:end]) and "分别" in sentence[end:b]:
                    continue  # "城镇和农村居民人均可支配收入分别增长4.3%和7.1%": which figure is whose is not read here
                taken: dict[str, int] = {}  # measure -> its record's place in `out` (-1: none)
                for f in figures(sentence[end : min(b, limit)]):
                    measure = _measure(f.family, f.unit, ind, growth_word, sentence[end : end + f.start])
                    if measure is None:
                        continue
                    if measure in taken:
                        k = taken[measure]  # "突破3万亿元、达3.6万亿元": the exact level after a bound replaces it
                        if k >= 0 and out[k].qualifier and _EXACT_BEFORE.search(sentence[: end + f.start]):
                            out[k] = record(ind, measure, end + f.start, f)
                        continue
                    before = sentence[: end + f.start]
                    changed = f.family != "percent" and change_before(before)  # ("价格下降0.1%" is the level's sign)
                    if measure == "level" and (changed or _other_ratio(ind, o.wording.text, before)):
                        continue  # "全省共增加2702亿元", "从11.37万亿元提高到…", "人均生产总值7.6万元": not the level
                    if _SEVERAL_YEARS.search(sentence[a : end + f.start]):
                        if measure == "growth" and "年均" in sentence[a : end + f.start]:
                            taken[measure] = -1  # "“十四五”时期地区生产总值年均增长5.7%": the plan's average
                            out += _plan_average(record(ind, measure, end + f.start, f), chunk, sentence[: end + f.start], at)
                        break  # "十三五期间累计完成投资1544亿元": a total over years is no year's figure
                    if over_years(sentence, end + f.start, chunk.text[:at]) and not level_reached(f, sentence[end:b]):
                        break  # "这五年，…城镇新增就业452万人": a total over the years, no year's figure
                    taken[measure] = len(out)  # the nearest figure of each measure
                    out.append(record(ind, measure, end + f.start, f))
    return sorted(out, key=lambda r: r.start)  # report order


def over_years(sentence: str, pos: int, lead: str) -> bool:
    """Does the sentence speak of several years where its figure at `pos` stands: a span word before it in the
    sentence ("人均可支配收入年均增长6%，城镇新增就业超690万人"; a record "创近5年新高" is no span), or a paragraph that
    opens on one ("这五年，…"), and no year named before it (plan averages are read apart, `_plan_average`)?"""
    before = sentence[:pos]
    return not years_in(before) and bool(YEAR_SPAN.search(before) or opens_on_span(lead))


def _other_ratio(ind: Indicator, wording: str, before: str) -> bool:
    """Does the figure's clause name a ratio its indicator is not ("人均生产总值" after 地区生产总值)?"""
    return any(m not in ind.name and m not in wording for m in ratios_named(before))


def _plan_average(r: Record, chunk: Chunk, before: str, at: int) -> list[Record]:
    """A 年均 growth rate as the record of the five-year plan it is about (named in the sentence, its
    section or its paragraph before it), dated the plan's last year: a result once the plan is over when
    the report is delivered, a goal otherwise; [] when no plan is said."""
    year = chunk.meta.year
    plan = plan_named(before, year) or plan_named(" ".join(chunk.section), year) or plan_named(chunk.text[:at], year)
    if not plan:
        return []
    start, end = FIVE_YEAR_PLANS[plan]
    kind = "actual" if year and year > end else "target"
    return [replace(r, year=end, kind=kind, period=plan)]


def _measure(family: str, unit: str, ind: Indicator, growth_word: bool, between: str) -> str | None:
    """Which measure of the indicator a figure gives, or None (another kind of figure: a count of projects
    after 固定资产投资, a share, a change in percentage points of a rate)."""
    if growth_word:
        return "growth" if family == "percent" else None
    if family == "percent" and "百分点" in unit:
        return None  # a change of a rate in percentage points
    if family == "percent" and ind.level != "percent":
        return "growth" if _GROWTH.search(between) else None
    if family == ind.level or (ind.level == "money" and family == "usd"):
        return "level"
    return None


def extract(chunks: list[Chunk], indicators: tuple[Indicator, ...] | None = None, on_step: OnStep | None = None) -> list[Record]:
    """Every record of the chunks (in chunk order); `on_step` counts the chunks read."""
    indicators = indicators or catalogue()
    g = gazetteer()
    stage = Stage("读取指标", len(chunks), on_step) if on_step is not None else None
    out: list[Record] = []
    reviews = unlabelled_reviews(chunks)
    for i, c in enumerate(chunks):
        if c.chunk_id in reviews:  # a review part whose heading names no year
            c = replace(c, period=reviews[c.chunk_id], period_kind="review")
        out += chunk_records(c, indicators, g)
        if stage is not None and (i + 1) % 2000 == 0:
            stage.advance(2000)
    if stage is not None:
        stage.advance(len(chunks) - stage.done)
    return out


class RecordBook:
    """The index's records by (indicator, measure, region), with each document's report year."""

    def __init__(self, records: list[Record], doc_years: dict[str, int | None]):
        self.doc_years = doc_years
        self.by_key: dict[tuple[str, str, str], list[Record]] = defaultdict(list)
        for r in records:
            self.by_key[(r.indicator, r.measure, r.region)].append(r)

    def keys_of(self, region: str) -> list[tuple[str, str]]:
        """The (indicator, measure) pairs the region's records state, in catalogue order."""
        return [(i, m) for (i, m, r) in self.by_key if r == region]

    def of(
        self, indicator: str, measure: str, region: str, kind: str, allows: Callable[[Record], bool], period: str = ""
    ) -> list[Record]:
        """The region's records of an indicator's measure with a year, of `kind` (any kind when ""): one year's
        figures, or with `period` that five-year plan's averages."""
        rs = self.by_key.get((indicator, measure, region), [])
        return [r for r in rs if r.year is not None and r.period == period and (not kind or r.kind == kind) and allows(r)]

    def pick(self, rs: list[Record], year: int) -> Record | None:
        """The record of `year`: a result before a target (when the kind is open), then the report of that
        year (a target in the year's own report, a result in the next year's), the latest, report order."""

        def rank(pair: tuple[int, Record]) -> tuple:
            i, r = pair
            doc_year = self.doc_years.get(r.doc)
            natural = doc_year == (year if r.kind == "target" else year + 1)
            return (r.kind != "actual", r.kind == "", not natural, -(doc_year or 0), i)

        same = [(i, r) for i, r in enumerate(rs) if r.year == year]
        return min(same, key=rank)[1] if same else None
