"""Indicator records: the figures reports state for known indicators, read at ingest.

Every sentence that writes out an indicator (`rag/data/indicators.json`: canonical indicators and their
report wordings, extendable through RAG_INDICATORS) with a figure in its clause yields a record: region,
level, year, kind (target / actual), indicator, measure (the level — an amount, a count, a rate — or its
growth), the value as written ("5.5%左右"), number, unit, qualifier, document, chunk and character span.

It is read with the model that answers questions: the clause of the wording and those that go on with it
(`rag.indicator.clause_spans`), the figures and units of `rag.domain.units`, the year and kind as the short
answer reads them (`rag.short_answer`). A clause that names another place ("临淄区…", "全国…") is that
place's, not the report's: it yields nothing.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from .chunking import split_sentences
from .domain.periods import RELATIVE_RE, RELATIVE_YEARS, years_in
from .domain.places import Gazetteer, gazetteer
from .domain.units import figures
from .indicator import clause_spans
from .short_answer import kind_of
from .types import Chunk

DATA = Path(__file__).with_name("data")
# Words between an indicator and a percentage that make it the indicator's growth ("地区生产总值增长5.5%").
_SEVERAL_YEARS = re.compile(
    r"累计|年均|近[一二三四五六七八九十两\d]+年|[一二三四五六七八九十两\d]+年来|过去[一二三四五\d]年|“?十[一二三四五]五”?期间"
)
_BASE_YEAR = re.compile(r"(?:较|比|与|同)\s*\d{4}\s*年(?:末|底)?")
_GROWTH = re.compile(r"增长|增速|增幅|上涨|涨幅|提高|提升|下降|降低|减少|增加")
MEASURE_NAMES = {"level": "", "growth": "增长"}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str  # 地区生产总值
    level: str  # unit family of the level: money, count, weight, percent …
    wordings: tuple[str, ...]  # how reports write it
    growth_wordings: tuple[str, ...] = ()  # wordings that mean its growth on their own ("经济增长")

    def label(self, measure: str) -> str:
        """ "地区生产总值增长" for the growth, "地区生产总值" for the level."""
        return self.name + ("增长" if measure == "growth" and self.level != "percent" else "")


def _read(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["indicators"]


@lru_cache(maxsize=4)
def catalogue(extra: str | None = None) -> tuple[Indicator, ...]:
    """The built-in indicators, with those of the RAG_INDICATORS file added (same id: replaced)."""
    extra = extra if extra is not None else os.environ.get("RAG_INDICATORS", "")
    entries = {d["id"]: d for d in _read(DATA / "indicators.json")}
    if extra:
        entries.update({d["id"]: d for d in _read(Path(extra))})
    return tuple(
        Indicator(d["id"], d["name"], d["level"], tuple(d["wordings"]), tuple(d.get("growth_wordings", ())))
        for d in entries.values()
    )


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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Record:
        return cls(**d)


def _wording_table(indicators: tuple[Indicator, ...]) -> list[tuple[str, Indicator, bool]]:
    """(wording, indicator, means growth) longest first: "单位地区生产总值能耗" before "地区生产总值"."""
    rows = [(w, ind, False) for ind in indicators for w in ind.wordings]
    rows += [(w, ind, True) for ind in indicators for w in ind.growth_wordings]
    return sorted(rows, key=lambda r: -len(r[0]))


# What may stand right before an indicator's wording: the whole place or period, predicates, particles.
# Anything else makes it another indicator ("海洋生产总值", "单位生产总值能耗") or a share ("占地区生产总值的比重").
_LEAD_IN = re.compile(r"(?:全省|全市|全区|全县|全国|全年|预计|初步预计|实现|完成|其中|今年|去年|力争|确保|努力)$")
_OPEN_BEFORE = '，,、；;：:。（(“"年是为的和及与'


def _stands_alone(sentence: str, start: int) -> bool:
    before = sentence[max(0, start - 8) : start].rstrip()
    while True:
        m = _LEAD_IN.search(before)
        if not m or not m.group(0):
            break
        before = before[: m.start()]
    return not before or before[-1] in _OPEN_BEFORE or not ("\u4e00" <= before[-1] <= "\u9fff")


def _occurrences(sentence: str, table) -> list[tuple[int, int, Indicator, bool]]:
    """Wordings in the sentence that stand alone (`_stands_alone`), longest first and not overlapping."""
    taken: list[tuple[int, int]] = []
    out = []
    for wording, ind, growth in table:
        start = sentence.find(wording)
        while start >= 0:
            end = start + len(wording)
            if not any(a < end and start < b for a, b in taken):
                taken.append((start, end))  # (taken even when not alone: "海洋生产总值" is no 生产总值)
                if _stands_alone(sentence, start):
                    out.append((start, end, ind, growth))
            start = sentence.find(wording, end)
    return sorted(out, key=lambda o: o[0])


def _other_place(clause: str, chunk: Chunk, g: Gazetteer) -> bool:
    """Does the clause name a place other than the report's own (or one of its own names)?"""
    own = {chunk.meta.region, *(f for p in [g.resolve(chunk.meta.region)] if p for f in p.forms)}
    return any(m.text not in own and m.place.name not in own for m in g.find(clause) if not m.weak)


def _year(before: str, sentence: str, chunk: Chunk) -> int | None:
    named = years_in(_BASE_YEAR.sub(" ", before))  # "较2015年下降26.2%": 2015 is the base, not the figure's year
    if named:
        return named[-1]
    relative = RELATIVE_RE.search(sentence)
    if relative and chunk.meta.year:
        return chunk.meta.year + RELATIVE_YEARS[relative.group(0)]
    if chunk.period is not None:
        return chunk.period
    return None if chunk.meta.review_years or chunk.meta.plan_years else chunk.meta.year


def _kind(sentence: str, chunk: Chunk) -> str:
    return {"目标": "target", "实际": "actual"}.get(kind_of(sentence, chunk), "")


def chunk_records(chunk: Chunk, indicators: tuple[Indicator, ...] | None = None, g: Gazetteer | None = None) -> list[Record]:
    """The records one chunk yields."""
    indicators = indicators or catalogue()
    g = g or gazetteer()
    table = _wording_table(indicators)
    out: list[Record] = []
    offset = 0
    for sentence in split_sentences(chunk.text):
        at = chunk.text.find(sentence, offset)
        offset = at + len(sentence) if at >= 0 else offset
        occurrences = _occurrences(sentence, table)
        for i, (_, end, ind, growth_word) in enumerate(occurrences):
            limit = occurrences[i + 1][0] if i + 1 < len(occurrences) else len(sentence)  # up to the next indicator
            for a, b in clause_spans(sentence, [end]):
                if _other_place(sentence[a:end], chunk, g):
                    continue
                taken: set[str] = set()
                if _SEVERAL_YEARS.search(sentence[a : min(b, limit)]):
                    continue  # "十三五期间累计完成投资1544亿元": a total over years is no year's figure
                for f in figures(sentence[end : min(b, limit)]):
                    measure = _measure(f.family, f.unit, ind, growth_word, sentence[end : end + f.start])
                    if measure is None or measure in taken:
                        continue
                    taken.add(measure)  # the nearest figure of each measure
                    fs, fe = end + f.start, end + f.end
                    out.append(
                        Record(
                            region=chunk.meta.region,
                            level=chunk.meta.level,
                            year=_year(sentence[:fs], sentence, chunk),
                            kind=_kind(sentence, chunk),
                            indicator=ind.id,
                            measure=measure,
                            name=ind.label(measure),
                            value=f.text,
                            number=f.number,
                            unit=f.unit,
                            qualifier=f.qualifier,
                            doc=chunk.doc_id,
                            chunk_id=chunk.chunk_id,
                            start=(at if at >= 0 else 0) + fs,
                            end=(at if at >= 0 else 0) + fe,
                        )
                    )
    return out


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


def extract(chunks: list[Chunk], indicators: tuple[Indicator, ...] | None = None) -> list[Record]:
    """Every record of the chunks (in chunk order)."""
    indicators = indicators or catalogue()
    g = gazetteer()
    return [r for c in chunks for r in chunk_records(c, indicators, g)]
