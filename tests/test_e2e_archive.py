"""The 184-document archive end to end (marker kb): every document's metadata as a reader finds it, the
copies listed and not indexed twice, and city questions answered from the city's own report."""

from __future__ import annotations

import pytest
from archive_expected import EXPECTED

from rag.pipeline import Assistant
from rag.stores.files import load_index

pytestmark = pytest.mark.kb

COPIES = {  # file -> the document whose text it holds (all four found by reading the texts side by side)
    "淄博.docx": "003_4bb26c2f38d6f31d.txt",
    "台州.docx": "2024年国务院政府工作报告.txt",
    "襄阳.docx": "2024年国务院政府工作报告.txt",
    "贵阳.docx": "2024年国务院政府工作报告.txt",
}


@pytest.fixture(scope="module")
def archive(kb_archive):
    root, report = kb_archive
    index, manifest = load_index(root)
    return root, report, index, manifest


def test_copies_are_listed_not_indexed(archive):
    _, report, index, manifest = archive
    dup = {d: e["duplicate_of"] for d, e in manifest.documents.items() if e.get("duplicate_of")}
    assert dup == COPIES
    assert not {c.doc_id for c in index.chunks} & set(COPIES)
    assert len(manifest.documents) == 184


def test_every_document_s_metadata(archive):
    _, _, _, manifest = archive
    want = {name: v for files in EXPECTED.values() for name, v in files.items()}
    got = {d: (m["region"], m["level"], m["year"], m["doc_type"]) for d, e in manifest.documents.items() for m in [e["meta"]]}
    assert {d: (got[d], w) for d, w in want.items() if got[d] != w} == {}


@pytest.fixture(scope="module")
def assistant(archive):
    return Assistant(archive[0])


@pytest.mark.parametrize(
    "question, doc, value",
    [
        ("合肥2023年地区生产总值增长多少？", "合肥.docx", "5.8%"),  # read as 杭州市 before the archive work
        ("安顺市2023年地区生产总值增长多少？", "安顺.docx", "3%"),  # read as 广州市
        ("铜仁2023年地区生产总值增长多少？", "铜仁.docx", "3.6%"),  # read as 东莞市
        ("孝感2023年地区生产总值是多少？", "孝感.docx", "2920亿元"),  # read as 武汉市
        ("常州2024年地区生产总值增长目标是多少？", "常州.docx", "6%以上"),  # 常州 is 常州市
        ("黄山区2024年地区生产总值增长目标是多少？", "黄山.docx", "7%"),  # the file named 黄山 holds 黄山区's report
        ("河池市2024年的政府工作报告是哪天在人代会上作的？", "河池.docx", "2024年2月2日"),  # its title block
    ],
)
def test_a_city_is_answered_from_its_own_report(assistant, question, doc, value):
    answer = assistant.ask(question)
    assert not answer.refused, answer.text
    assert answer.citations[0].chunk.doc_id == doc and value in answer.short, (answer.short, answer.citations[0].chunk.doc_id)


@pytest.mark.parametrize(
    "question, named",
    [
        ("吉林市2023年地区生产总值是多少？", "吉林市"),  # not 吉林省
        ("黄山市2024年GDP增长目标是多少？", "黄山市"),  # 黄山区 is not 黄山市
        ("自贡2024年地区生产总值增长目标是多少？", "自贡市"),  # no report; 四川's does not state it
        ("2025年国务院政府工作报告提出的GDP增长目标是多少？", "全国2025年"),  # only the 2024 one is here
        ("合肥2024年政府工作报告是哪位市长作的？", "报告人"),  # 合肥.docx has no title block
    ],
)
def test_what_the_archive_does_not_hold_is_refused_by_name(assistant, question, named):
    answer = assistant.ask(question)
    assert answer.refused and named in answer.text, answer.text


def test_no_section_path_holds_the_title_block(archive):
    """A citation's section path never carries the title block: no speaker line (省长 刘小涛), no meeting line, and
    the title block's own passage shows no section (rag.export.briefing.section_path)."""
    import re

    from rag.domain.reports import MEETING, OFFICES
    from rag.export.briefing import section_path

    speaker = re.compile(rf"^(?:代理?)?(?:{OFFICES})\s*[\u4e00-\u9fff]{{2,4}}$")
    _, _, index, _ = archive
    bad = {
        (c.doc_id, s)
        for c in index.chunks
        for s in section_path(c).split(" > ")
        if s and (speaker.match(s.replace("\u3000", " ").strip()) or MEETING.search(s))
    }
    assert not bad, sorted(bad)[:10]
