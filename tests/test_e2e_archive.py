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
    "question, doc",
    [
        ("合肥2023年地区生产总值是多少？", "合肥.docx"),  # read as 杭州市 before the archive work
        ("安顺市2023年地区生产总值增长多少？", "安顺.docx"),
        ("铜仁2023年地区生产总值增长多少？", "铜仁.docx"),
        ("孝感2023年地区生产总值是多少？", "孝感.docx"),
    ],
)
def test_a_city_is_answered_from_its_own_report(assistant, question, doc):
    answer = assistant.ask(question)
    assert not answer.refused, answer.text
    assert answer.citations and answer.citations[0].chunk.doc_id == doc, (answer.text, [c.chunk.doc_id for c in answer.citations])
