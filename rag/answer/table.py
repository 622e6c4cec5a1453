"""Table answers from the indicator records (`rag.ingest.records`): one row per region (and year) with the value as
written, its kind and a citation of its sentence.

A region whose reports do not state the figure for that year and kind gets "报告未给出" (and a region the
knowledge base holds no report of, "知识库无该地区报告") — never a neighbour's figure, another year's or another
kind's. When a region's reports state it more than once, the report of that year comes first (a target in
the year's own report, a result in the next year's), then the latest report, then report order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from ..domain.periods import FIVE_YEAR_PLANS, speaks_of, speaks_of_period
from ..ingest.chunking import split_sentences
from ..ingest.records import Record
from ..question.scope import today_year
from ..question.tables import TableQuery
from ..types import Answer, Chunk, Citation, Hit
from .cells import Cell, fill, fill_completion, fill_overview, verdicts

KIND_NAMES = {"target": "目标", "actual": "实际", "": "—"}
NOT_STATED = "报告未给出"
NO_REPORT = "知识库无该地区报告"
COLUMNS = ["地区", "年份", "类型", "指标", "数值", "出处"]


def _passes(cell: Cell, q: TableQuery) -> bool:
    if cell.value_base is None or q.threshold is None:
        return False
    rel, bound, _ = q.threshold
    v = cell.value_base
    return {">=": v >= bound, ">": v > bound, "<=": v <= bound, "<": v < bound}[rel]


def answer_regions(q: TableQuery, cells: list[Cell]) -> list[str] | None:
    """The regions the lead names: those passing a threshold, the ranking's, the higher of two (both when equal),
    those that met (or missed) their target."""
    if q.completion:
        if q.missed is None:
            return None
        return [r for r, v in verdicts(q, cells).items() if v.met is not None and v.met != q.missed]
    stated = [c for c in cells if c.value_base is not None and c.region in q.candidates]
    if q.ask == "threshold":
        return list(dict.fromkeys(c.region for c in stated if _passes(c, q)))
    if q.ask == "ranking":
        ordered = sorted(stated, key=lambda c: c.value_base, reverse=not q.low_first)
        return list(dict.fromkeys(c.region for c in ordered))[: q.top or len(ordered)]
    if q.ask == "change":
        return [r for r, d in changes(cells).items() if d is not None and (d == q.direction if q.direction else d != 0)]
    if q.ask == "compare":
        if len(stated) != 2:
            return []
        a, b = stated
        if a.value_base == b.value_base:
            return [a.region, b.region]
        return [max(stated, key=lambda c: c.value_base).region]
    return None


def changes(cells: list[Cell]) -> dict[str, int | None]:
    """Region -> how its later year's figure stands to its earlier one's: 1 higher, -1 lower, 0 the same, None when
    either is not stated (as written: the number, units converted; qualifiers as `QUALIFIER_NOTE` says)."""
    by_region: dict[str, list[Cell]] = defaultdict(list)
    for c in cells:
        by_region[c.region].append(c)
    out: dict[str, int | None] = {}
    for region, cs in by_region.items():
        dated = sorted((c for c in cs if c.year is not None), key=lambda c: c.year)
        old, new = (dated[0], dated[-1]) if len(dated) >= 2 else (None, None)
        if old is None or old.value_base is None or new.value_base is None:
            out[region] = None
        else:
            out[region] = (new.value_base > old.value_base) - (new.value_base < old.value_base)
    return out


def _change_lead(head: str, cells: list[Cell], note: str) -> str:
    """ "…。2026年与2025年相比：提高2个（…）；降低8个（…）；持平5个（…）；无法比较16个（…）"."""
    years = sorted({c.year for c in cells if c.year})
    groups: dict[int | None, list[str]] = defaultdict(list)
    for region, d in changes(cells).items():
        groups[d].append(region)
    named = [(1, "提高"), (-1, "降低"), (0, "持平"), (None, "无法比较")]
    told = "；".join(f"{word}{len(groups[k])}个（{'、'.join(groups[k])}）" for k, word in named if groups[k])
    return f"{head}。{years[-1]}年与{years[0]}年相比：{told}（{note}）。" if len(years) >= 2 else f"{head}。"


def _what(q: TableQuery, cells: list[Cell]) -> str:
    years = sorted({c.year for c in cells if c.year})
    span = f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年" if years else ""
    if q.period:
        return f"“{q.period}”时期{q.indicator.name}年均增长{'目标' if q.kind == 'target' else ''}"
    return f"{span}{q.label}{'目标' if q.kind == 'target' else ''}"


def _namer(cells: list[Cell]) -> Callable[[Cell], str]:
    """How the lead names a cell: its region (when the table has several), its year (when several)."""
    several = len({c.year for c in cells if c.year}) > 1
    regions = len({c.region for c in cells}) > 1
    return lambda c: f"{c.region if regions else ''}{f'{c.year}年' if several and c.year else ''}（{c.record.value}）"


def lead(q: TableQuery, cells: list[Cell], chosen: list[str] | None) -> str:
    """The sentence that sums the table up: how many regions state it, the highest and lowest, the answer."""
    if q.completion:
        return completion_lead(q, cells, chosen)
    stated = [c for c in cells if c.record is not None]
    regions = list(dict.fromkeys(c.region for c in cells))
    what = _what(q, cells)
    if len(regions) > 1:
        told = len({c.region for c in stated})
        head = f"{len(regions)}个地区中{told}个的报告给出了{what}"
        if told < len(regions):
            head += f"，{len(regions) - told}个未给出"
    else:
        head = f"{regions[0]}{what}：{len(cells)}个年份中{len(stated)}个有报告数据"
    values = [c for c in stated if c.value_base is not None and c.region in q.candidates]
    _named = _namer(cells)
    if len(regions) > 1 and len({c.year for c in values}) > 1 and q.ask != "change":
        head += "（各地区的数据年份不同，比较时请注意）"
    if q.ask == "change":
        return _change_lead(head, cells, q.note)
    if q.ask == "threshold" and q.threshold:
        names = "、".join(chosen or []) or "无"
        return f"{head}。符合“{q.threshold[2]}”的有：{names}（{q.note}）。"
    if q.ask == "ranking" and chosen:
        ordered = sorted(values, key=lambda c: c.value_base, reverse=not q.low_first)[: len(chosen)]
        order = "由低到高" if q.low_first else "由高到低"
        return f"{head}。{order}：{'、'.join(_named(c) for c in ordered)}（{q.note}）。"
    if q.ask == "compare" and len(values) == 2:
        a, b = sorted(values, key=lambda c: c.value_base, reverse=True)
        if a.value_base == b.value_base:
            return f"{head}。两者相同：{_named(a)}，{_named(b)}（{q.note}）。"
        return f"{head}。{a.region}更高：{_named(a)}，{_named(b)}（{q.note}）。"
    if len(values) >= 2:
        hi = max(values, key=lambda c: c.value_base)
        lo = min(values, key=lambda c: c.value_base)
        if hi.value_base == lo.value_base:
            return f"{head}{'：' if len(regions) > 1 else '；'}数值相同（{'、'.join(_named(c) for c in values)}）。"
        return f"{head}{'：' if len(regions) > 1 else '；'}最高为{_named(hi)}，最低为{_named(lo)}。"
    return head + "。"


def completion_lead(q: TableQuery, cells: list[Cell], chosen: list[str] | None) -> str:
    """ "2025年地区生产总值增长目标完成情况：完成 8 个（…）；未完成 3 个（…）；无法判断 2 个（…）"."""
    judged = verdicts(q, cells)
    years = sorted({c.year for c in cells if c.year})
    what = f"{'、'.join(f'{y}年' for y in years)}{q.label}目标完成情况"
    if q.overview:
        region = q.wants[0].region
        what = f"{region}{years[0] if years else ''}{'年' if years else ''}主要预期目标完成情况（{len(cells) // 2}项）"
    groups = {"完成": [], "未完成": [], "无法判断": []}
    for region, v in judged.items():
        groups["无法判断" if v.met is None else "完成" if v.met else "未完成"].append(region)
    without = [r for r in dict.fromkeys(c.label or c.region for c in cells) if r not in judged]
    parts = [f"{name}{len(rs)}个（{'、'.join(rs)}）" for name, rs in groups.items() if rs]
    if without:
        parts.append(f"报告未给出目标{len(without)}个")
    head = f"{what}：{'；'.join(parts) or '报告均未给出'}"
    if chosen is not None:
        head += f"。{'未达到' if q.missed else '达到'}目标的有：{'、'.join(chosen) or '无'}"
    return head + "。只有目标和实际都是同一口径的数值时才作判断。"


def _short(stated: list[dict], several: bool) -> str:
    """The values alone, each with its region ("北京市：4%左右；上海市：2%"); numbered in row order when the
    table spans several years ("① 7%；② 3.4%": the table says which year each is)."""
    if several:
        return "；".join(f"{chr(0x2460 + i) if i < 20 else i + 1} {row['value']}" for i, row in enumerate(stated))
    return "；".join(f"{row['region']}：{row['value']}" for row in stated)


def quote_of(chunk: Chunk, start: int) -> str:
    """The sentence of `chunk` that holds offset `start`."""
    offset = 0
    for sentence in split_sentences(chunk.text):
        at = chunk.text.find(sentence, offset)
        if at >= 0 and at <= start < at + len(sentence):
            return sentence.strip()
        offset = at + len(sentence) if at >= 0 else offset
    return chunk.text.strip()


def cell_texts(rows: list[dict]) -> list[list[str]]:
    """A table's rows as the text of its COLUMNS: region, year, kind, indicator, the value as written (or why there
    is none), [n]."""
    return [
        [r["region"], str(r.get("year") or "—"), KIND_NAMES.get(r.get("kind") or "", ""), r.get("indicator") or "",
         r.get("value") or r.get("note") or "", f"[{r['citation']}]" if r.get("citation") else "—"]
        for r in rows
    ]  # fmt: skip


def _speaks(c: Cell, reports: dict[str, list[int]], period: str = "") -> bool:
    """Does some report of the cell's region speak of its year (or plan), of its kind (`rag.domain.periods`)?"""
    if period:
        start, end = FIVE_YEAR_PLANS[period]
        return any(speaks_of_period(y, start, end, c.kind) for y in reports.get(c.region, ()))
    return any(speaks_of(y, c.year, c.kind) for y in reports.get(c.region, ()))


def build_answer(
    question: str,
    q: TableQuery,
    cells: list[Cell],
    chunk_of: Callable[[str], Chunk],
    covered: set[str],
    reports: dict[str, list[int]] | None = None,
) -> Answer:
    """The table answer: lead, Markdown table, one citation per cited passage, and the machine-readable table.
    `reports`: each region's report years (a cell no report can speak of says which report is missing)."""
    chosen = answer_regions(q, cells)
    citations: list[Citation] = []
    by_chunk: dict[str, int] = {}
    rows = []
    several = len({c.year for c in cells if c.year}) > 1
    for c in cells:
        r = c.record
        if r is not None and r.chunk_id not in by_chunk:
            chunk = chunk_of(r.chunk_id)
            by_chunk[r.chunk_id] = len(citations) + 1
            citations.append(Citation(len(citations) + 1, chunk, quote_of(chunk, r.start)))
        n = by_chunk.get(r.chunk_id) if r is not None else None
        missing = NOT_STATED if c.region in covered else NO_REPORT
        if r is None and c.region in covered and c.year and reports is not None and not _speaks(c, reports, q.period):
            due = c.year + 1 if c.kind == "actual" else FIVE_YEAR_PLANS[q.period][0] if q.period else c.year
            missing = f"知识库无该地区{due}年报告"
        rows.append(
            {
                "region": c.region,
                "year": c.year,
                "kind": r.kind if r else (c.kind or q.kind),
                "indicator": c.label or q.label,
                "value": r.value if r else None,
                "number": r.number if r else None,
                "unit": r.unit if r else "",
                "qualifier": r.qualifier if r else "",
                "citation": n,
                "doc": r.doc if r else None,
                "note": "" if r else missing,
            }
        )
    summary = lead(q, cells, chosen)
    table_md = "\n".join(
        [f"| {' | '.join(COLUMNS)} |", "|" + "---|" * len(COLUMNS), *("| " + " | ".join(r) + " |" for r in cell_texts(rows))]
    )
    stated = [row for row in rows if row["value"]]
    answer = Answer(
        question=question,
        text=f"{summary}\n\n{table_md}",
        refused=False,
        citations=citations,
        retrieved=[Hit(cit.chunk, 1.0) for cit in citations],
        short=_short(stated, several),
        headline=summary,
    )
    answer.table = {
        "columns": COLUMNS,
        "rows": rows,
        "indicator": q.label,
        "kind": "completion" if q.completion else q.kind,
        "ask": "completion" if q.completion else q.ask,
        "answer_regions": chosen,
        "chart": "line" if _series(cells) else "bar",
        "note": q.note,
    }
    return answer


def _series(cells: list[Cell]) -> bool:
    """A line chart (one line per region across years) when some region states several years and the
    regions are few enough to tell apart; bars otherwise."""
    years: dict[str, set] = defaultdict(set)
    for c in cells:
        if c.record is not None and c.year:
            years[c.region].add(c.year)
    return any(len(y) > 1 for y in years.values()) and len({c.region for c in cells}) <= 6


def answer_table(question: str, table: TableQuery | None, retriever, filters=None) -> Answer | None:
    """The table answer to a question across regions or years (`table`: its table ask, as read), or None when
    there is none or no report of any asked region (the ordinary path then refuses by name). The user's
    filters (`rag.retrieval.Filters`) narrow it: only their regions, and figures from their reports and years."""
    q = table
    if q is None:
        return None
    if filters is not None and filters.regions:
        q = replace(q, wants=[w for w in q.wants if w.region in filters.regions])
    covered = set(retriever.regions)
    if not covered & set(q.regions):
        return None  # no report of any asked region: the ordinary path refuses by name
    index = retriever.index

    def chunk_of(chunk_id: str) -> Chunk:
        return index.chunks[index.by_id[chunk_id]]

    def allows(r: Record) -> bool:
        return filters is None or filters.allows(chunk_of(r.chunk_id))

    filler = fill_overview if q.overview else fill_completion if q.completion else fill
    fixed = today_year()  # 今年 of an evaluation written on a given day (`--today`), else each region's latest report
    anchors = {region: fixed or year for region, year in retriever.latest_report_year.items()}
    cells = filler(q, retriever.book, allows, anchors)
    if q.completion and q.threshold and not q.overview:  # the regions whose target passes, each with its result
        passing = {t.region for t in cells[::2] if _passes(t, q)}
        cells = [c for c in cells if c.region in passing]
    return build_answer(question, q, cells, chunk_of, covered, getattr(retriever, "report_years", None))
