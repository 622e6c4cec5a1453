import re

from conftest import REPORTS
from fakes import REPORT_A, REPORT_B
from rag.ingest.chunking import MAX_CHARS, chunk_document, heading_kind, split_sentences
from rag.ingest.loading import load_document
from rag.ingest.metadata import extract_metadata
from rag.types import Document


def _chunks(text, doc_id="x.txt"):
    doc = Document(doc_id, text)
    return chunk_document(doc, extract_metadata(text))


def _ws(s):
    return re.sub(r"\s", "", s)


def test_sentence_split_keeps_punctuation():
    assert split_sentences("甲。乙；丙！“丁。”戊") == ["甲。", "乙；", "丙！", "“丁。”", "戊"]


def test_heading_kinds():
    assert heading_kind("一、2023年工作回顾") == "numbered"
    assert heading_kind("（一）着力推动经济回升向好") == "paren"
    assert heading_kind("## 产业基础") == "md2"
    assert heading_kind("2022年政府工作回顾") == "plain"
    assert heading_kind("预计地区生产总值完成805亿元，同比增长3.4%。") is None


def test_sections_periods_and_header():
    chunks = _chunks(REPORT_A)
    gdp = next(c for c in chunks if "805亿元" in c.text)
    assert gdp.section == ("2022年政府工作回顾", "经济运行稳中有升")
    assert (gdp.period, gdp.period_kind) == (2022, "review")
    assert "甲山区" in gdp.header and "2022年政府工作回顾" in gdp.header
    assert gdp.header not in gdp.text  # the header is indexed, never quoted
    target = next(c for c in chunks if "6%左右" in c.text)
    assert (target.period, target.period_kind) == (2023, "plan")
    title = chunks[0]
    assert title.section == ("标题",) and "张三" in title.text


def test_relative_year_heading_resolved():
    chunks = _chunks(REPORT_B)
    target = next(c for c in chunks if "5%以上" in c.text)
    assert (target.period, target.period_kind) == (2024, "plan")
    assert "2024年目标任务" in target.header


def test_spans_point_back_to_source():
    for path in sorted(REPORTS.glob("*.txt")):
        doc = load_document(path)
        for c in chunk_document(doc, extract_metadata(doc.text)):
            assert _ws(doc.text[c.start : c.end]) == _ws(c.text), c.chunk_id


def test_long_paragraph_split_with_overlap():
    sentences = [f"第{i}项工作完成投资{i}亿元，带动就业{i}千人。" for i in range(40)]
    chunks = _chunks("标题\n\n" + "".join(sentences) + "\n")
    body = [c for c in chunks if c.section != ("标题",)]
    assert len(body) > 1
    assert all(len(c.text) <= MAX_CHARS for c in body)
    for a, b in zip(body, body[1:], strict=False):
        assert split_sentences(a.text)[-1] == split_sentences(b.text)[0]  # one sentence of overlap
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_page_break_continuation_joined():
    text = (
        "标题\n\n"
        + "这是一段很长的正文，描述了很多工作内容和具体措施，包括推进项目建设和提升城市品质等方面的安排，争创省级示范标\n\n杆，取得新成效。\n"
    )
    body = [c for c in _chunks(text) if c.section != ("标题",)]
    assert len(body) == 1 and "示范标杆，取得新成效。" in body[0].text
