"""What the 导出简报 panel writes: the answers a user ticked as a briefing (Markdown or Word), the latest table
answer as CSV or Excel; files named in Chinese with the date (简报-2026年12月06日.docx)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import RagError
from ..export.briefing import BriefingItem, file_name, to_docx, to_markdown

MAX_LABEL = 40  # characters of a question shown in the list of answers to export


def answered(turns) -> list[BriefingItem]:
    return [t for t in (turns or []) if t.answer is not None]


def choices(turns) -> tuple[list[tuple[str, int]], list[int]]:
    """The answers a briefing can hold, as (label, index), and the ones ticked by default: all but refusals."""
    items = answered(turns)
    out, ticked = [], []
    for i, item in enumerate(items):
        question = item.understood or item.question
        if len(question) > MAX_LABEL:
            question = question[: MAX_LABEL - 1] + "…"
        refused = item.answer.refused
        out.append((f"第 {i + 1} 问：{question}" + ("（未找到答案）" if refused else ""), i))
        if not refused:
            ticked.append(i)
    return out, ticked


def export_file(turns, selected, fmt: str) -> str:
    """Write the briefing of the ticked answers (`selected`: their indices; "all" or "last" for every answer or
    the latest one); returns the file path."""
    items = answered(turns)
    if not items:
        raise RagError("还没有可导出的回答：请先提问。")
    if selected == "all":
        chosen = items
    elif selected == "last":
        chosen = items[-1:]
    else:
        picked = {int(i) for i in (selected or [])}
        chosen = [item for i, item in enumerate(items) if i in picked]
    if not chosen:
        raise RagError("没有勾选要导出的回答：请在“选择要导出的回答”中至少勾选一个。")
    out = Path(tempfile.mkdtemp(prefix="rag-export-")) / file_name("简报", fmt)
    if fmt == "md":
        out.write_text(to_markdown(chosen), encoding="utf-8")
    else:
        to_docx(chosen, out)
    return str(out)


def export_table(turns, fmt: str) -> str:
    """Write the latest table answer of the conversation as CSV or XLSX; returns the file path."""
    from ..export.tables import ANSWER_COLUMNS, answer_rows, write_table

    tables = [t for t in answered(turns) if t.answer.table is not None]
    if not tables:
        raise RagError("还没有表格形式的回答：请先问一个跨地区或跨年份的比较问题，例如“各省2025年经济增长目标是多少？”")
    out = Path(tempfile.mkdtemp(prefix="rag-table-")) / file_name("表格", fmt)
    return str(write_table(answer_rows(tables[-1].answer), ANSWER_COLUMNS, out))
