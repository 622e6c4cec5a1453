import re

from conftest import REPORTS
from fakes import REPORT_A, REPORT_B
from rag.ingest.chunking import MAX_CHARS, chunk_document, heading_kind, split_sentences
from rag.ingest.loading import load_document
from rag.ingest.metadata import extract_metadata
from rag.types import DocMeta, Document


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


def test_a_heading_of_the_reports_own_years_work_is_its_plan():
    from rag.ingest.chunking import section_period

    meta = DocMeta(region="湖南省", year=2026, doc_type="政府工作报告")
    for heading in ("三、关于2026年工作", "二、2026年主要工作建议", "努力做好今年各项工作"):
        assert section_period((heading,), meta)[:2] == (2026, "plan")
    assert section_period(("三、关于2025年工作",), meta)[:2] == (None, "")  # another year's work: not said
    assert section_period(("（二）聚焦民生工作",), meta)[:2] == (None, "")


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


# -- a report's notes: a section of their own, never its figures ------------------------------------

NOTED = (
    "政府工作报告\n各位代表：\n一、2025年工作回顾\n全省地区生产总值增长5.2%。\n"
    "各位代表！让我们团结奋斗，再创佳绩！\n"
    "名词解释\n1.“两重”：是指国家重大战略实施和重点领域安全能力建设。\n"
    "2.“四上”企业：是指规模以上工业、资质等级建筑业等企业，全省共有12000家。\n"
    "3.三个立法权：一般地方性法规制定权等。\n"
)


def test_a_glossary_is_a_section_of_its_own():
    from rag.ingest.chunking import NOTE, NOTES

    chunks = chunk_document(Document("a.txt", NOTED), DocMeta(region="甲省", year=2026))
    notes = [c for c in chunks if c.period_kind == NOTE]
    assert notes and all(c.section == NOTES for c in notes) and "12000家" in "".join(c.text for c in notes)
    assert all("5.2%" not in c.text for c in notes)
    # numbered term notes without a heading after the closing words count too (江西, 海南)
    unheaded = NOTED.replace("名词解释\n", "").replace("1.", "［1］").replace("2.", "［2］").replace("3.", "［3］")
    assert any(c.period_kind == NOTE for c in chunk_document(Document("b.txt", unheaded), DocMeta(region="甲省")))


def test_a_numbered_list_inside_the_report_is_no_glossary():
    inside = NOTED.replace("各位代表！让我们团结奋斗，再创佳绩！\n名词解释\n", "") + "各位代表！让我们团结奋斗！\n"
    chunks = chunk_document(Document("c.txt", inside), DocMeta(region="甲省"))
    assert not any(c.period_kind == "note" for c in chunks)
