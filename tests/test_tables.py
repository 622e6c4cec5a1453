"""Questions across regions or years answered as tables (rag.question.tables, rag.answer.table): which questions are
tables, and how cells are filled — never a neighbour's figure, another year's or another kind's."""

from types import SimpleNamespace

import pytest

from rag.answer.table import NO_REPORT, NOT_STATED, answer_table
from rag.domain.places import gazetteer, mainland_provinces
from rag.ingest.records import Record, RecordBook
from rag.question.tables import table_query
from rag.retrieval import Filters
from rag.types import Chunk, DocMeta

G = gazetteer()
PROVINCES = [p.name for p in mainland_provinces(G)]


def q(text):
    return table_query(text, G, PROVINCES)


def test_all_provinces_mean_the_31_of_the_mainland():
    t = q("各省2025年地区生产总值增长目标是多少？")
    assert len(t.regions) == 31 and "香港特别行政区" not in t.regions and "台湾省" not in t.regions
    assert (t.indicator.id, t.measure, t.kind, t.ask) == ("gdp", "growth", "target", "list")
    assert all(w.years == (2025,) for w in t.wants)


@pytest.mark.parametrize(
    "text, members",
    [
        ("长三角三省一市2025年经济增长目标对比", ["上海市", "江苏省", "浙江省", "安徽省"]),
        ("东北三省2024年地区生产总值分别增长了多少？", ["辽宁省", "吉林省", "黑龙江省"]),
        ("西部12省区市2025年一般公共预算收入增长目标分别是多少？", 12),  # digits for 十二
        ("长江经济带各省市2024年居民人均可支配收入增长了多少？", 11),  # 各省 inside a group is the group's
        ("西部地区哪些省份2025年地区生产总值增长目标达到6%及以上？", 12),
        ("中部六个省2024年粮食产量", 6),  # counted with 个
        ("31个省份2024年的GDP实际增长了多少？请逐一列出。", 31),  # an instruction after the question
    ],
)
def test_groups_name_their_members(text, members):
    regions = q(text).regions
    assert (len(regions) == members) if isinstance(members, int) else regions == members


def test_each_clause_pairs_its_places_with_its_years():
    t = q("国务院2024年政府工作报告定的经济增长目标是多少？广东2025年的目标又是多少？")
    # "2024年…政府工作报告" names the report: the country is asked for its latest target, 广东 for 2025's
    assert [(w.region, w.years) for w in t.wants] == [("全国", ()), ("广东省", (2025,))]
    t = q("全国2024年城镇新增就业目标是多少？江苏、广东、山东、河南2025年的目标分别是多少？")
    assert [(w.region, w.years) for w in t.wants][:2] == [("全国", (2024,)), ("江苏省", (2025,))]


def test_thresholds_rankings_and_comparisons():
    t = q("哪些省份2025年经济增长目标在5.5%及以上？")
    assert t.ask == "threshold" and t.threshold[:2] == (">=", 5.5)
    assert q("31个省份里，2025年GDP增长目标定在5%以下的是哪个？").threshold[:2] == ("<", 5.0)
    t = q("2023年全国居民人均可支配收入增长6.1%，2024年哪些省份居民人均可支配收入增速达到或超过这个水平？")
    assert t.threshold[:2] == (">=", 6.1) and "全国" not in t.candidates and len(t.candidates) == 31
    t = q("2024年经济增速最低的三个省份是哪些？")
    assert (t.ask, t.top, t.low_first, t.kind) == ("ranking", 3, True, "actual")
    t = q("2025年城镇新增就业目标在100万人及以上的省份有哪些？")
    assert t.threshold[:2] == (">=", 1e6)  # 100万人, compared in 人
    t = q("湖南和湖北2024年经济增速谁高？")
    assert (t.ask, t.regions) == ("compare", ["湖南省", "湖北省"])


@pytest.mark.parametrize(
    "text",
    [
        "张店区2022年地区生产总值是多少？",  # one place, one year
        "山东2024年经济增速比全国高多少？",  # a difference the report states
        "张店区2022年固定资产投资实际增长了多少（不是2023年的目标）？",  # the aside names no second year
        "2024年国务院政府工作报告中，2025年全国经济增长预期目标是多少？",  # 2024 names the report
        "淄博市2023年民生支出占一般公共预算支出的比重，和临淄区2020年民生支出占财政支出的比重分别是多少？",  # shares
        "各省的三大先导产业是什么？",  # no indicator of the catalogue
        "“十四五”末各省人均地区生产总值是多少？",  # a ratio of a catalogue indicator, not the indicator
    ],
)
def test_ordinary_questions_are_not_tables(text):
    assert q(text) is None


# -- filling the cells -------------------------------------------------------------------------------------


def _kb(rows):
    """A retriever-like view over records written as (region, year, kind, indicator, measure, value, number, unit,
    doc year): one chunk per record, its text the figure's sentence."""
    chunks, records, doc_years = [], [], {}
    for i, (region, year, kind, ind, measure, value, number, unit, doc_year) in enumerate(rows):
        doc = f"{doc_year}年{region}政府工作报告.docx"
        doc_years[doc] = doc_year
        text = f"{'地区生产总值' if ind == 'gdp' else '粮食产量'}{'增长' if measure == 'growth' else ''}{value}。"
        meta = DocMeta(region=region, level="province", doc_type="政府工作报告", year=doc_year)
        chunk = Chunk(f"{doc}#p{i}", doc, text, "", ("回顾",), i, 0, len(text), year, "review", meta)
        chunks.append(chunk)
        name = {"gdp": "地区生产总值", "grain": "粮食产量"}[ind] + ("增长" if measure == "growth" else "")
        start = text.index(value)
        records.append(
            Record(region, "province", year, kind, ind, measure, name, value, number, unit, "", doc, chunk.chunk_id, start, start + len(value))
        )  # fmt: skip
    index = SimpleNamespace(chunks=chunks, by_id={c.chunk_id: i for i, c in enumerate(chunks)})
    latest = {}
    for c in chunks:
        latest[c.meta.region] = max(latest.get(c.meta.region, 0), c.meta.year)
    regions = sorted({c.meta.region for c in chunks}) + ["河南省"]  # 河南: a report that states none of these
    return SimpleNamespace(
        places=G,
        provinces=PROVINCES,
        regions=regions,
        index=index,
        book=RecordBook(records, doc_years),
        latest_report_year=latest,
    )


KB = [
    ("湖南省", 2024, "actual", "gdp", "growth", "4.8%", 4.8, "%", 2025),
    ("湖北省", 2024, "actual", "gdp", "growth", "5.8％", 5.8, "％", 2025),
    ("湖北省", 2025, "target", "gdp", "growth", "6％左右", 6.0, "％", 2025),
    ("江西省", 2025, "target", "gdp", "growth", "5%左右", 5.0, "%", 2025),  # a target only
    ("福建省", 2025, "target", "gdp", "growth", "5.0%—5.5%", 5.0, "%", 2025),
    ("安徽省", 2025, "target", "gdp", "growth", "5.5%以上", 5.5, "%", 2025),
    ("云南省", 2024, "actual", "grain", "level", "1993.5万吨", 1993.5, "万吨", 2025),
    ("河南省", 2024, "actual", "grain", "level", "1344亿斤", 1344.0, "亿斤", 2025),
    ("山东省", 2024, "actual", "grain", "level", "1142亿斤", 1142.0, "亿斤", 2025),
]


# Two regions' 2025 results, as their 2026 reports state them.
RESULTS_2025 = [
    ("湖北省", 2025, "actual", "gdp", "growth", "5.6％", 5.6, "％", 2026),
    ("安徽省", 2025, "actual", "gdp", "growth", "5.2%", 5.2, "%", 2026),
]


def _rows(answer):
    return {(r["region"], r["year"]): r for r in answer.table["rows"]}


def test_a_region_that_does_not_state_it_gets_not_stated_never_another_year_or_kind():
    a = answer_table("江西和湖北2024年经济增速谁高？", q("江西和湖北2024年经济增速谁高？"), _kb(KB))
    rows = _rows(a)
    assert rows[("湖北省", 2024)]["value"] == "5.8％" and rows[("湖北省", 2024)]["citation"] == 1
    # 江西 states only its 2025 target: no 2024 result, and the target is not put in its place
    assert rows[("江西省", 2024)]["value"] is None and rows[("江西省", 2024)]["note"] == NOT_STATED
    assert a.table["answer_regions"] == [] and "报告未给出" in a.text
    assert [c.quote for c in a.citations] == ["地区生产总值增长5.8％。"]


def test_comparison_names_the_higher_and_cites_both():
    a = answer_table("湖南和湖北2024年经济增速谁高？", q("湖南和湖北2024年经济增速谁高？"), _kb(KB))
    assert a.table["answer_regions"] == ["湖北省"] and a.table["ask"] == "compare"
    assert "湖北省更高" in a.headline and len(a.citations) == 2
    assert a.to_prediction()["table"]["rows"][0]["region"] == "湖南省"


def test_threshold_counts_a_range_by_its_lower_bound_and_says_so():
    a = answer_table("哪些省份2025年经济增长目标在5.5%及以上？", q("哪些省份2025年经济增长目标在5.5%及以上？"), _kb(KB))
    assert set(a.table["answer_regions"]) == {"安徽省", "湖北省"}  # 福建 5.0%—5.5% counts as 5.0
    assert "区间按下限计" in a.headline
    rows = _rows(a)
    assert rows[("河南省", 2025)]["note"] == NOT_STATED and rows[("北京市", 2025)]["note"] == NO_REPORT


def test_ranking_converts_units():
    a = answer_table("2024年粮食产量最高的两个省份是哪些？", q("2024年粮食产量最高的两个省份是哪些？"), _kb(KB))
    # 1993.5万吨 = 398.7亿斤: 河南 1344亿斤, 山东 1142亿斤, then 云南
    assert a.table["answer_regions"] == ["河南省", "山东省"]


def test_an_open_kind_is_one_kind_for_every_row():
    a = answer_table("湖北和江西2025年地区生产总值增长", q("湖北和江西2025年地区生产总值增长"), _kb(KB))
    assert {r["kind"] for r in a.table["rows"]} == {"target"}
    a = answer_table("湖北和江西2024年地区生产总值增长", q("湖北和江西2024年地区生产总值增长"), _kb(KB))
    assert {r["kind"] for r in a.table["rows"]} == {"actual"} and _rows(a)[("江西省", 2024)]["value"] is None


def test_no_year_asks_each_region_for_its_latest_and_filters_narrow_the_table():
    a = answer_table("湖南和湖北地区生产总值增长目标分别是多少？", q("湖南和湖北地区生产总值增长目标分别是多少？"), _kb(KB))
    assert set(_rows(a)) == {("湖南省", None), ("湖北省", 2025)}
    a = answer_table("湖南和湖北2024年经济增速谁高？", q("湖南和湖北2024年经济增速谁高？"), _kb(KB), Filters(regions=("湖北省",)))
    assert [r["region"] for r in a.table["rows"]] == ["湖北省"]


def test_a_span_of_years_gives_one_row_per_year_counted_back_from_the_latest_report(monkeypatch):
    from rag.domain.periods import recent_count, year_range

    assert year_range("2024—2026年") == [2024, 2025, 2026] and year_range("2021年至2025年")[-1] == 2025
    assert year_range("从2020年到2025年提高到了多少") == []  # a change between two ends, not each year
    assert recent_count("近三年") == 3 and recent_count("最近2年") == 2
    assert recent_count("近三年年均增长") == 0 and recent_count("三年来") == 0
    rows = KB + RESULTS_2025[:1]
    text = "湖北近三年地区生产总值增长"
    monkeypatch.delenv("RAG_TODAY", raising=False)
    a = answer_table(text, q(text), _kb(rows))  # results of the three years before the latest (2026) report
    assert [r["year"] for r in a.table["rows"]] == [2023, 2024, 2025] and a.table["chart"] == "line"
    assert _rows(a)[("湖北省", 2023)]["value"] is None and _rows(a)[("湖北省", 2025)]["value"] == "5.6％"
    text = "湖北2024—2026年地区生产总值增长目标"
    a = answer_table(text, q(text), _kb(rows))
    assert [r["year"] for r in a.table["rows"]] == [2024, 2025, 2026]
    monkeypatch.setenv("RAG_TODAY", "2027-01-10")  # 今年 fixed: the last results are 2026's
    text = "湖南近两年地区生产总值增长"
    assert [r["year"] for r in answer_table(text, q(text), _kb(rows)).table["rows"]] == [2025, 2026]


def test_a_change_between_two_years_names_the_regions_that_moved_the_asked_way(monkeypatch):
    rows = KB + [
        ("湖北省", 2026, "target", "gdp", "growth", "5.5％左右", 5.5, "％", 2026),  # lowered from 6％左右
        ("江西省", 2026, "target", "gdp", "growth", "5%左右", 5.0, "%", 2026),  # kept
        ("安徽省", 2026, "target", "gdp", "growth", "6%", 6.0, "%", 2026),  # raised from 5.5%以上
    ]
    monkeypatch.setenv("RAG_TODAY", "2026-12-07")
    text = "哪些省份今年的地区生产总值增长目标比去年下调了？"
    ask = q(text)
    assert (ask.ask, ask.direction) == ("change", -1)
    a = answer_table(text, ask, _kb(rows))
    assert a.table["answer_regions"] == ["湖北省"]
    assert "2026年与2025年相比：提高1个（安徽省）；降低1个（湖北省）；持平1个（江西省）" in a.text
    text = "湖北、江西和安徽2025年与2026年地区生产总值增长目标对比"  # no direction: the regions that changed
    assert set(answer_table(text, q(text), _kb(rows)).table["answer_regions"]) == {"湖北省", "安徽省"}


def test_no_report_of_any_asked_region_is_no_table():
    assert answer_table("北京和天津2024年经济增速谁高？", q("北京和天津2024年经济增速谁高？"), _kb(KB)) is None


def test_a_province_s_cities_are_the_cities_it_has_reports_of():
    from rag.domain.places import known_places

    g = known_places(("徐州市", "常州市", "天门市", "武汉市", "杭州市", "江苏省"))
    ask = table_query("江苏各市2024年地区生产总值增长目标分别是多少？", g, PROVINCES)
    assert ask is not None and ask.regions == ["徐州市", "常州市"]  # not 江苏省 itself, not all provinces ("各地")
    assert table_query("湖北各地市2024年GDP增长目标是多少？", g, PROVINCES).regions == ["武汉市", "天门市"]
    every = table_query("各地级市2024年地区生产总值增长目标是多少？", g, PROVINCES)
    assert set(every.regions) == {"徐州市", "常州市", "天门市", "武汉市", "杭州市"}


def test_a_completion_table_pairs_each_target_with_its_result_and_judges_only_comparable_ones():
    rows = KB + RESULTS_2025
    kb = _kb(rows)
    kb.report_years = {"湖北省": [2025, 2026], "安徽省": [2025, 2026], "江西省": [2025]}
    text = "湖北、安徽和江西2025年经济增长目标完成情况"
    t = q(text)
    assert t.completion and t.missed is None
    a = answer_table(text, t, kb)
    got = [(r["region"], r["kind"], r["value"] or r["note"]) for r in a.table["rows"]]
    assert got == [
        ("湖北省", "target", "6％左右"),
        ("湖北省", "actual", "5.6％"),
        ("安徽省", "target", "5.5%以上"),
        ("安徽省", "actual", "5.2%"),
        ("江西省", "target", "5%左右"),
        ("江西省", "actual", "知识库无该地区2026年报告"),  # no report reviews 2025: never its target
    ]
    assert "未完成2个（湖北省、安徽省）" in a.text and "无法判断1个（江西省）" in a.text
    which = "湖北、安徽和江西哪些省份2025年经济增长没有达到目标？"
    assert answer_table(which, q(which), kb).table["answer_regions"] == ["湖北省", "安徽省"]


def test_targets_side_by_side_are_no_completion():
    assert not q("江苏和浙江2025年一般公共预算收入增长目标对比").completion
    assert q("江苏和浙江2025年经济增长目标和实际完成情况").completion


def test_one_regions_targets_of_a_year_each_beside_its_result():
    rows = KB + [
        ("湖北省", 2025, "target", "grain", "level", "560亿斤以上", 560.0, "亿斤", 2025),
        ("湖北省", 2025, "actual", "gdp", "growth", "5.6％", 5.6, "％", 2026),
    ]
    text = "湖北2025年主要预期目标完成情况"
    t = q(text)
    assert t.overview and t.completion and t.regions == ["湖北省"]
    a = answer_table(text, t, _kb(rows))
    got = [(r["indicator"], r["kind"], r["value"] or r["note"]) for r in a.table["rows"]]
    assert got == [
        ("地区生产总值增长", "target", "6％左右"),
        ("地区生产总值增长", "actual", "5.6％"),
        ("粮食产量", "target", "560亿斤以上"),
        ("粮食产量", "actual", "报告未给出"),
    ]
    assert "未完成1个（地区生产总值增长）" in a.text and "无法判断1个（粮食产量）" in a.text
    assert q("湖北2025年地区生产总值是多少？") is None  # one indicator of one region: no table


def test_a_completion_table_over_the_regions_whose_target_passes_a_threshold():
    rows = KB + RESULTS_2025
    text = "2025年把地区生产总值增长目标定在5.5%及以上的省份，实际完成得怎么样？"
    ask = q(text)
    assert ask.completion and ask.threshold[:2] == (">=", 5.5)
    a = answer_table(text, ask, _kb(rows))
    assert {r["region"] for r in a.table["rows"]} == {"湖北省", "安徽省"}  # 江西 (5%左右), 福建 (5.0%—5.5%) are below
    assert "未完成2个（安徽省、湖北省）" in a.text  # 5.6％ below 6％左右, 5.2% below 5.5%以上
