"""The place model (rag.domain.places): names at every level, short names, the hierarchy, and
ordinary words that are not places."""

import pytest

from rag.domain.places import NATIONAL, gazetteer, short_name
from rag.question.reading import analyse


def names(text: str, covered=()) -> list[str]:
    g = gazetteer().extended(covered=covered) if covered else gazetteer()
    return [m.place.name for m in g.find(text)]


@pytest.mark.parametrize(
    "full,short",
    [
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("内蒙古自治区", "内蒙古"),
        ("北京市", "北京"),
        ("黔南布依族苗族自治州", "黔南"),
        ("巴音郭楞蒙古自治州", "巴音郭楞"),
        ("长阳土家族自治县", "长阳"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("淄博市", "淄博"),
        ("城区", ""),  # a one-character stem is no short name
        ("鄂温克族自治旗", ""),  # nor an ethnic name alone
    ],
)
def test_short_names(full, short):
    assert short_name(full) == short


@pytest.mark.parametrize(
    "text,expected",
    [
        ("广西2025年一般公共预算收入增长目标是多少？", ["广西壮族自治区"]),
        ("内蒙古2024年粮食产量是多少？", ["内蒙古自治区"]),
        ("新疆和宁夏2025年的目标", ["新疆维吾尔自治区", "宁夏回族自治区"]),
        ("西藏今年的经济增长目标", ["西藏自治区"]),
        ("北京2025年地区生产总值", ["北京市"]),
        ("贵州和云南2025年地区生产总值增长目标分别是多少？", ["贵州省", "云南省"]),
        ("青岛的地区生产总值", ["青岛市"]),  # a prefecture-level city's short name, tagged as a place
        ("锡林郭勒盟、大兴安岭地区、延边朝鲜族自治州", ["锡林郭勒盟", "大兴安岭地区", "延边朝鲜族自治州"]),
        ("阿拉善左旗和邹平市", ["阿拉善左旗", "邹平市"]),  # 旗, a county-level city
        ("博山区2023年地区生产总值是多少？", ["博山区"]),
        ("吉林2024年粮食产量", ["吉林省"]),  # a province before the city of the same name
        ("海南2025年", ["海南省"]),
    ],
)
def test_places_in_questions(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", ["2023年全国进出口总额增长多少？", "我国经济增长目标", "国务院政府工作报告是谁作的？"])
def test_the_country(text):
    assert names(text) == ["全国"]


def test_weak_national_word_yields_to_a_named_place():
    assert names("广东省国家高新区有多少家？") == ["广东省"]
    assert names("国家2024年经济增长目标是多少？") == ["全国"]


@pytest.mark.parametrize(
    "text",
    [
        "推进城中村改造",
        "为了世界和平",
        "哪个区的地区生产总值最高",
        "2023年计划新建多少5G基站",
        "东方市场繁荣",
        "城区改造",
        "白银价格",
        "长治久安",
    ],
)
def test_ordinary_words_are_not_places(text):
    assert names(text) == []


def test_county_short_names_need_a_report_about_them():
    g = gazetteer()
    zhangdian = g.resolve("张店区")
    assert names("张店2022年地区生产总值") == []
    assert names("张店2022年地区生产总值", covered={zhangdian.key}) == ["张店区"]


def test_hierarchy():
    g = gazetteer()
    zd = g.resolve("张店区")
    assert [p.name for p in g.ancestors(zd)] == ["淄博市", "山东省", "全国"]
    assert g.within(zd, g.resolve("山东省")) and g.within(zd, NATIONAL) and not g.within(zd, g.resolve("江苏省"))
    assert (zd.level, g.resolve("淄博市").level, g.resolve("山东").level, NATIONAL.level) == (
        "county",
        "city",
        "province",
        "national",
    )


def test_a_place_after_its_ancestor_is_one_mention_of_the_smaller_place():
    g = gazetteer()
    (m,) = g.find("北京市朝阳区2024年")
    assert m.text == "北京市朝阳区" and len(m.places) == 1 and m.place.parent == g.resolve("北京市").code
    (m,) = g.find("山东淄博张店区")
    assert m.place.name == "张店区"
    assert len(g.find("朝阳区2024年")[0].places) == 2  # 北京 and 长春: left open without its city


def test_question_regions_and_other_places():
    q = analyse("张店区和博山区2022年地区生产总值", ["张店区", "淄博市", "临淄区"])
    assert q.regions == ["张店区"] and q.other_places == ["博山区"]
    # a county-level name outside the provinces of the covered places named reads as an ordinary word
    q = analyse("广东2024年老城区改造完成多少个", ["广东省"])
    assert q.regions == ["广东省"] and q.other_places == []
