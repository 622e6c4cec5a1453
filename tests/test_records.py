"""Indicator records read at ingest, and the table metrics' golden numbers."""

import pytest

from rag.domain.indicators import catalogue
from rag.evaluation.tables import evaluate_tables
from rag.ingest.records import chunk_records
from rag.types import Chunk, DocMeta


def _chunk(text: str, period=2025, kind="plan", region="甲省", year=2025) -> Chunk:
    meta = DocMeta(
        region=region, level="province", doc_type="政府工作报告", year=year, review_years=(year - 1,), plan_years=(year,)
    )
    return Chunk("a.docx#p1", "a.docx", text, "", ("目标",), 1, 0, len(text), period, kind, meta)


def _values(text: str, **kw) -> dict:
    return {(r.name, r.year, r.kind): r.value for r in chunk_records(_chunk(text, **kw))}


def test_a_targets_paragraph():
    got = _values(
        "主要预期目标是：地区生产总值增长5.5%左右，一般公共预算收入增长3％左右，城镇新增就业60万人以上，城镇调查失业率5.5%左右，粮食产量稳定在800亿斤以上。"
    )
    assert got == {
        ("地区生产总值增长", 2025, "target"): "5.5%左右",
        ("一般公共预算收入增长", 2025, "target"): "3％左右",
        ("城镇新增就业", 2025, "target"): "60万人以上",
        ("城镇调查失业率", 2025, "target"): "5.5%左右",
        ("粮食产量", 2025, "target"): "800亿斤以上",
    }


def test_a_review_gives_level_and_growth():
    got = _values("全省地区生产总值9.86万亿元、增长5.7%，增速高于全国0.7个百分点。", period=2024, kind="review")
    assert got == {("地区生产总值", 2024, "actual"): "9.86万亿元", ("地区生产总值增长", 2024, "actual"): "5.7%"}


@pytest.mark.parametrize(
    "text",
    [
        "力争海洋生产总值增长6%以上。",  # another indicator with the same words inside
        "单位生产总值能耗下降6.9%。",  # ditto
        "社会物流总费用占地区生产总值的比重下降至14.2%。",  # a share
        "临淄区地区生产总值增长3%。",  # another place's figure in this report
        "“十三五”期间累计完成固定资产投资1544亿元。",  # a total over five years
    ],
)
def test_what_is_not_a_record_of_the_report_s_own_indicator(text):
    got = _values(text, period=2024, kind="review")
    assert ("地区生产总值增长", 2024, "actual") not in got and ("固定资产投资", 2024, "actual") not in got


def test_the_catalogue_is_extendable(tmp_path, monkeypatch):
    extra = tmp_path / "more.json"
    extra.write_text(
        '{"indicators": [{"id": "tea", "name": "茶叶产量", "level": "weight", "wordings": ["茶叶产量"]}]}', encoding="utf-8"
    )
    ids = {i.id for i in catalogue(str(extra))}
    assert "tea" in ids and "gdp" in ids
    assert (
        chunk_records(_chunk("茶叶产量达到2.35万吨。", period=2024, kind="review"), catalogue(str(extra)))[0].value == "2.35万吨"
    )


def test_table_metrics_golden():
    qa = [
        {"id": "1", "question": "q", "type": "table", "ask": "threshold", "expected": {"answer_regions": ["甲省"]}, "rows": [
            {"region": "甲省", "year": 2025, "value": "5.5%左右"},
            {"region": "乙省", "year": 2025, "value": "5％左右"},
            {"region": "丙省", "year": 2025, "value": None},
            {"region": "丁省", "year": 2025, "value": None}]},
    ]  # fmt: skip
    pred = {
        "id": "1",
        "latency_ms": 10,
        "table": {
            "answer_regions": ["甲省"],
            "rows": [
                {"region": "甲省", "year": 2025, "value": "5.5%左右"},  # correct
                {"region": "乙省", "year": 2025, "value": "5%左右"},  # correct (full-width ％ = %)
                {"region": "丙省", "year": 2025, "value": None},  # honest
                {"region": "丁省", "year": 2025, "value": "6%"},  # dishonest: a figure the report does not state
                {"region": "戊省", "year": 2025, "value": "4%"},
            ],
        },
    }  # a region the question does not cover
    # fmt: skip
    m = evaluate_tables(qa, [pred])
    assert m["cell_recall"] == 1.0 and m["cell_precision"] == pytest.approx(2 / 4)
    assert m["absent_honesty"] == 0.5 and m["answer_regions_acc"] == 1.0


@pytest.mark.parametrize(
    ("text", "kw", "expected"),
    [
        # 分别 hands each figure to its own wording; a pair wording splits into urban and rural
        (
            "城乡居民人均可支配收入分别增长4.5%、6.6%。",
            {"period": 2024, "kind": "review"},
            {("城镇居民人均可支配收入增长", 2024, "actual"): "4.5%", ("农村居民人均可支配收入增长", 2024, "actual"): "6.6%"},
        ),
        # a wording continued after a comma: the subject is named once
        (
            "粮食播种面积稳定在9000万亩以上，总产量达到820.1亿斤。",
            {"period": 2024, "kind": "review"},
            {("粮食产量", 2024, "actual"): "820.1亿斤"},
        ),
        # a bound written before the figure stays with it; 预计 in a review is the year's result
        (
            "预计地区生产总值增长6%左右、突破2.6万亿元。",
            {"period": 2024, "kind": "review"},
            {("地区生产总值增长", 2024, "actual"): "6%左右", ("地区生产总值", 2024, "actual"): "突破2.6万亿元"},
        ),
        (
            "经济总量迈上5万亿元新台阶，增长5.4%。",
            {"period": 2024, "kind": "review"},
            {("地区生产总值", 2024, "actual"): "迈上5万亿元新台阶", ("地区生产总值增长", 2024, "actual"): "5.4%"},
        ),
    ],
)
def test_respective_continued_and_bounded_figures(text, kw, expected):
    assert _values(text, **kw) == expected


def test_a_figure_of_several_years_is_no_one_year_s_record():
    got = _values("2021—2024年地区生产总值年均增长6.1%。", period=2024, kind="review")
    assert ("地区生产总值增长", 2024, "actual") not in got


def test_the_fingerprint_follows_the_catalogue(tmp_path):
    from rag.ingest.records import fingerprint

    extra = tmp_path / "more.json"
    extra.write_text(
        '{"indicators": [{"id": "tea", "name": "茶叶产量", "level": "weight", "wordings": ["茶叶产量"]}]}', encoding="utf-8"
    )
    assert fingerprint("") == fingerprint("") != fingerprint(str(extra))


def test_falls_shared_qualifiers_and_leading_bounds():
    got = _values("居民消费价格下降0.1%，单位地区生产总值能耗降低3%，城镇新增就业超143万人。", period=2024, kind="review")
    assert got[("居民消费价格涨幅", 2024, "actual")] == "下降0.1%"
    assert got[("单位地区生产总值能耗降低", 2024, "actual")] == "3%"  # named by its fall: no sign
    assert got[("城镇新增就业", 2024, "actual")] == "超143万人"
    cpi = [r for r in chunk_records(_chunk("居民消费价格下降0.1%。", period=2024, kind="review"))][0]
    assert cpi.number == -0.1
    shared = _values("城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内。")
    assert shared == {("城镇调查失业率", 2025, "target"): "5%以内", ("居民消费价格涨幅", 2025, "target"): "3%以内"}


def test_a_review_part_without_a_year_in_its_heading():
    from rag.ingest.records import extract

    meta = DocMeta(region="甲省", level="province", doc_type="政府工作报告", year=2025)
    part = ("一、牢记嘱托，取得新成效",)
    texts = ["2024年是极不平凡的一年。", "城镇新增就业53.1万人。"]
    chunks = [Chunk(f"a#p{i}", "a", t, "", part, i, 0, len(t), None, "", meta) for i, t in enumerate(texts)]
    assert [(r.year, r.kind, r.value) for r in extract(chunks)] == [(2024, "actual", "53.1万人")]


def test_a_plan_average_is_the_plans_record_not_a_years():
    rs = chunk_records(_chunk("“十四五”时期全省地区生产总值年均增长5.7%。", period=2025, kind="review", year=2026))
    assert [(r.name, r.year, r.kind, r.period, r.value) for r in rs] == [("地区生产总值增长", 2025, "actual", "十四五", "5.7%")]
    goal = chunk_records(_chunk("今后五年，地区生产总值年均增长5%左右。", period=2026, kind="plan", year=2026))
    assert [(r.year, r.kind, r.period) for r in goal] == [(2030, "target", "十五五")]
    assert chunk_records(_chunk("近三年地区生产总值年均增长5%。", period=2025, kind="review", year=2026)) == []


def test_a_change_a_start_a_ratio_or_a_total_over_years_is_no_years_level():
    review = {"period": 2025, "kind": "review", "year": 2026}
    # "从X提高到Y": Y is the level; a change ("增加2702亿元") and another ratio's figure are none
    assert _values("地区生产总值从11.37万亿元提高到14.58万亿元。", **review) == {("地区生产总值", 2025, "actual"): "14.58万亿元"}
    assert _values("全省地区生产总值都有所增加，全省共增加2702亿元。", **review) == {}
    assert _values("全省地区生产总值连跨3个千亿级台阶，2025年人均生产总值提升至7.6万元。", **review) == {}
    # a span word before the figure, or a paragraph that opens on one: a total over the years
    assert _values("人均可支配收入年均增长6%，城镇新增就业超690万人。", **review) == {}
    text = "这五年，民生保障扎实稳固。城镇新增就业452万人。地区生产总值达到4.93万亿元。"
    assert _values(text, **review) == {("地区生产总值", 2025, "actual"): "4.93万亿元"}  # only the level reached
    # a bound, then the level itself: the level
    assert _values("地区生产总值突破3万亿元、达3.6万亿元。", **review) == {("地区生产总值", 2025, "actual"): "3.6万亿元"}
    # one year's figures: "过去一年" is one year, "创近5年新高" the highest in five
    text = "过去一年，全省经济稳中有进。粮食产量615.6亿斤、创近5年新高；规模工业增加值增长7.3%。"
    assert _values(text, **review) == {
        ("粮食产量", 2025, "actual"): "615.6亿斤",
        ("规模以上工业增加值增长", 2025, "actual"): "7.3%",
    }
