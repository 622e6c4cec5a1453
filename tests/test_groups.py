"""Named groups: "三大先导产业是哪三个" is answered with the members, not with a sentence naming the group."""

import pytest

from rag.domain.named_sets import asked_set, members


@pytest.mark.parametrize(
    "question,text,count",
    [
        ("上海的三大先导产业是哪三个？", "三大先导产业", 3),
        ("内蒙古的“五大任务”指的是哪五个方面？", "五大任务", 5),
        ("江西布局未来产业的六大领域是什么？", "六大领域", 6),
        ("“三大工程”指哪三项？", "三大工程", 3),
    ],
)
def test_group_in_question(question, text, count):
    g = asked_set(question)
    assert g is not None and (g.text, g.count) == (text, count)


@pytest.mark.parametrize("question", ["十四五规划是什么？", "张店区2022年地区生产总值是多少？", "有哪些重点项目？"])
def test_no_group(question):
    assert asked_set(question) is None


def test_members_in_three_shapes():
    g = asked_set("甲省的三大先导产业是哪三个？")
    assert members(g, "以集成电路、生物医药、人工智能三大先导产业为引领，加快发展。") == ["集成电路", "生物医药", "人工智能"]
    assert members(g, "做强三大先导产业：集成电路、生物医药和人工智能。") == ["集成电路", "生物医药", "人工智能"]
    clauses = "深入实施三大先导产业新一轮方案，优化集成电路产业空间布局，全链条加速生物医药产业创新发展，加快推进人工智能产业创新高地建设。"
    assert members(g, clauses) == ["集成电路", "生物医药", "人工智能"]


def test_a_sentence_that_only_names_the_group_has_no_members():
    g = asked_set("甲省的三大先导产业是哪三个？")
    assert members(g, "全力落实三大先导产业新一轮方案，出台实施区块链、低空经济等产业支持政策。") == []
    assert members(g, "两大产业集群加快成长。") == []
