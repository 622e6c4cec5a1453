"""Metadata of every document of the 37-report knowledge base: region, level, year, delivery date,
document type and speaker, read from each document's own text (the .docx through the real loader)."""

import pytest

from conftest import PROVINCES, REPORTS, needs_provinces
from rag.ingest.loading import load_document
from rag.ingest.metadata import extract_metadata

# file, region, level, year, delivery date, type, speaker (office and name)
EXPECTED = [
    ("000_6584fb645deb0ac6.txt", "张店区", "county", 2023, "2023-01-07", "政府工作报告", "区长 苏振华"),
    ("001_8d678484d61eac6b.txt", "张店区", "county", 2023, "", "新闻报道", ""),
    ("002_8b90b235318d2e9d.txt", "张店区", "county", 2021, "", "党代会材料", ""),
    ("003_4bb26c2f38d6f31d.txt", "淄博市", "city", 2024, "", "政府工作报告", ""),
    ("004_e9778d67e6610d54.txt", "临淄区", "county", 2021, "2021-01-13", "政府工作报告", "代理区长 宋磊"),
    ("2024年国务院政府工作报告.txt", "全国", "national", 2024, "2024-03-05", "政府工作报告", "国务院总理 李强"),
    ("2025年上海市政府工作报告.docx", "上海市", "province", 2025, "2025-01-15", "政府工作报告", "市长 龚正"),
    ("2025年云南省政府工作报告.docx", "云南省", "province", 2025, "2025-01-18", "政府工作报告", "省长 王予波"),
    ("2025年内蒙古自治区政府工作报告.docx", "内蒙古自治区", "province", 2025, "2025-01-14", "政府工作报告", "主席 王莉霞"),
    ("2025年北京市政府工作报告.docx", "北京市", "province", 2025, "2025-01-14", "政府工作报告", "市长 殷勇"),
    ("2025年吉林省政府工作报告.docx", "吉林省", "province", 2025, "2025-01-14", "政府工作报告", "省长 胡玉亭"),
    ("2025年四川省政府工作报告.docx", "四川省", "province", 2025, "2025-01-20", "政府工作报告", "省长 施小琳"),
    ("2025年天津市政府工作报告.docx", "天津市", "province", 2025, "2025-01-14", "政府工作报告", "市长 张工"),
    ("2025年宁夏政府工作报告.docx", "宁夏回族自治区", "province", 2025, "2025-01-19", "政府工作报告", "主席 张雨浦"),
    ("2025年安徽省政府工作报告.docx", "安徽省", "province", 2025, "2025-01-20", "政府工作报告", "省长 王清宪"),
    ("2025年山东省政府工作报告.docx", "山东省", "province", 2025, "2025-01-20", "政府工作报告", "省长 周乃翔"),
    ("2025年山西省政府工作报告.docx", "山西省", "province", 2025, "2025-01-17", "政府工作报告", "省长 金湘军"),
    ("2025年广东省政府工作报告.docx", "广东省", "province", 2025, "2025-01-15", "政府工作报告", "省长 王伟中"),
    ("2025年广西政府工作报告.docx", "广西壮族自治区", "province", 2025, "2025-01-13", "政府工作报告", "主席 蓝天立"),
    ("2025年新疆政府工作报告.docx", "新疆维吾尔自治区", "province", 2025, "2025-01-19", "政府工作报告", "主席 艾尔肯·吐尼亚孜"),
    ("2025年江苏省政府工作报告.docx", "江苏省", "province", 2025, "2025-01-19", "政府工作报告", "省长 许昆林"),
    ("2025年江西省政府工作报告.docx", "江西省", "province", 2025, "2025-01-17", "政府工作报告", "省长 叶建春"),
    ("2025年河北省政府工作报告.docx", "河北省", "province", 2025, "2025-01-13", "政府工作报告", "省长 王正谱"),
    ("2025年河南省政府工作报告.docx", "河南省", "province", 2025, "2025-01-18", "政府工作报告", "省长 王凯"),
    ("2025年浙江省政府工作报告.docx", "浙江省", "province", 2025, "2025-01-14", "政府工作报告", "代省长 刘捷"),
    ("2025年海南省政府工作报告.docx", "海南省", "province", 2025, "2025-01-14", "政府工作报告", "省长 刘小明"),
    ("2025年湖北省政府工作报告.docx", "湖北省", "province", 2025, "2025-01-16", "政府工作报告", "代省长 李殿勋"),
    ("2025年湖南省政府工作报告.docx", "湖南省", "province", 2025, "2025-01-14", "政府工作报告", "省长 毛伟明"),
    ("2025年甘肃省政府工作报告.docx", "甘肃省", "province", 2025, "2025-01-20", "政府工作报告", "省长 任振鹤"),
    ("2025年福建省政府工作报告.docx", "福建省", "province", 2025, "2025-01-13", "政府工作报告", "省长 赵龙"),
    ("2025年西藏政府工作报告.docx", "西藏自治区", "province", 2025, "2025-01-19", "政府工作报告", "代理主席 嘎玛泽登"),
    ("2025年贵州省政府工作报告.docx", "贵州省", "province", 2025, "2025-01-19", "政府工作报告", "省长 李炳军"),
    ("2025年辽宁省政府工作报告.docx", "辽宁省", "province", 2025, "2025-01-16", "政府工作报告", "省长 李乐成"),
    ("2025年重庆市政府工作报告.docx", "重庆市", "province", 2025, "2025-01-19", "政府工作报告", "市长 胡衡华"),
    ("2025年陕西省政府工作报告.docx", "陕西省", "province", 2025, "2025-01-16", "政府工作报告", "省长 赵刚"),
    ("2025年青海省政府工作报告.docx", "青海省", "province", 2025, "2025-01-19", "政府工作报告", "代省长 罗东川"),
    ("2025年黑龙江省政府工作报告.docx", "黑龙江省", "province", 2025, "2025-01-13", "政府工作报告", "省长 梁惠玲"),
]


@needs_provinces
@pytest.mark.parametrize("name,region,level,year,date,doc_type,speaker", EXPECTED)
def test_metadata_of_every_document(name, region, level, year, date, doc_type, speaker):
    path = REPORTS / name if (REPORTS / name).exists() else PROVINCES / name
    m = extract_metadata(load_document(path).text)
    assert (m.region, m.level, m.year, m.date, m.doc_type) == (region, level, year, date, doc_type)
    assert f"{m.speaker_title} {m.speaker}".strip() == speaker


@needs_provinces
def test_every_provincial_report_is_listed():
    listed = {row[0] for row in EXPECTED}
    assert {p.name for p in PROVINCES.glob("*") if p.suffix in (".docx", ".txt")} <= listed


@needs_provinces
def test_meeting_and_title_of_the_national_report():
    m = extract_metadata(load_document(PROVINCES / "2024年国务院政府工作报告.txt").text)
    assert m.meeting == "第十四届全国人民代表大会第二次会议"
    assert m.title == "国务院政府工作报告（2024年）" and m.region_code == "000000"
    m = extract_metadata(load_document(PROVINCES / "2025年上海市政府工作报告.docx").text)
    assert m.meeting == "上海市第十六届人民代表大会第三次会议" and m.region_code == "310000"
