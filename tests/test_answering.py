import re

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.indicator import figures
from rag.pipeline import Assistant


def _ask(root, emb, question):
    return Assistant(root, embedder=emb).ask(question)


def test_quotes_sentence_with_figure_and_cites(fake_index, fake_embedder):
    a = _ask(fake_index, fake_embedder, "甲山区2022年地区生产总值是多少？")
    assert not a.refused
    assert "805亿元" in a.text and "[1]" in a.text
    assert a.citations[0].chunk.doc_id == "a_report.txt"
    assert a.citations[0].quote in a.citations[0].chunk.text


def test_every_number_in_answer_is_in_cited_passage(fake_index, fake_embedder):
    for q in ["甲山区2022年地区生产总值是多少？", "甲山区计划新建多少5G基站？", "临沂市一般公共预算收入完成多少？"]:
        a = _ask(fake_index, fake_embedder, q)
        cited = "".join(c.chunk.text for c in a.citations)
        for n in re.findall(r"\d+(?:\.\d+)?", re.sub(r"\[\d+\]", "", a.text)):
            assert n in cited, (q, n)


def test_refuses_when_indicator_has_no_figure(fake_index, fake_embedder):
    a = _ask(fake_index, fake_embedder, "甲山区2022年外贸进出口总额是多少亿元？")
    assert a.refused and a.text.startswith("资料中未找到")
    assert "805" not in a.text


def test_refuses_for_region_not_in_documents(fake_index, fake_embedder):
    a = _ask(fake_index, fake_embedder, "丙河县2022年地区生产总值是多少？")
    assert a.refused


def test_prediction_object_matches_contract(fake_index, fake_embedder):
    pred = _ask(fake_index, fake_embedder, "甲山区2022年地区生产总值是多少？").to_prediction("Q1")
    assert set(pred) >= {"id", "question", "answer", "refused", "citations", "retrieved", "latency_ms"}
    assert {"n", "doc", "chunk_id", "text"} <= set(pred["citations"][0])
    assert {"doc", "chunk_id", "text", "score"} <= set(pred["retrieved"][0])
    assert len(pred["retrieved"]) <= 10


def test_figures_ignores_years():
    assert [f.text for f in figures("2022年完成805亿元，增长3.4%")] == ["805亿元", "3.4%"]
    assert [f.text for f in figures("新建5G基站300座")] == ["5", "300座"]


def test_no_hits_is_a_refusal():
    from rag.question.reading import analyse

    a = ExtractiveAnswerer().answer("问题", analyse("问题"), [])
    assert a.refused and a.citations == []
