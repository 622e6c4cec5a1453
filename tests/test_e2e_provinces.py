"""End to end on the 37-document knowledge base (five bundled reports, the 31 provincial 2025 reports and
the national 2024 report read from ../shared/corpus-provinces, .docx through the real loader) with the real
default model: the questions the issue was filed with, every QA set's floors, and answers that do not get
worse when the 32 reports join the five."""

import pytest

from conftest import ROOT
from rag.evaluation.metrics import evaluate, load_qa
from rag.pipeline import Assistant
from rag.question.followup import rewrite
from rag.stores.files import read_manifest

pytestmark = pytest.mark.kb


@pytest.fixture(scope="module")
def bot(kb_all):
    b = Assistant(kb_all)
    b.load()
    return b


def _cited_docs(a) -> set[str]:
    return {c.chunk.doc_id for c in a.citations}


@pytest.mark.parametrize(
    "question,value,doc",
    [
        ("内蒙古2024年粮食产量是多少？", "820.1亿斤", "2025年内蒙古自治区政府工作报告.docx"),
        ("江苏2023年地区生产总值是多少？", "13.09万亿元", "2025年江苏省政府工作报告.docx"),  # a later report on an earlier year
        ("山东2024年经济增速比全国高多少？", "0.7个百分点", "2025年山东省政府工作报告.docx"),
        ("广西2024年外贸增长了多少？", "9.4%", "2025年广西政府工作报告.docx"),
        ("国务院2024年政府工作报告是谁作的？", "李强", "2024年国务院政府工作报告.txt"),
        ("上海2025年政府工作报告是哪天作的？", "2025年1月15日", "2025年上海市政府工作报告.docx"),
        ("湖北2025年经济增长目标是多少？", "6％左右", "2025年湖北省政府工作报告.docx"),
    ],
)
def test_answered_from_the_asked_report(bot, question, value, doc):
    a = bot.ask(question)
    assert not a.refused, a.text
    assert a.short == value and value in a.headline, (a.short, a.headline)
    assert _cited_docs(a) == {doc}


@pytest.mark.parametrize(
    "question,named",
    [
        ("2023年全国进出口总额增长多少？", ""),  # the national report gives no such figure (was: 张店区's target list)
        ("河北2024年一般公共预算收入增长多少？", ""),  # 河北's report gives none (was: a 河北 sentence without it)
        ("广西2025年一般公共预算收入增长目标是多少？", ""),  # only the 2024 result is there (was: that result)
        ("深圳2024年地区生产总值是多少？", "深圳"),  # no report of its own; 广东's does not name it
        ("博山区2023年地区生产总值是多少？", "博山区"),
        ("台湾2024年地区生产总值是多少？", "台湾"),
    ],
)
def test_refused_rather_than_another_place_or_year(bot, question, named):
    a = bot.ask(question)
    assert a.refused, a.text
    assert named in a.text
    assert not any(c.chunk.doc_id.startswith("000_") for c in a.citations)


def test_two_suffixless_places_are_two_cited_parts(bot):
    a = bot.ask("贵州和云南2025年地区生产总值增长目标分别是多少？")  # two regions, one indicator: a table
    assert not a.refused and a.short == "贵州省：5.5%左右；云南省：5%左右"
    assert [(r["region"], r["citation"]) for r in a.table["rows"]] == [("贵州省", 1), ("云南省", 2)]
    assert _cited_docs(a) == {"2025年贵州省政府工作报告.docx", "2025年云南省政府工作报告.docx"}


def test_follow_up_keeps_the_year_for_another_province(bot):
    standalone = rewrite("那江苏呢？", "广东2024年地区生产总值增长多少？", bot.retriever.places).text
    assert standalone == "江苏省2024年地区生产总值增长多少？"
    a = bot.ask(standalone)
    assert not a.refused and a.short == "5.8%" and _cited_docs(a) == {"2025年江苏省政府工作报告.docx"}


def test_relative_year_counts_from_the_place_s_latest_report(bot):
    a = bot.ask("湖北去年地区生产总值增长多少？")
    assert not a.refused and "2024年" in a.headline and "2025年政府工作报告" in a.note


def test_named_group_is_answered_with_its_members(bot):
    a = bot.ask("上海的三大先导产业是哪三个？")
    assert not a.refused and all(x in a.short for x in ("集成电路", "生物医药", "人工智能"))


def test_national_report_is_read_as_national(kb_all):
    meta = read_manifest(kb_all).documents["2024年国务院政府工作报告.txt"]["meta"]
    assert (meta["region"], meta["level"], meta["speaker"], meta["date"]) == ("全国", "national", "李强", "2024-03-05")


# measured 2026-12-01 on this index (answer_acc / refusal_recall / false_refusal / confident_wrong):
# qa 0.930/1.000/0.035/0.031, heldout 0.952/1.000/0.032/0.014, fresh 0.923/1.000/0.051/0.022,
# provinces 0.970/1.000/0.020/0.009
FLOORS = {
    "qa.jsonl": {"answer_acc": 0.91, "refusal_recall": 0.9, "false_refusal_max": 0.06, "confident_wrong_max": 0.05},
    "heldout.jsonl": {"answer_acc": 0.92, "refusal_recall": 0.85, "false_refusal_max": 0.06, "confident_wrong_max": 0.04},
    "fresh.jsonl": {"answer_acc": 0.89, "refusal_recall": 0.8, "false_refusal_max": 0.08, "confident_wrong_max": 0.05},
    "provinces.jsonl": {"answer_acc": 0.94, "refusal_recall": 0.92, "false_refusal_max": 0.05, "confident_wrong_max": 0.03},
    "provinces2.jsonl": {"answer_acc": 0.88, "refusal_recall": 0.7, "false_refusal_max": 0.08, "confident_wrong_max": 0.06},
}


def _run(bot, name):
    qa = load_qa(ROOT / "eval" / name)
    docs = {d: m.get("meta", {}) for d, m in read_manifest(bot.index_dir).documents.items()}
    preds = [{"id": x["id"], **bot.ask(x["question"]).to_prediction()} for x in qa]
    return evaluate(qa, preds, docs)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_qa_set_floors_on_the_37_reports(bot, name):
    """Guards against regressions (floors a little under what was measured, not targets)."""
    m, f = _run(bot, name), FLOORS[name]
    assert m["wrong_source"] == 0.0 and m["number_faithful"] == 1.0
    assert m["answer_acc"] >= f["answer_acc"] and m["refusal_recall"] >= f["refusal_recall"], m
    assert m["false_refusal"] <= f["false_refusal_max"] and m["confident_wrong"] <= f["confident_wrong_max"], m


@pytest.mark.parametrize("name", ["qa.jsonl", "heldout.jsonl", "fresh.jsonl"])
def test_answers_do_not_get_worse_when_32_reports_join_the_five(bot, real_index, name):
    alone = _run(Assistant(real_index), name)["per_question"]
    with_all = _run(bot, name)["per_question"]

    def count(verdicts, what):
        return sum(what(v) for v in verdicts.values())

    def correct(v):
        return v["correct"] and v["cited"] is not None

    def refused_answerable(v):
        return v["refused"] and v["cited"] is not None

    def wrong(v):
        return not v["refused"] and not v["correct"]

    assert count(with_all, correct) >= count(alone, correct)
    assert count(with_all, wrong) <= count(alone, wrong)
    assert count(with_all, refused_answerable) <= count(alone, refused_answerable) + 1  # one question at most


# measured 2026-12-01 on this index: precision 0.9986, recall 0.976, honesty 0.997 (the one miss is a gold
# error: 云南's rural income target is stated), answer regions 0.921, p95 a few ms
TABLE_FLOORS = {"cell_precision": 0.98, "cell_recall": 0.95, "absent_honesty": 0.99, "answer_regions_acc": 0.88}


def test_table_set_floors_on_the_37_reports(bot):
    from rag.evaluation.tables import evaluate_tables

    qa = load_qa(ROOT / "eval" / "tables.jsonl")
    preds = [{"id": x["id"], **bot.ask(x["question"]).to_prediction()} for x in qa]
    m = evaluate_tables(qa, preds)
    assert all(m[k] >= v for k, v in TABLE_FLOORS.items()), {k: m[k] for k in TABLE_FLOORS}
    assert m["latency_p95_ms"] < 1000  # a 31-row table within a second


def test_every_province_s_target_as_a_cited_table(bot):
    a = bot.ask("各省2025年地区生产总值增长目标是多少？")
    rows = a.table["rows"]
    assert len(rows) == 31 and all(r["value"] and r["kind"] == "target" and r["year"] == 2025 for r in rows)
    quotes = {c.n: (c.quote, c.chunk.meta.region) for c in a.citations}
    for r in rows:  # each cell is in the sentence it cites, from its own region's report
        quote, region = quotes[r["citation"]]
        assert r["value"] in quote and region == r["region"], r
    assert "31个地区中31个" in a.headline and "西藏自治区（7%以上）" in a.headline


def test_a_region_without_the_figure_gets_not_stated(bot):
    a = bot.ask("湖南和湖北2024年经济增速谁高？")
    got = {r["region"]: (r["value"], r["note"]) for r in a.table["rows"]}
    assert got["湖北省"] == ("5.8％", "") and got["湖南省"] == (None, "报告未给出")  # 湖南 writes "全年增长4.8%"
