import pytest

from conftest import REPORTS
from fakes import REPORT_A, REPORT_B
from rag.domain.numbers import cn_digits_year
from rag.ingest.metadata import extract_metadata


def test_report_with_header():
    m = extract_metadata(REPORT_A)
    assert m.region == "甲山区"
    assert m.doc_type == "政府工作报告"
    assert m.year == 2023
    assert m.review_years == (2022,) and m.plan_years == (2023,)


def test_report_without_header_uses_self_reference_and_review_year():
    m = extract_metadata(REPORT_B)
    assert m.doc_type == "政府工作报告"
    assert m.year == 2024  # delivered the year after the reviewed one
    assert m.review_years == (2023,) and m.plan_years == (2024,)  # "今年" resolved


def test_news_and_party_congress_types():
    news = "某报道\n\n淄博1月7日讯 张店区召开会议。张店区将新建学校。\n\n记者 王五"
    assert extract_metadata(news).doc_type == "新闻报道"
    congress = "# 喜迎某市第十三次党代会\n\n## 产业基础\n\n2021年，张店区设立基金。"
    assert extract_metadata(congress).doc_type == "党代会材料"


def test_chinese_numeral_year():
    assert cn_digits_year("二〇三五") == 2035
    assert cn_digits_year("十三五") is None


@pytest.mark.parametrize(
    "name,region,doc_type,year",
    [
        ("000_6584fb645deb0ac6.txt", "张店区", "政府工作报告", 2023),
        ("001_8d678484d61eac6b.txt", "张店区", "新闻报道", 2023),
        ("002_8b90b235318d2e9d.txt", "张店区", "党代会材料", 2021),
        ("003_4bb26c2f38d6f31d.txt", "淄博市", "政府工作报告", 2024),
        ("004_e9778d67e6610d54.txt", "临淄区", "政府工作报告", 2021),
    ],
)
def test_shipped_reports(name, region, doc_type, year):
    m = extract_metadata((REPORTS / name).read_text(encoding="utf-8"))
    assert (m.region, m.doc_type, m.year) == (region, doc_type, year)


def test_five_year_review_period():
    m = extract_metadata((REPORTS / "004_e9778d67e6610d54.txt").read_text(encoding="utf-8"))
    assert m.review_years == (2016, 2017, 2018, 2019, 2020)
    assert 2021 in m.plan_years


def test_region_from_a_one_line_date_header():
    from rag.ingest.metadata import detect_place

    text = "政府工作报告\n——2024年1月10日在淄博市第十六届人民代表大会第三次会议上\n各位代表：\n现在，我代表市人民政府向大会报告工作。\n"
    assert detect_place(text).name == "淄博市"


# -- reports without a title block: the place from how the text names places ----------------------

CITY_BODY = (
    "各位代表：\n现在，我代表市人民政府向大会报告工作，请予审议，并请市政协委员提出意见。\n"
    "一、2023年工作回顾\n2023年，在省委、省政府和市委的坚强领导下，全市经济稳中有进。"
    "我们主动融入武汉都市圈，对接武汉、服务武汉，与武汉共建产业园区。"
    "孝南区、汉川市、应城市、安陆市各具特色，孝感高新区获评国家级园区，孝感临空经济区加快建设。"
    "湖北省下达的目标全部完成。\n二、2024年主要目标和重点任务\n全市地区生产总值增长6.5%左右。\n"
)


def test_a_city_report_without_title_block_is_the_city_whose_counties_it_lists():
    meta = extract_metadata(CITY_BODY)
    # 武汉 is named as often as 孝感, but 孝南区, 汉川市, 应城市, 安陆市 lie inside 孝感市
    assert (meta.region, meta.level, meta.year, meta.doc_type) == ("孝感市", "city", 2024, "政府工作报告")


def test_the_named_government_is_the_report_s_own():
    text = CITY_BODY.replace("我代表市人民政府", "我代表威海市人民政府")
    assert extract_metadata(text).region == "威海市"


def test_a_report_that_lost_its_first_lines_is_still_read():
    text = CITY_BODY.split("一、", 1)[1].replace("全市", "我市")  # starts "2023年工作回顾"
    meta = extract_metadata(text)
    assert (meta.region, meta.year, meta.doc_type) == ("孝感市", 2024, "政府工作报告")


def test_ranking_words_do_not_make_a_city_report_provincial():
    text = CITY_BODY + "我市多项指标居全省第一，全省前列，全省领先，全省第二。\n"
    assert extract_metadata(text).level == "city"
