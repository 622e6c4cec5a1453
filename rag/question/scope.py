"""Which reports may answer a question: the places it names and the years it means, resolved against
the documents of the knowledge base.

- A question naming a place is answered from the reports about that place ("own"), or from a report of a
  place above it whose sentence names it ("higher": 淄博市's report on 临淄区, 甘肃's on 酒泉's 经济总量; the
  answer says so) — a city no report covers is refused by name when no report above states its figure. A
  report named by its year ("2025年国务院政府工作报告") that the knowledge base lacks is refused by name; "淄博市
  2023年报告" is the report that reviews 2023. A report of
  another place — a neighbour, a level below, the country for a province or a province for the country —
  never answers it. A place no report covers, and none above it, is refused by name.
- 今年/去年/明年 count from the latest report of the place asked about ("广东去年" with a 2025 report is
  2024); `RAG_TODAY` (or `--today`) fixes 今年 instead (an evaluation written on a given day). With no
  year at all, the latest report comes first and the answer says which report it is.
- Which report speaks of which year (`rag.domain.periods.speaks_of`): a year's result comes from a report
  delivered after it, its target from the report of that year or its plan period; a question about a
  year or a five-year plan that none of the place's reports can speak of is refused by name and time.
- A question naming no place is not restricted (its answer names the report it quotes).
Retrieval searches only the scope's reports (a mask, like the user's filters), so at thousands of reports
the asked place's passages are not crowded out by the same sentence from thirty other provinces.
"""

from __future__ import annotations

import os
import re

from ..domain.periods import FIVE_YEAR_PLANS, RELATIVE_RE, YEAR_DIGITS, YEAR_TOKEN, speaks_of, speaks_of_period
from ..domain.places import Gazetteer, Mention, Place
from ..domain.vocabulary import PLAN_ASK
from ..types import Chunk, DocMeta
from .model import Question, Report, Scope, report_label


class Catalog:
    """The knowledge base's documents by place (one entry per document)."""

    def __init__(self, firsts: list[Chunk], g: Gazetteer):
        self.g = g
        self.reports: list[Report] = []
        self.by_place: dict[str, list[Report]] = {}  # place key -> its reports (tens of thousands of reports)
        for c in firsts:
            place = (g.by_code.get(c.meta.region_code) if c.meta.region_code else None) or g.resolve(c.meta.region)
            report = Report(c.doc_id, c.meta, place)
            self.reports.append(report)
            if place is not None:
                self.by_place.setdefault(place.key, []).append(report)

    def of(self, place: Place) -> list[Report]:
        return self.by_place.get(place.key, [])

    def above(self, place: Place) -> list[Report]:
        """Reports of the places above `place` (nearest first)."""
        out: list[Report] = []
        for a in self.g.ancestors(place):
            out += self.of(a)
        return out

    def work_report(self, doc_ids: set[str]) -> str | None:
        """Among `doc_ids`, the latest work report (its outline lists the year's areas of work)."""
        reports = [r for r in self.reports if r.doc_id in doc_ids and r.meta.doc_type == "政府工作报告"]
        return max(reports, key=lambda r: (r.meta.year or 0, r.doc_id)).doc_id if reports else None

    @staticmethod
    def latest(reports: list[Report]) -> int | None:
        years = [r.meta.year for r in reports if r.meta.year]
        return max(years) if years else None


_JOINED = re.compile(rf"\s*(?:{YEAR_TOKEN})?\s*(?:和|与|及|、|同)\s*")


def subject_mentions(q: Question, g: Gazetteer) -> list[Mention]:
    """The places a question is about: the first one named and those joined to it ("贵州和云南"); a later
    one inside them is the more specific subject ("淄博市的临淄区"). Other places are context: "张店区
    入选山东省…集群", "临淄派医护人员支援湖北", "山东经济增速比全国高多少" ask about 张店, 临淄, 山东."""
    named = [m for m in q.mentions if not m.weak]
    if not named:
        return []
    # a place with reports of its own comes first ("在杭州亚运会上，淄博运动员…": 淄博)
    start = next((i for i, m in enumerate(named) if any(g.is_covered(p) for p in m.places)), 0)
    subjects = [named[start]]
    for prev, m in zip(named[start:], named[start + 1 :], strict=False):
        if subjects[-1] is prev and _JOINED.fullmatch(q.place_text[prev.end : m.start]):
            subjects.append(m)
    last = subjects[-1]
    after = next((m for m in named if m.start >= last.end), None)
    if after is not None and q.place_text[last.end : after.start] == "的":  # "淄博市的临淄区"
        if any(g.within(p, a) for p in after.places for a in last.places if p.key != a.key):
            subjects[-1] = after
    return subjects


def asked_places(q: Question, g: Gazetteer) -> list[Place]:
    """The places a question asks about (its subject mentions; the covered ones where a name repeats)."""
    out: list[Place] = []
    for m in subject_mentions(q, g):
        covered = [p for p in m.places if g.is_covered(p)]
        for p in covered or m.places[:1]:
            if p.key not in {x.key for x in out}:
                out.append(p)
    return out


def resolve(q: Question, catalog: Catalog) -> Scope | None:
    """The scope of a question (None when it names no place), and its years made absolute."""
    places = asked_places(q, catalog.g)
    if not places:
        return None
    scope = Scope(places=places)
    for place in places:
        own = catalog.of(place)
        if q.report_years and own:
            named = [r for r in own if r.meta.year in q.report_years]  # "淄博市2024年政府工作报告中…"
            about = [r for r in own if set(r.meta.review_years) & set(q.report_years)]  # "淄博市2023年报告"
            if not named and not about and len(places) == 1:
                # "2025年国务院政府工作报告…" with only the 2024 one: the report asked for is not here
                scope.missing.append(f"{place.name}{'、'.join(f'{y}年' for y in sorted(q.report_years))}")
                continue
            own = named or about or own
        above = catalog.above(place)
        if not own and not above:
            scope.missing.append(place.name)
        scope.own |= {r.doc_id for r in own}
        scope.higher |= {r.doc_id for r in above}
        year = Catalog.latest(own)
        scope.latest |= {r.doc_id for r in own if r.meta.year == year}
        scope.years |= {r.meta.year for r in own if r.meta.year}
    _resolve_years(q, catalog, scope)
    _by_time(q, catalog, scope)
    return scope


def today_year(env: dict | None = None) -> int | None:
    """The year `RAG_TODAY` fixes as 今年 ("2026-12-07" or "2026"), None when unset."""
    m = re.match(rf"\s*({YEAR_DIGITS})", (env if env is not None else os.environ).get("RAG_TODAY", ""))
    return int(m.group(1)) if m else None


def _anchor(own: list[Report]) -> int | None:
    """今年 for a place: RAG_TODAY's year (evaluations written on a given day; `--today`), else the year of the
    place's latest report."""
    fixed = today_year()
    return fixed if fixed is not None else Catalog.latest(own)


def _resolve_years(q: Question, catalog: Catalog, scope: Scope) -> None:
    """今年/去年/明年 against the latest report of the (first) asked place that has one."""
    if not q.relative or q.years:
        return
    for place in scope.places:
        own = catalog.of(place)
        anchor = _anchor(own)
        if anchor is None:
            continue
        q.years = sorted({anchor + off for off in q.relative})
        q.relative = []
        asked = "、".join(f"{y}年" for y in q.years)
        said = "".join(f"“{w}”" for w in dict.fromkeys(RELATIVE_RE.findall(q.text)))  # the words read: “去年”
        report = next((r for r in own if r.meta.year == anchor), None)
        if report is not None:
            scope.note = f"{said}按{place.name}最新的报告（{report.label}）理解为{asked}"
        else:
            scope.note = f"{said}按今年为{anchor}年理解为{asked}（{place.name}没有{anchor}年的报告）"
        return


_KIND_WORD = {"actual": "实际情况", "target": "目标"}


def _early(r: Report) -> bool:
    """A work report is delivered early in its year (it reviews the year before)."""
    return r.meta.doc_type == "政府工作报告"


def _speaking(own: list[Report], q: Question, spans: list[tuple[str, int, int]], kind: str) -> list[Report]:
    """The reports among `own` that can state a figure of the asked years or plans, of `kind`."""
    return [
        r
        for r in own
        if any(speaks_of(r.meta.year, y, kind, _early(r)) for y in q.years)
        or any(speaks_of_period(r.meta.year, a, b, kind, _early(r)) for _, a, b in spans)
    ]


# Words that ask a plan's figure and nothing else ("…增长目标是多少"); 争取/安排/任务 may be loose.
_PLAIN_TARGET = re.compile(r"目标|预期|计划")


def _by_time(q: Question, catalog: Catalog, scope: Scope) -> None:
    """Keep the own reports that can speak of the asked years or five-year plan, of the asked kind (a figure
    asked with no plan word about a time over before 今年 is its result);
    none: the time is missing. A figure's result is physically in a later report; a target word, or a
    result word in a question that asks no figure, may be loose ("争取到的资金", "巩固…成效"): then the
    reports that speak of the time at all are kept and the sentences decide."""
    spans = [(p, *FIVE_YEAR_PLANS[p]) for p in q.periods if p in FIVE_YEAR_PLANS]
    if not (q.years or spans) or q.report_years:
        return
    for place in scope.places:
        own = [r for r in catalog.of(place) if r.doc_id in scope.own and r.meta.year]
        if not own:
            continue

        kind = q.kind
        now = _anchor(own)
        if not kind and q.asked == "number" and not PLAN_ASK.search(q.text) and now is not None:
            if max(q.years + [b for _, _, b in spans]) < now:
                kind = q.kind = "actual"  # a figure of a time over by now, asked with no plan word: its result
        keep = _speaking(own, q, spans, kind)
        loose = kind == "target" and not _PLAIN_TARGET.search(q.text)  # "争取到的资金": 争取 is no target asked
        if kind and not keep and (loose or q.asked != "number"):
            keep = _speaking(own, q, spans, "")  # "争取到的资金", "巩固…成效": a loose kind word; sentences decide
        if keep:
            scope.own -= {r.doc_id for r in own} - {r.doc_id for r in keep}
            continue
        time = "、".join([f"{y}年" for y in q.years] + [f"“{p}”时期" for p, _, _ in spans])
        have = "、".join(r.label for r in sorted(own, key=lambda r: r.meta.year))
        hint = ""
        if kind == "actual" and q.years:
            hint = f"；{q.years[-1]}年的实际情况要看{q.years[-1] + 1}年的报告"
        elif kind == "target" and q.years and not spans:
            hint = f"；{q.years[-1]}年的目标要看{q.years[-1]}年的报告"
        scope.missing_time.append(f"{place.name}已导入的报告只有{have}，没有写到{time}的{_KIND_WORD.get(kind, '情况')}{hint}")


def year_note(q: Question, scope: Scope | None, meta: DocMeta, doc_id: str) -> str:
    """For a question with no year about a place with reports of several years: which report answered."""
    if scope is None or q.years or q.relative or q.periods or len(scope.years) < 2 or scope.role(doc_id) != "own":
        return scope.note if scope is not None else ""
    if doc_id in scope.latest:
        return f"未指明年份，按最新的报告（{report_label(meta)}）作答"
    return f"未指明年份；最新的报告中没有找到，以下据{report_label(meta)}"
