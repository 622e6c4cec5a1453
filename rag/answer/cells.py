"""The cells of a table answer, read from the indicator records (`rag.ingest.records`): one per region and year
asked, of one kind (`fill`), a target beside its result (`fill_completion`), one region's targets over its indicators
(`fill_overview`), and the verdict on each target (`verdicts`). A region's years are those asked, counted from its
latest report (去年, 近三年, 今年…比去年), or the latest its reports state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..domain.targets import verdict
from ..domain.units import to_base
from ..ingest.records import Record, RecordBook
from ..question.tables import TableQuery


@dataclass
class Cell:
    region: str
    year: int | None
    record: Record | None
    value_base: float | None = None  # the number in base units, for thresholds and rankings
    kind: str = ""  # the kind asked of this cell (a completion table asks both)
    label: str = ""  # the cell's indicator when the table spans several (one region's targets)

    @classmethod
    def of(cls, region: str, year: int | None, record: Record | None, kind: str, label: str = "") -> Cell:
        """The cell of `record` (None: not stated), its number in base units."""
        return cls(region, year, record, to_base(record.number, record.unit) if record else None, kind, label)


def _years(q: TableQuery, book: RecordBook, found: dict[str, list[Record]], latest_report: dict[str, int]) -> dict:
    """The years asked of each region."""
    every = sorted({r.year for rs in found.values() for r in rs}) if q.every_year else []
    out: dict[str, list[int | None]] = {}
    for w in q.wants:
        if w.years:
            years = list(w.years)
        elif w.offsets and w.region in latest_report:
            years = [latest_report[w.region] + o for o in w.offsets]
        elif w.relative is not None and w.region in latest_report:
            years = [latest_report[w.region] + w.relative]
        elif w.recent and w.region in latest_report:  # a report states its own year's targets, the year before's results
            last = latest_report[w.region] - (q.kind != "target")
            years = list(range(last - w.recent + 1, last + 1))
        elif q.every_year:
            years = every
        else:  # the latest year the region's reports state
            rs = found[w.region]
            years = [max(r.year for r in rs)] if rs else [None]
        out.setdefault(w.region, [])
        out[w.region] += [y for y in years if y not in out[w.region]]
    return out


def fill(q: TableQuery, book: RecordBook, allows: Callable[[Record], bool], latest_report: dict[str, int]) -> list[Cell]:
    """One cell per region and year asked, all of one kind: the one asked, else results when any region's
    reports state one (targets otherwise) — a target is never compared with another region's result."""
    if not q.kind:
        stated = [r for region in q.regions for r in book.of(q.indicator.id, q.measure, region, "", allows, q.period)]
        asked = {y for w in q.wants for y in w.years}
        q.kind = "actual" if any(r.kind == "actual" and (not asked or r.year in asked) for r in stated) else "target"
    found = {region: book.of(q.indicator.id, q.measure, region, q.kind, allows, q.period) for region in q.regions}
    cells = []
    for region, years in _years(q, book, found, latest_report).items():
        for year in years:
            cells.append(Cell.of(region, year, book.pick(found[region], year) if year is not None else None, q.kind))
    return cells


def fill_completion(
    q: TableQuery, book: RecordBook, allows: Callable[[Record], bool], latest_report: dict[str, int]
) -> list[Cell]:
    """A target cell and a result cell for each region and year asked: the target from the report that plans
    the year, the result (of the same year) from the one that reviews it."""
    targets = fill(replace(q, kind="target"), book, allows, latest_report)
    cells = []
    for t in targets:
        results = book.of(q.indicator.id, q.measure, t.region, "actual", allows)
        cells += [t, Cell.of(t.region, t.year, book.pick(results, t.year) if t.year is not None else None, "actual")]
    return cells


def fill_overview(q: TableQuery, book: RecordBook, allows: Callable[[Record], bool], latest_report: dict[str, int]) -> list[Cell]:
    """One region's targets of the year, each indicator's beside its result of that year (`fill_completion`'s
    pairs, one per indicator the region set a target for)."""
    w = q.wants[0]
    year = w.years[0] if w.years else latest_report.get(w.region, 0) + (w.relative or 0) if w.region in latest_report else None
    cells: list[Cell] = []
    for ind, measure in book.keys_of(w.region) if year else []:
        target = book.pick(book.of(ind, measure, w.region, "target", allows), year)
        if target is None or book.doc_years.get(target.doc) != year:
            continue  # the year's targets as its own report sets them
        result = book.pick(book.of(ind, measure, w.region, "actual", allows), year)
        cells += [Cell.of(w.region, year, target, "target", target.name), Cell.of(w.region, year, result, "actual", target.name)]
    return cells


def verdicts(q: TableQuery, cells: list[Cell]) -> dict[str, object]:
    """Region (one region's targets: indicator) -> the verdict on its target and result (`rag.domain.targets.verdict`)."""
    out = {}
    for t, a in zip(cells[::2], cells[1::2], strict=False):
        if t.record is None:
            continue
        out[t.label or t.region] = verdict(t.record.value, a.record.value if a.record else "", t.label or q.label)
    return out
