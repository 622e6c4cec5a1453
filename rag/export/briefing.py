"""Briefings: one answer or a whole conversation as Markdown or DOCX.

Each item carries the question (as asked and as understood), the filters in
force, the answer, and every cited passage with its source: document title,
region, year, section path, document id and paragraph; the quoted sentence is
highlighted (bold in Markdown, yellow in Word). Document text is data: in
Markdown it is escaped so that no renderer turns it into markup.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..domain.figures import year_of
from ..ingest.chunking import TITLE_SECTION
from ..types import Answer, Citation
from . import official

TITLE = "政府工作报告问答简报"
REFUSAL_MARK = "〔未找到答案〕"
_MD_SPECIAL = re.compile(r"([\\`*_<>#|~\[\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class BriefingItem:
    question: str  # as the user asked it
    answer: Answer
    understood: str = ""  # the standalone question, when a follow-up was rewritten
    filters: str = ""  # the filters in force, in words ("地区：张店区；年份：2022")


def source_facts(c: Citation) -> list[tuple[str, str]]:
    """The facts of a cited passage, labelled: the year its figure is about (when it can tell), the report it is
    from, its region and its section. The report's own year stays with the report: a 2022 figure in the 2023
    report reads 数据年份 2022年 · 报告 张店区政府工作报告（2023年）."""
    meta = c.chunk.meta
    about = year_of(c.quote or c.chunk.text, c.chunk) if c.chunk.section != TITLE_SECTION else None
    report = meta.title or c.chunk.doc_id
    if meta.year and str(meta.year) not in report:
        report += f"（{meta.year}年）"
    facts = [
        ("数据年份", f"{about}年" if about else ""),
        ("报告", report),
        ("地区", meta.region),
        ("章节", section_path(c.chunk)),
    ]
    return [(k, v) for k, v in facts if v]


def section_path(chunk) -> str:
    """The section a passage sits in, for a reader: the title block is not a section."""
    return " > ".join(s for s in chunk.section if (s,) != TITLE_SECTION)


def source_line(c: Citation) -> str:
    """ "数据年份 2022年 · 张店区政府工作报告（2023年） · 张店区 · 2022年政府工作回顾（000_….txt，第 8 段）"."""
    head = " · ".join(f"{k} {v}" if k == "数据年份" else v for k, v in source_facts(c))
    return f"{head}（{c.chunk.doc_id}，第 {c.chunk.paragraph} 段）"


def answer_text(answer: Answer) -> str:
    text = answer.text
    if answer.refused and not text.startswith(REFUSAL_MARK):
        text = REFUSAL_MARK + text
    return text


def split_quote(text: str, quote: str) -> tuple[str, str, str]:
    """(before, quote, after) around the first occurrence of the quote; ("", "", text) if absent."""
    quote = quote.strip()
    at = text.find(quote) if quote else -1
    if at < 0:
        return text, "", ""
    return text[:at], quote, text[at + len(quote) :]


def _md(text: str) -> str:
    """Escape Markdown/HTML syntax in document text."""
    return _MD_SPECIAL.sub(r"\\\1", _CONTROL.sub("", text))


def _md_answer(text: str) -> str:
    """Answer text keeps its [n] markers readable; everything else is escaped."""
    return re.sub(r"\\\[(\d+)\\\]", r"[\1]", _md(text))


def _md_table(answer: Answer) -> list[str]:
    """A table answer in Markdown: its lead, the table (cells escaped, [n] kept) and its chart as an image."""
    import base64

    from ..answer.table import cell_texts
    from .tables import chart_png

    head, rows = answer.table["columns"], cell_texts(answer.table["rows"])
    out = [f"| {' | '.join(head)} |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md_answer(c) for c in row) + " |" for row in rows]
    png = chart_png(answer)
    if png:
        out += ["", f"![{_md(answer.table.get('indicator', ''))}图表](data:image/png;base64,{base64.b64encode(png).decode()})"]
    return out + [""]


def file_name(kind: str, suffix: str) -> str:
    """A download's name in Chinese with today's date: 简报-2026年12月06日.docx."""
    return f"{kind}-{time.strftime('%Y年%m月%d日')}.{suffix}"


def to_markdown(items: list[BriefingItem], title: str = TITLE) -> str:
    if not items:
        raise ValueError("没有可导出的问答：请先提问。")
    out = [f"# {title}", "", f"生成时间：{time.strftime('%Y-%m-%d %H:%M')}　共 {len(items)} 个问题", ""]
    for i, item in enumerate(items, 1):
        out += [f"## 问题 {i}：{_md(item.question)}", ""]
        if item.understood and item.understood != item.question:
            out += [f"已理解为：{_md(item.understood)}", ""]
        if item.filters:
            out += [f"筛选条件：{_md(item.filters)}", ""]
        if item.answer.notice:
            out += [_md(item.answer.notice), ""]
        out += ["**回答**", ""]
        if item.answer.headline and not item.answer.refused:
            out += [f"**{_md(item.answer.headline)}**", ""]
        if item.answer.note:
            out += [f"（{_md(item.answer.note)}）", ""]
        out += _md_table(item.answer) if item.answer.table else [_md_answer(answer_text(item.answer)), ""]
        if item.answer.citations:
            out += ["**引用来源**", ""]
            for c in item.answer.citations:
                before, quote, after = split_quote(c.chunk.text, c.quote)
                passage = _md(before) + (f"**{_md(quote)}**" if quote else "") + _md(after)
                passage = passage.replace("\n", " ")
                out += [f"[{c.n}] {_md(source_line(c))}", "", f"> {passage}", ""]
    return "\n".join(out).rstrip() + "\n"


def _docx_table(doc, answer: Answer, clean) -> None:
    """A table answer in Word: a real table (bold heads) and its chart as a picture."""
    import io

    from docx.shared import Inches

    from ..answer.table import cell_texts
    from .tables import chart_png

    head, rows = answer.table["columns"], cell_texts(answer.table["rows"])
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = clean(text)
    png = chart_png(answer)
    if png:
        doc.add_picture(io.BytesIO(png), width=Inches(6))


def to_docx(items: list[BriefingItem], path: str | Path, title: str = TITLE) -> Path:
    """Write a Word briefing; returns its path."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    if not items:
        raise ValueError("没有可导出的问答：请先提问。")
    clean = lambda s: _CONTROL.sub("", s)  # noqa: E731 - XML forbids control characters
    doc = Document()
    official.apply(doc)
    doc.add_heading(title, level=0)
    doc.add_paragraph(f"生成时间：{time.strftime('%Y-%m-%d %H:%M')}　共 {len(items)} 个问题")
    for i, item in enumerate(items, 1):
        doc.add_heading(clean(f"问题 {i}：{item.question}"), level=1)
        if item.understood and item.understood != item.question:
            doc.add_paragraph(clean(f"已理解为：{item.understood}"))
        if item.filters:
            doc.add_paragraph(clean(f"筛选条件：{item.filters}"))
        if item.answer.notice:
            doc.add_paragraph(clean(item.answer.notice))
        if item.answer.headline and not item.answer.refused:
            lead = doc.add_paragraph()
            lead.add_run(clean(item.answer.headline)).bold = True
        if item.answer.note:
            doc.add_paragraph(clean(f"（{item.answer.note}）"))
        if item.answer.table:
            _docx_table(doc, item.answer, clean)
        else:
            p = doc.add_paragraph()
            p.add_run("回答：").bold = True
            run = p.add_run(clean(answer_text(item.answer)))
            if item.answer.refused:
                run.font.color.rgb = RGBColor(0xB2, 0x4A, 0x00)
        if item.answer.citations:
            doc.add_heading("引用来源", level=2)
        for c in item.answer.citations:
            head = doc.add_paragraph()
            head.add_run(f"[{c.n}] ").bold = True
            meta = head.add_run(clean(source_line(c)))
            meta.font.size = Pt(10.5)  # 五号
            meta.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            before, quote, after = split_quote(c.chunk.text, c.quote)
            body = doc.add_paragraph(style="Quote")
            body.add_run(clean(before))
            if quote:
                mark = body.add_run(clean(quote))
                mark.font.highlight_color = WD_COLOR_INDEX.YELLOW
                mark.bold = True
            body.add_run(clean(after))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
