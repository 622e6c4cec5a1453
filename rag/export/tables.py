"""Tables out of the assistant: the rows of a table answer or of the indicator records as CSV or Excel
(openpyxl), and the answer's chart as a PNG (matplotlib) for the app and the briefings.

A chart plots what the reports state: one bar per region (a line per region across years), numbers in one
unit (converted where reports differ: 万吨 and 亿斤), each labelled with the value as written ("5.5%左右");
a region whose report does not state the figure has no bar and is named under the chart.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from pathlib import Path

from ..answer.table import KIND_NAMES, NOT_STATED, quote_of
from ..domain.places import short_name
from ..domain.units import to_base
from ..errors import RagError
from ..types import Answer, Chunk

# (key, column title) of an answer's table as exported
ANSWER_COLUMNS = [
    ("region", "地区"), ("year", "年份"), ("kind", "类型"), ("indicator", "指标"), ("value", "数值"), ("number", "数字"),
    ("unit", "单位"), ("citation", "引用"), ("doc", "文档"), ("quote", "原文"),
]  # fmt: skip
# … and of the indicator records (`rag indicators`)
RECORD_COLUMNS = [
    ("region", "地区"), ("level", "级别"), ("year", "年份"), ("kind", "类型"), ("name", "指标"), ("value", "数值"),
    ("number", "数字"), ("unit", "单位"), ("qualifier", "限定"), ("doc", "文档"), ("chunk_id", "段落"), ("quote", "原文"),
]  # fmt: skip
FORMATS = ("csv", "xlsx")


def answer_rows(answer: Answer) -> list[dict]:
    """The rows of a table answer, each with the sentence its citation quotes."""
    if not answer.table:
        raise RagError("这个回答不是表格：只有跨地区或跨年份的比较问题（如“各省2025年经济增长目标”）才能导出表格。")
    quotes = {c.n: c.quote for c in answer.citations}
    rows = []
    for r in answer.table["rows"]:
        row = {**r, "kind": KIND_NAMES.get(r.get("kind") or "", "")}
        row["value"] = r.get("value") or r.get("note") or NOT_STATED
        row["quote"] = quotes.get(r.get("citation"), "")
        rows.append(row)
    return rows


def record_rows(records: list, chunk_of: Callable[[str], Chunk]) -> list[dict]:
    """Indicator records as rows, each with its sentence."""
    from ..domain.places import LEVEL_NAMES

    rows = []
    for r in records:
        row = r.to_dict()
        row["kind"] = KIND_NAMES.get(r.kind, "")
        row["level"] = LEVEL_NAMES.get(r.level, r.level)
        row["quote"] = quote_of(chunk_of(r.chunk_id), r.start)
        rows.append(row)
    return rows


def write_table(rows: list[dict], columns: list[tuple[str, str]], path: str | Path) -> Path:
    """Write rows as CSV (UTF-8 with BOM: Excel opens it as Chinese) or XLSX, by the file's suffix."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise RagError(f"不支持的表格格式“{path.suffix or '（无后缀）'}”：请用 .csv 或 .xlsx 文件名。")
    path.parent.mkdir(parents=True, exist_ok=True)
    values = [[("" if r.get(k) is None else r.get(k)) for k, _ in columns] for r in rows]
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([title for _, title in columns])
            w.writerows(values)
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "表格"
    ws.append([title for _, title in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in values:
        ws.append(row)
    for i, (key, _) in enumerate(columns, 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = 60 if key == "quote" else 16
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


@functools.cache
def _cjk_font() -> str | None:
    """A font with Chinese glyphs that matplotlib can use (None: labels may show as boxes). Fonts installed
    after matplotlib built its font cache are not in it: such files are added by name."""
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in wanted if n in names), None)

    if known() is None:
        for path in font_manager.findSystemFonts():
            if re.search(r"cjk|wqy|sourcehan|simhei|msyh", Path(path).name, re.I):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
    return known()


def _plotted(rows: list[dict]) -> tuple[list[dict], str]:
    """The rows with a number, in one unit (the most common one), and that unit."""
    stated = [r for r in rows if r.get("number") is not None and r.get("value")]
    if not stated:
        return [], ""
    units = [r.get("unit") or "" for r in stated]
    unit = max(set(units), key=units.count)
    scale = to_base(1.0, unit) or 1.0
    out = []
    for r in stated:
        same = (r.get("unit") or "") == unit
        v = r["number"] if same else (to_base(r["number"], r.get("unit") or "") or 0.0) / scale
        out.append({**r, "plot": v})
    return out, unit.replace("％", "%")


def _group_of(row: dict, one_region: bool) -> str:
    """A completion table's bar group: its region, or its indicator when one region's targets are listed."""
    return row.get("indicator") or "" if one_region else short_name(row["region"]) or row["region"]


def _family(row: dict) -> str:
    return "percent" if (row.get("unit") or "").replace("％", "%") in ("%", "") else row.get("unit") or ""


def chart_png(answer: Answer) -> bytes | None:
    """The table answer's chart (bars across regions, lines across years) as PNG bytes; None when nothing
    is stated."""
    table = answer.table or {}
    rows, unit = _plotted(table.get("rows", []))
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    style = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}
    missing = [r["region"] for r in table["rows"] if not r.get("value")]
    years = len({r["year"] for r in rows}) > 1
    labels = [(short_name(r["region"]) or r["region"]) + (f" {r['year']}" if years and r.get("year") else "") for r in rows]
    with plt.rc_context(style):
        if table.get("kind") == "completion":
            one = len({r["region"] for r in table["rows"]}) == 1
            groups = list(dict.fromkeys(_group_of(r, one) for r in table["rows"]))
            if len({_family(r) for r in rows}) > 1:  # one region's targets in several units: no common axis
                plt.close("all")
                return None
            fig, ax = plt.subplots(figsize=(max(5.0, 0.7 * len(groups) + 1.5), 3.8), dpi=110)
            for shift, (kind, name, color) in zip(
                (-0.2, 0.2), (("target", "目标", "#9bb7d4"), ("actual", "实际", "#3a6ea5")), strict=True
            ):
                xs = [i + shift for i, g in enumerate(groups) for r in rows if _group_of(r, one) == g and r.get("kind") == kind]
                got = [r for g in groups for r in rows if _group_of(r, one) == g and r.get("kind") == kind]
                bars = ax.bar(xs, [r["plot"] for r in got], width=0.4, color=color, label=name)
                for bar, r in zip(bars, got, strict=True):
                    ax.annotate(r["value"], (bar.get_x() + bar.get_width() / 2, bar.get_height()), textcoords="offset points",
                                xytext=(0, 2), ha="center", fontsize=7)  # fmt: skip
            ax.set_xticks(range(len(groups)), groups, fontsize=8, rotation=30 if len(groups) > 6 else 0)
            ax.legend(fontsize=8, frameon=False)
            ax.margins(y=0.18)
        elif table.get("chart") == "line":
            fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=110)
            for region in dict.fromkeys(r["region"] for r in rows):
                pts = sorted((r["year"], r["plot"], r["value"]) for r in rows if r["region"] == region)
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=short_name(region) or region)
                for x, y, text in pts:
                    ax.annotate(text, (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
            ax.set_xticks(sorted({r["year"] for r in rows}))
            ax.legend(fontsize=8, frameon=False)
            ax.margins(y=0.18)
        elif len(rows) > 10:  # many regions: horizontal bars, read top to bottom in the table's order
            fig, ax = plt.subplots(figsize=(6.0, 0.26 * len(rows) + 1.2), dpi=110)
            bars = ax.barh(range(len(rows)), [r["plot"] for r in rows], color="#3a6ea5")
            ax.set_yticks(range(len(rows)), labels, fontsize=8)
            ax.invert_yaxis()
            for bar, r in zip(bars, rows, strict=True):
                ax.annotate(r["value"], (bar.get_width(), bar.get_y() + bar.get_height() / 2), textcoords="offset points",
                            xytext=(3, 0), va="center", fontsize=7)  # fmt: skip
            ax.margins(x=0.25)
        else:
            fig, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(rows) + 1.5), 3.8), dpi=110)
            bars = ax.bar(range(len(rows)), [r["plot"] for r in rows], color="#3a6ea5")
            ax.set_xticks(range(len(rows)), labels, fontsize=8)
            for bar, r in zip(bars, rows, strict=True):
                ax.annotate(r["value"], (bar.get_x() + bar.get_width() / 2, bar.get_height()), textcoords="offset points",
                            xytext=(0, 2), ha="center", fontsize=8)  # fmt: skip
            ax.margins(y=0.18)
        kind = {"target": "目标", "actual": "实际", "completion": "目标与实际"}.get(table.get("kind") or "", "")
        ax.set_title(f"{table.get('indicator', '')}{kind}" + (f"（{unit}）" if unit else ""), fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        if missing:
            names = "、".join(short_name(m) or m for m in missing[:12]) + ("等" if len(missing) > 12 else "")
            fig.text(0.01, 0.01, f"报告未给出：{names}", fontsize=7, color="#77767b")
        fig.tight_layout(rect=(0, 0.04 if missing else 0, 1, 1))
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()
