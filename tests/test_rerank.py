"""The sentence reranker: features, the shipped weights, the fit, and the
answer rules built on them."""

import numpy as np
import pytest

from rag.answer.extractive import _units_of
from rag.answer.rerank import FEATURES, PRIOR, WEIGHTS_FILE, Context, LinearScorer, featurize
from rag.evaluation.fit import choose_l2, conditional_logit, split, top1
from rag.pipeline import Assistant
from rag.question.reading import analyse
from rag.types import Chunk, DocMeta, Hit


def _hit(text: str, region: str = "甲山区", section=("2022年政府工作回顾",), period=2022, kind="review") -> Hit:
    meta = DocMeta(
        region=region, doc_type="政府工作报告", title="政府工作报告", year=2023, review_years=(2022,), plan_years=(2023,)
    )
    chunk = Chunk(
        chunk_id="a.txt#p1",
        doc_id="a.txt",
        text=text,
        header=f"{region}｜2023年｜政府工作报告｜{section[-1]}",
        meta=meta,
        section=section,
        paragraph=1,
        start=0,
        end=len(text),
        period=period,
        period_kind=kind,
    )
    return Hit(chunk, 1.0)


def test_features_prefer_the_sentence_with_the_figure_next_to_the_indicator():
    q = analyse("甲山区2022年地区生产总值是多少？", ["甲山区"])
    q.weights = {t: 2.0 for t in q.terms}
    hit = _hit("预计地区生产总值完成805亿元，同比增长3.4%。全区上下团结奋斗。")
    ctx = Context.of(q, [hit])
    with_figure = featurize(ctx, hit, 0, "预计地区生产总值完成805亿元，同比增长3.4%。", 0)
    without = featurize(ctx, hit, 0, "全区上下团结奋斗。", 1)
    assert set(with_figure) == set(FEATURES)
    assert with_figure["slot"] == 1.0 and without["slot"] == 0.0
    assert with_figure["coverage"] > without["coverage"]
    assert PRIOR.score(with_figure) > PRIOR.score(without)


def test_shipped_weights_load_and_name_only_known_features(tmp_path):
    scorer = LinearScorer.load(WEIGHTS_FILE)
    assert set(scorer.weights) <= set(FEATURES)
    assert 0.0 < scorer.min_coverage < 1.0
    assert scorer.info["train_ids"] and not set(scorer.info["train_ids"]) & set(scorer.info["validation_ids"])
    scorer.save(tmp_path / "w.json")
    assert LinearScorer.load(tmp_path / "w.json").weights == scorer.weights
    (tmp_path / "bad.json").write_text('{"weights": {"nonsense": 1}, "bias": 0, "min_coverage": 0.3}', encoding="utf-8")
    with pytest.raises(ValueError, match="nonsense"):
        LinearScorer.load(tmp_path / "bad.json")


def test_split_is_stratified_and_disjoint():
    qa = [{"id": f"Q{i:03d}", "type": t} for i, t in enumerate(["number"] * 6 + ["list"] * 4 + ["summary"] * 3)]
    train, valid = split(qa)
    assert not {x["id"] for x in train} & {x["id"] for x in valid}
    assert len(train) + len(valid) == len(qa)
    for t, n in (("number", 3), ("list", 2)):
        assert sum(x["type"] == t for x in train) == n and sum(x["type"] == t for x in valid) == n


def test_conditional_logit_learns_a_feature_that_marks_the_answer():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(40):
        x = rng.normal(size=(8, 3))
        y = np.zeros(8)
        y[rng.integers(8)] = 1.0
        x[y == 1, 2] += 2.0  # feature 2 marks the positive; 0 and 1 are noise
        groups.append((x, y))
    prior = np.zeros(3)
    w = conditional_logit(groups, prior, l2=1.0)
    assert w[2] > 1.0 and abs(w[0]) < w[2] and abs(w[1]) < w[2]
    assert top1(groups, w) > top1(groups, prior)
    l2, scores = choose_l2(groups, prior)
    assert l2 in scores and scores[l2] == max(scores.values())
    # with a strong pull the fit stays at the prior
    assert np.allclose(conditional_logit(groups, prior, l2=1e6), prior, atol=1e-3)


def test_enumeration_after_a_colon_is_one_candidate_for_list_questions():
    text = "同时也清醒认识到，发展还面临一些困难和挑战：基础尚不稳固，动能亟待增强；协同发展不足，保障机制还不完善。"
    q = analyse("发展还面临哪些主要困难和挑战？")
    assert q.asked == "list"
    assert text in _units_of(text, q)
    assert text not in _units_of(text, analyse("地区生产总值是多少？"))


def test_place_outside_the_documents_must_be_named_by_the_answer(fake_index, fake_embedder):
    a = Assistant(fake_index, embedder=fake_embedder).ask("乙湖县2022年地区生产总值是多少？")
    assert a.refused
    assert "乙湖县" in a.text


def test_answer_passage_is_ranked_first(fake_index, fake_embedder):
    a = Assistant(fake_index, embedder=fake_embedder).ask("甲山区2022年地区生产总值是多少？")
    assert not a.refused
    assert a.retrieved[0].chunk.chunk_id == a.citations[0].chunk.chunk_id
