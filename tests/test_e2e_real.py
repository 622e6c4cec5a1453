"""End to end with the real default model on the five shipped reports."""

import pytest

from conftest import ROOT
from rag.evaluation.metrics import evaluate, load_qa
from rag.pipeline import Assistant

pytestmark = pytest.mark.slow

CASES = [
    ("张店区2022年地区生产总值是多少？", "805亿元", "000_6584fb645deb0ac6.txt"),
    ("淄博市2023年一般公共预算收入完成多少？", "395.3亿元", "003_4bb26c2f38d6f31d.txt"),
    ("临淄区“十三五”期间到位外来资金多少？", "795亿元", "004_e9778d67e6610d54.txt"),
    ("张店区2023年地区生产总值的预期增长目标是多少？", "6%左右", "000_6584fb645deb0ac6.txt"),
    ("2021年张店区长者食堂达到多少家？", "20家", "002_8b90b235318d2e9d.txt"),
]


@pytest.fixture(scope="module")
def bot(real_index):
    return Assistant(real_index)


@pytest.mark.parametrize("question,figure,doc", CASES)
def test_right_figure_right_citation(bot, question, figure, doc):
    a = bot.ask(question)
    assert not a.refused, a.text
    assert figure in a.text.replace(" ", "")
    assert any(c.chunk.doc_id == doc and figure in c.chunk.text.replace(" ", "").replace("**", "") for c in a.citations)


@pytest.mark.parametrize(
    "question",
    ["张店区2022年外贸进出口总额是多少亿元？", "博山区2023年地区生产总值是多少？"],
)
def test_refuses_what_is_not_there(bot, question):
    assert bot.ask(question).refused


def test_long_question_truncated_with_notice(bot):
    a = bot.ask("张店区2022年地区生产总值是多少？" + "请详细说明。" * 20000)
    assert a.notice and "截取" in a.notice


@pytest.mark.parametrize(
    "qa_file, floors",
    [
        # measured 2026-11-22: hit@1 0.944, answer_acc 0.923, citation_acc 0.944, refusal_recall 0.889, false_refusal 0.028
        ("qa.jsonl", {"hit@5": 0.95, "hit@1": 0.90, "answer_acc": 0.89, "citation_acc": 0.90, "refusal_recall": 0.83}),
        # independently written; measured: hit@1 0.935, answer_acc 0.919, citation_acc 0.903, refusal_recall 0.667
        ("heldout.jsonl", {"hit@5": 0.95, "hit@1": 0.88, "answer_acc": 0.87, "citation_acc": 0.86, "refusal_recall": 0.55}),
    ],
)
def test_qa_set_regression_floor(bot, qa_file, floors):
    """Guards the method against regressions (floors a little under what was measured, not targets)."""
    qa = load_qa(ROOT / "eval" / qa_file)
    preds = [{"id": x["id"], **bot.ask(x["question"]).to_prediction()} for x in qa]
    m = evaluate(qa, preds)
    assert m["number_faithful"] == 1.0
    assert m["false_refusal"] <= 0.08
    for key, floor in floors.items():
        assert m[key] >= floor, (key, m[key])


def test_a_question_without_a_year_is_answered_from_the_latest_report_and_says_so(bot):
    """张店区 has reports of 2021 (party-congress material) and 2023 (work report, news): with no year the latest
    answers, and the note says which; 今年 is the latest report's year."""
    a = bot.ask("张店区地区生产总值是多少？")
    assert not a.refused and a.short == "805亿元" and "未指明年份" in a.note and "2023年" in a.note
    b = bot.ask("张店区今年的地区生产总值增长目标是多少？")
    assert not b.refused and b.short == "6%左右" and "理解为2023年" in b.note
