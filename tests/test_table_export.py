"""Table answers out of the assistant: CSV/XLSX files, the chart, and the briefings that hold both."""

import csv
import warnings

import pytest

from rag.errors import RagError
from rag.export.briefing import BriefingItem, to_docx, to_markdown
from rag.export.tables import ANSWER_COLUMNS, _cjk_font, answer_rows, chart_png, write_table
from rag.pipeline import Assistant

QUESTION = "甲山区和临沂市地区生产总值分别是多少？"


@pytest.fixture
def table_answer(fake_index, fake_embedder):
    answer = Assistant(fake_index, embedder=fake_embedder).ask(QUESTION)
    assert answer.table is not None
    return answer


def test_rows_carry_value_kind_and_quoted_sentence(table_answer):
    rows = answer_rows(table_answer)
    assert [(r["region"], r["year"], r["kind"], r["value"]) for r in rows] == [
        ("甲山区", 2022, "实际", "805亿元"),
        ("临沂市", 2023, "实际", "突破4500亿元"),
    ]
    assert all(r["value"].replace("突破", "") in r["quote"] for r in rows)


def test_csv_opens_as_chinese_and_xlsx_is_readable(table_answer, tmp_path):
    from openpyxl import load_workbook

    rows = answer_rows(table_answer)
    path = write_table(rows, ANSWER_COLUMNS, tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    got = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert got[0]["地区"] == "甲山区" and got[0]["数值"] == "805亿元" and got[1]["数值"] == "突破4500亿元"
    ws = load_workbook(write_table(rows, ANSWER_COLUMNS, tmp_path / "t.xlsx")).active
    assert [c.value for c in ws[1]][:5] == ["地区", "年份", "类型", "指标", "数值"]
    assert ws.cell(2, 1).value == "甲山区" and ws.cell(2, 2).value == 2022 and ws.cell(3, 5).value == "突破4500亿元"


def test_bad_format_and_non_table_are_clear_errors(table_answer, tmp_path, fake_index, fake_embedder):
    with pytest.raises(RagError, match="请用 .csv 或 .xlsx"):
        write_table(answer_rows(table_answer), ANSWER_COLUMNS, tmp_path / "t.pdf")
    plain = Assistant(fake_index, embedder=fake_embedder).ask("甲山区2022年地区生产总值是多少？")
    with pytest.raises(RagError, match="不是表格"):
        answer_rows(plain)


def test_chart_is_a_png_with_chinese_glyphs(table_answer):
    if _cjk_font() is None:
        pytest.skip("no CJK font on this machine: install Debian fonts-noto-cjk")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart_png(table_answer)
    assert png is not None and png.startswith(b"\x89PNG")
    assert not [w for w in caught if "missing from font" in str(w.message)]  # no empty boxes for 甲山区


def test_briefings_hold_the_table_and_its_chart(table_answer, tmp_path):
    import docx

    items = [BriefingItem(QUESTION, table_answer)]
    md = to_markdown(items)
    assert "| 地区 | 年份 | 类型 | 指标 | 数值 | 出处 |" in md
    assert "| 甲山区 | 2022 | 实际 | 地区生产总值 | 805亿元 | [1] |" in md
    assert "](data:image/png;base64," in md
    doc = docx.Document(str(to_docx(items, tmp_path / "b.docx")))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["地区", "年份", "类型", "指标", "数值", "出处"]
    assert [c.text for c in table.rows[2].cells][4:] == ["突破4500亿元", "[2]"]
    assert len(doc.inline_shapes) == 1  # the chart


def test_a_completion_table_charts_target_and_result_side_by_side():
    from rag.types import Answer

    def row(region, kind, value, number, unit="%"):
        return {"region": region, "year": 2025, "kind": kind, "indicator": "地区生产总值增长", "value": value,
                "number": number, "unit": unit, "citation": 1}  # fmt: skip

    rows = [row("江苏省", "target", "5%以上", 5.0), row("江苏省", "actual", "5.3%", 5.3), row("广东省", "target", "5%左右", 5.0)]
    table = {"columns": [], "rows": rows, "indicator": "地区生产总值增长", "kind": "completion", "chart": "bar"}
    answer = Answer("q", "t", False, [], [], table=table)
    png = chart_png(answer)
    assert png is not None and png.startswith(b"\x89PNG")
    mixed = [row("江苏省", "target", "5%以上", 5.0), row("江苏省", "target", "120万人以上", 120.0, "万人")]
    assert chart_png(Answer("q", "t", False, [], [], table={**table, "rows": mixed})) is None  # no common axis
