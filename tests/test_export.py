"""Briefing export: Markdown and DOCX carry question, answer and cited passages with their sources."""

import dataclasses

import pytest

from rag.export.briefing import BriefingItem, to_docx, to_markdown
from rag.pipeline import Assistant
from rag.types import Answer, Citation


@pytest.fixture
def items(fake_index, fake_embedder):
    bot = Assistant(fake_index, embedder=fake_embedder)
    answered = bot.ask("甲山区2022年地区生产总值是多少？")
    refused = bot.ask("甲山区2022年养老床位有多少张？")
    assert not answered.refused and refused.refused
    return [
        BriefingItem("甲山区2022年地区生产总值是多少？", answered, filters="地区 甲山区"),
        BriefingItem("那养老床位呢？", refused, understood="甲山区2022年养老床位有多少张？"),
    ]


def test_markdown_has_question_answer_and_sources(items):
    md = to_markdown(items)
    c = items[0].answer.citations[0]
    assert "## 问题 1：甲山区2022年地区生产总值是多少？" in md
    assert "筛选条件：地区 甲山区" in md
    assert "805亿元" in md and "[1]" in md
    assert c.chunk.doc_id.replace("_", "\\_") in md and c.chunk.meta.title in md and "第 " in md
    assert "**预计地区生产总值完成805亿元，同比增长3.4%。**" in md  # the quoted sentence is bold
    assert "已理解为：甲山区2022年养老床位有多少张？" in md
    assert "〔未找到答案〕" in md  # refusals are marked


def test_markdown_escapes_document_markup(items):
    c = items[0].answer.citations[0]
    hostile = dataclasses.replace(c.chunk, text=c.chunk.text + "<script>alert(1)</script>**粗体**")
    md = to_markdown([BriefingItem("q", Answer("q", "a[1]", False, [Citation(1, hostile, c.quote)], []))])
    assert "<script>" not in md and "\\<script\\>" in md and "\\*\\*粗体\\*\\*" in md
    assert "a[1]" in md  # answer markers stay readable


def test_docx_has_question_answer_sources_and_highlight(items, tmp_path):
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX

    path = to_docx(items, tmp_path / "out" / "briefing.docx")
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "问题 1：甲山区2022年地区生产总值是多少？" in text and "问题 2：那养老床位呢？" in text
    assert "805亿元" in text and items[0].answer.citations[0].chunk.doc_id in text
    assert "已理解为：甲山区2022年养老床位有多少张？" in text and "〔未找到答案〕" in text
    marked = [r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert "预计地区生产总值完成805亿元，同比增长3.4%。" in marked


def test_docx_survives_control_characters(items, tmp_path):
    c = items[0].answer.citations[0]
    odd = dataclasses.replace(c.chunk, text="前\x0b后" + c.chunk.text)
    item = BriefingItem("q\x01", Answer("q", "a[1]", False, [Citation(1, odd, c.quote)], []))
    assert to_docx([item], tmp_path / "b.docx").stat().st_size > 0


def test_nothing_to_export_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="没有可导出"):
        to_markdown([])
    with pytest.raises(ValueError, match="没有可导出"):
        to_docx([], tmp_path / "x.docx")
