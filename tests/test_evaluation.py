"""Golden numbers for the metrics on a tiny hand-computed fixture."""

import json

import pytest

from rag.evaluation.harness import write_report
from rag.evaluation.metrics import contains_answer, evaluate, load_qa, number_faithful, supports

QA = [
    {"id": "1", "question": "a", "answers": ["805亿元"], "evidence": ["预计地区生产总值完成805亿元"], "type": "number"},
    {"id": "2", "question": "b", "answers": ["3.4%"], "evidence": ["同比增长3.4%"], "type": "number"},
    {
        "id": "3",
        "question": "c",
        "answers": ["张三"],
        "evidence": ["区长张三作报告，这是一个很长的证据字符串用于窗口测试"],
        "type": "entity",
    },
    {"id": "4", "question": "d", "answers": [], "evidence": [], "type": "unanswerable"},
    {"id": "5", "question": "e", "answers": [], "evidence": [], "type": "unanswerable"},
]
P1 = "预计地区生产总值完成 805 亿元，同比增长3.4%。"
P3 = "会上，区长张三作报告，这是一个很长的证据字符串用于"
PREDS = [
    # correct, cited, rank 0
    {
        "id": "1",
        "answer": "“预计地区生产总值完成805亿元”[1]",
        "refused": False,
        "citations": [{"n": 1, "text": P1}],
        "retrieved": [{"text": P1}],
        "latency_ms": 10,
    },
    # wrong number ("13.4%" must not count as "3.4%"), evidence at rank 1, cites it
    {
        "id": "2",
        "answer": "增长13.4%[1]",
        "refused": False,
        "citations": [{"n": 1, "text": P1}],
        "retrieved": [{"text": "无关"}, {"text": P1}],
        "latency_ms": 20,
    },
    # refused although answerable; evidence found through a 20-char window at rank 2
    {
        "id": "3",
        "answer": "资料中未找到",
        "refused": True,
        "citations": [],
        "retrieved": [{"text": "x"}, {"text": "y"}, {"text": P3}],
        "latency_ms": 30,
    },
    {"id": "4", "answer": "资料中未找到", "refused": True, "citations": [], "retrieved": [], "latency_ms": 40},
    # unanswerable but answered with an invented number (not faithful)
    {
        "id": "5",
        "answer": "是999亿元[1]",
        "refused": False,
        "citations": [{"n": 1, "text": P1}],
        "retrieved": [],
        "latency_ms": 50,
    },
]


def test_golden_metrics():
    m = evaluate(QA, PREDS)
    assert m["answerable"] == 3 and m["unanswerable"] == 2
    assert m["hit@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["hit@5"] == 1.0
    assert m["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3, abs=1e-4)
    assert m["answer_acc"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["citation_acc"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["refusal_recall"] == 0.5
    assert m["false_refusal"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["number_faithful"] == pytest.approx(1 / 3, abs=1e-4)  # of 3 non-refused answers, #2 and #5 invent numbers
    assert m["latency_p50_ms"] == 30.0
    assert m["accuracy_by_type"] == {"entity": 0.0, "number": 0.5, "unanswerable": 0.5}


def test_supports_and_contains():
    assert supports("完成 805 亿元", "805亿元")
    assert not supports("完成80亿元", "805亿元")
    assert contains_answer("增长5.3%", "5.3%") and not contains_answer("增长5.3%", "3%")
    assert not contains_answer("1805亿元", "805亿元")
    assert contains_answer("**6253**万美元", "6253万美元")
    assert number_faithful({"answer": "“805亿元”[1]", "citations": [{"text": P1}]})
    assert not number_faithful({"answer": "“806亿元”[1]", "citations": [{"text": P1}]})


def test_report_files(tmp_path):
    results = write_report(tmp_path, QA, {"mine": PREDS, "other": PREDS[:2]}, main="mine")
    assert set(results) == {"mine", "other"}
    for name in (
        "predictions.jsonl",
        "predictions_other.jsonl",
        "report.json",
        "report.md",
        "hit_at_k.png",
        "accuracy_by_type.png",
    ):
        assert (tmp_path / name).stat().st_size > 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["systems"]["mine"]["answer_acc"] == pytest.approx(1 / 3, abs=1e-4)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| mine |" in md and "### 2 (number)" in md and "### 1 " not in md


def test_load_qa_rejects_bad_lines(tmp_path):
    p = tmp_path / "qa.jsonl"
    p.write_text('{"id": "1"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="缺少字段"):
        load_qa(p)
    p.write_text("not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match="JSON"):
        load_qa(p)


def test_trust_metrics_golden():
    """short_acc, wrong_source and confident_wrong on a hand-computed fixture."""
    qa = [
        {
            "id": "a",
            "question": "甲2025年目标",
            "answers": ["5.5%左右", "5.5%"],
            "evidence": ["增长5.5%左右"],
            "type": "number",
            "doc": "jia.docx",
            "region": "甲省",
            "year": 2025,
            "parts": [["5.5%左右", "5.5%"]],
        },
        {"id": "b", "question": "乙2024年", "answers": ["3%"], "evidence": ["增长3%"], "type": "number", "doc": "yi.docx"},
        {
            "id": "c",
            "question": "甲和乙",
            "answers": ["5.5%", "6%"],
            "evidence": ["5.5%", "6%"],
            "type": "multi_doc",
            "doc": ["jia.docx", "yi.docx"],
            "region": ["甲省", "乙省"],
            "year": 2025,
            "parts": [["5.5%"], ["6%"]],
        },
        {"id": "d", "question": "丙", "answers": [], "evidence": [], "type": "unanswerable"},
        {"id": "e", "question": "丁", "answers": [], "evidence": [], "type": "unanswerable"},
    ]
    docs = {
        "jia.docx": {"region": "甲省", "year": 2025},
        "yi.docx": {"region": "乙省", "year": 2025},
        "bing.docx": {"region": "丙省", "year": 2025},
        "jia-old.docx": {"region": "甲省", "year": 2024},
    }

    def cite(doc):
        return {"n": 1, "doc": doc, "text": "x", **docs[doc]}

    preds = [
        # right value, but the short answer carries another figure of the indicator: strict fails
        {
            "id": "a",
            "answer": "增长5.5%左右[1]",
            "short_answer": "5.5%左右；5%",
            "refused": False,
            "citations": [cite("jia.docx")],
        },
        # right figure from another province's report: wrong source, confidently wrong
        {"id": "b", "answer": "增长3%[1]", "short_answer": "3%", "refused": False, "citations": [cite("bing.docx")]},
        # both parts in the short answer, cited from the asked regions
        {
            "id": "c",
            "answer": "①5.5%[1]\n②6%[2]",
            "short_answer": "① 5.5%；② 6%",
            "refused": False,
            "citations": [cite("jia.docx"), cite("yi.docx")],
        },
        {"id": "d", "answer": "未找到", "refused": True, "citations": []},
        {"id": "e", "answer": "7%[1]", "short_answer": "7%", "refused": False, "citations": [cite("jia-old.docx")]},
    ]
    m = evaluate(qa, preds, docs)
    assert m["answer_acc"] == 1.0
    assert m["short_acc"] == pytest.approx(2 / 3, abs=1e-4)  # a has another figure; b's value is right (its source is not)
    assert m["wrong_source"] == pytest.approx(1 / 3, abs=1e-4)  # b
    assert m["confident_wrong"] == pytest.approx(2 / 5, abs=1e-4)  # b (wrong source) and e (answered an unanswerable)
    assert m["per_question"]["b"]["wrong_source"] and not m["per_question"]["a"]["wrong_source"]


def test_retriever_ranking_is_scored_apart_from_the_answer_order():
    qa = [{"id": "1", "question": "q", "answers": ["805亿元"], "evidence": ["805亿元"], "type": "number"}]
    pred = {
        "id": "1",
        "answer": "805亿元[1]",
        "refused": False,
        "citations": [{"n": 1, "text": P1}],
        "retrieved": [{"text": P1}],
        "retriever": [{"text": "无关"}, {"text": "无关"}, {"text": P1}],
    }
    m = evaluate(qa, [pred])
    assert m["hit@1"] == 1.0 and m["retriever_hit@1"] == 0.0 and m["retriever_mrr"] == pytest.approx(1 / 3, abs=1e-4)


def test_table_cells_are_matched_by_kind_when_a_completion_table_has_both():
    from rag.evaluation.tables import evaluate_tables

    qa = [{"id": "T1", "question": "…完成情况", "type": "table", "rows": [
        {"region": "江苏省", "year": 2025, "kind": "target", "value": "5%以上"},
        {"region": "江苏省", "year": 2025, "kind": "actual", "value": "5.3%"},
    ]}]  # fmt: skip
    rows = [{"region": "江苏省", "year": 2025, "kind": "target", "value": "5%以上"},
            {"region": "江苏省", "year": 2025, "kind": "actual", "value": "5.3%"}]  # fmt: skip
    got = evaluate_tables(qa, [{"id": "T1", "table": {"rows": rows}}])
    assert got["cell_precision"] == 1.0 and got["cell_recall"] == 1.0
    swapped = [dict(rows[0], value="5.3%"), dict(rows[1], value="5%以上")]
    assert evaluate_tables(qa, [{"id": "T1", "table": {"rows": swapped}}])["cell_recall"] == 0.0
