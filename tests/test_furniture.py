"""Page furniture of web-page copies is dropped from a report's head and tail, and nothing else is."""

from __future__ import annotations

from rag.ingest.loading import load_document
from rag.ingest.loading.furniture import strip_furniture
from rag.ingest.metadata import extract_metadata

BODY = "各位代表：\n现在，我代表省人民政府向大会报告工作。\n一、2025年工作回顾\n全省地区生产总值增长5.3%。\n"
PAGE = (
    "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n"
    "2026年甲省政府工作报告\n——2026年2月3日在甲省第十四届人民代表大会第五次会议上\n"
    "来源：甲省日报\n时间：2026-02-09\n省长 王小明\n"
    "省长王小明代表省人民政府向大会作政府工作报告。本报记者 李四 摄\n" + BODY + "相关报道：\n"
)
CRUMBS = (
    "分享:\n2026年甲省政府工作报告\n首页\n>\n政府信息公开\n>\n政府工作报告\n2026年甲省政府工作报告\n"
    "时间：\n2026-02-02 09:20\n来源：\n甲省人民政府\n" + BODY + "责任编辑：\n张三\n扫一扫在手机打开当前页\n"
    "abcd39f1fb7f426d9dfb6bd0fa1f2146:\n解读省政府工作报告\n打印本页\n关闭窗口\n2026年甲省政府工作报告\n"
)


def test_controls_source_time_and_caption_lines_are_dropped():
    head = strip_furniture(PAGE).split("各位代表")[0].splitlines()
    assert head == ["2026年甲省政府工作报告", "——2026年2月3日在甲省第十四届人民代表大会第五次会议上", "省长 王小明"]


def test_breadcrumbs_split_labels_repeated_title_and_link_lists_are_dropped():
    text = strip_furniture(CRUMBS)
    assert text.split("各位代表")[0].splitlines() == ["2026年甲省政府工作报告"]
    assert text.endswith("全省地区生产总值增长5.3%。\n")


def test_the_report_itself_is_untouched():
    assert strip_furniture(BODY) == BODY
    # furniture words inside the report are the report's: only the head and tail zones are read
    inner = BODY + "来源：省统计局。\n加大\n" + "全省新增就业60万人。\n" * 50
    assert strip_furniture(inner) == inner


def test_a_web_copy_reads_as_a_work_report_with_its_speaker(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    meta = extract_metadata(load_document(path).text)
    assert meta.doc_type == "政府工作报告" and meta.title == "2026年甲省政府工作报告"
    assert (meta.speaker, meta.speaker_title, meta.date) == ("王小明", "省长", "2026-02-03")
