"""Follow-up rewriting: slots of the previous question carried into the new one."""

import pytest

from rag.question.followup import rewrite

REGIONS = ["张店区", "临淄区", "淄博市"]
GDP = "张店区2022年地区生产总值是多少？"


@pytest.mark.parametrize(
    ("message", "previous", "expected"),
    [
        # region replaced, everything else kept
        ("那临淄区呢？", GDP, "临淄区2022年地区生产总值是多少？"),
        ("那临淄呢", GDP, "临淄区2022年地区生产总值是多少？"),  # stem -> full name
        ("临淄区呢？", "张店2022年GDP多少", "临淄区2022年GDP多少"),  # previous used the stem
        ("那博山区呢？", GDP, "博山区2022年地区生产总值是多少？"),  # a place without documents is still carried
        # relative years count from the previous question's year
        ("去年呢？", "淄博市2023年一般公共预算收入是多少？", "淄博市2022年一般公共预算收入是多少？"),
        ("下一年呢？", GDP, "张店区2023年地区生产总值是多少？"),
        # a comparison asks for both years (the compound splitter answers each)
        ("和上一年比呢？", GDP, "张店区2022年和2021年地区生产总值分别是多少？"),
        ("和2021年相比呢？", GDP, "张店区2022年和2021年地区生产总值分别是多少？"),
        # target / actual switch
        ("那2023年的目标呢？", GDP, "张店区2023年地区生产总值目标是多少？"),
        ("那目标呢？", GDP, "张店区2022年地区生产总值目标是多少？"),
        ("那实际完成了多少？", "张店区2023年地区生产总值增长目标是多少？", "张店区2023年地区生产总值增长实际是多少？"),
        # a year replaces a five-year-plan period
        ("那2021年呢？", "张店区“十三五”期间到位外来资金多少？", "张店区2021年到位外来资金多少？"),
        # own topic: keep it, carry region and year, borrow the previous ending for "X呢"
        ("具体有哪些项目？", "张店区2023年重点项目建设计划投资多少？", "张店区2023年具体有哪些项目？"),
        ("一般公共预算收入呢？", GDP, "张店区2022年一般公共预算收入是多少？"),
        ("一般公共预算收入是多少？", GDP, "张店区2022年一般公共预算收入是多少？"),
        ("那去年的一般公共预算收入呢？", GDP, "张店区2021年的一般公共预算收入是多少？"),
        # two places in the previous question become the new one
        ("那临淄区呢？", "张店区和淄博市2022年地区生产总值分别是多少？", "临淄区2022年地区生产总值分别是多少？"),
    ],
)
def test_follow_ups_become_standalone(message, previous, expected):
    r = rewrite(message, previous, REGIONS)
    assert r.text == expected and r.changed and r.original == message


@pytest.mark.parametrize(
    ("message", "previous"),
    [
        ("临淄区2020年地区生产总值是多少？", GDP),  # names its own slots
        ("什么是新旧动能转换？", GDP),  # not a figure question, no cue
        ("全市一般公共预算收入是多少？", GDP),  # the whole city must not inherit a district
        ("那临淄区呢？", None),  # nothing to carry over
        ("那临淄区呢？", ""),
        ("和上一年比呢？", "张店区GDP多少？"),  # no year to count from: left as asked
    ],
)
def test_standalone_questions_are_left_alone(message, previous):
    r = rewrite(message, previous, REGIONS)
    assert r.text == message and not r.changed


def test_chained_follow_ups_build_on_the_rewritten_question():
    first = rewrite("那临淄区呢？", GDP, REGIONS).text
    second = rewrite("去年呢？", first, REGIONS).text
    assert second == "临淄区2021年地区生产总值是多少？"
