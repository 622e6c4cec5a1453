from rag.answer.extractive import merge_answers
from rag.pipeline import Assistant
from rag.question.parts import split_question

R = ["张店区", "淄博市", "临淄区"]


def test_two_questions_inherit_region_and_subject():
    assert split_question("张店区长者食堂2021年达到多少家？2023年的目标是什么？", R) == [
        "张店区长者食堂2021年达到多少家？",
        "张店区长者食堂2023年的目标是什么？",
    ]


def test_year_pair_with_each():
    assert split_question("张店区2021年和2022年到位省外资金分别是多少？", R) == [
        "张店区2021年到位省外资金是多少？",
        "张店区2022年到位省外资金是多少？",
    ]


def test_region_pair_keeps_each_year():
    parts = split_question("淄博市2023年和张店区2022年的农村居民人均可支配收入分别增长多少？", R)
    assert parts == ["淄博市2023年的农村居民人均可支配收入增长多少？", "张店区2022年的农村居民人均可支配收入增长多少？"]


def test_simple_questions_untouched():
    for q in ["张店区2022年地区生产总值是多少？", "2022年，张店区地区生产总值是多少？", "张店区和临淄区的情况"]:
        assert split_question(q, R) == [q]


def test_compound_answer_cites_each_part(fake_index, fake_embedder):
    a = Assistant(fake_index, embedder=fake_embedder).ask("甲山区2022年地区生产总值是多少？2023年计划新建多少5G基站？")
    assert not a.refused
    assert "805亿元" in a.text and "300座" in a.text
    assert a.text.startswith("①") and "②" in a.text and "已拆分为" in a.notice
    assert [c.n for c in a.citations] == list(range(1, len(a.citations) + 1))


def test_merge_refused_only_when_all_parts_are(fake_index, fake_embedder):
    bot = Assistant(fake_index, embedder=fake_embedder)
    ok = bot.ask("甲山区2022年地区生产总值是多少？")
    no = bot.ask("甲山区2022年外贸进出口总额是多少亿元？")
    assert no.refused
    assert not merge_answers("q", [ok, no]).refused
    assert merge_answers("q", [no, no]).refused


def test_two_phrases_each_with_its_region_and_year_split_before_fenbie():
    regions = ["淄博市", "张店区", "临淄区"]
    q = "临淄区2020年技改投资增速和张店区2023年技改投资增长目标分别是多少？"
    assert split_question(q, regions) == ["临淄区2020年技改投资增速是多少？", "张店区2023年技改投资增长目标是多少？"]
    assert split_question("张店区科技和人才分别有哪些举措？", regions) == ["张店区科技和人才分别有哪些举措？"]


def test_two_figures_asked_at_once_become_one_question_each():
    regions = ["四川省", "黑龙江省", "江苏省"]
    split = {
        # one indicator's level and growth: the growth takes the indicator's name, with or without 分别
        "四川2024年GDP总量和增速是多少？": ["四川2024年GDP总量是多少？", "四川2024年GDP增速是多少？"],
        "黑龙江2024年地区生产总值增速和城镇新增就业各是多少？": [
            "黑龙江2024年地区生产总值增速是多少？",
            "黑龙江2024年城镇新增就业是多少？",
        ],
        "江苏2025年进出口和利用外资各增长多少？": ["江苏2025年进出口增长多少？", "江苏2025年利用外资增长多少？"],
        "江苏2025年地区生产总值和一般公共预算收入是多少？": [
            "江苏2025年地区生产总值是多少？",
            "江苏2025年一般公共预算收入是多少？",
        ],
    }
    for q, parts in split.items():
        assert split_question(q, regions) == parts
    # no figure asked, one pair wording, or things that are no two indicators without 分别/各: one question
    for q in [
        "江苏2025年城乡居民收入和经济增长同步吗？",
        "江苏2025年城镇和农村居民人均可支配收入增长多少？",
        "江苏2025年做生意的公司和个体户一共有多少户？",
    ]:
        assert split_question(q, regions) == [q]
