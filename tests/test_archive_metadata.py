"""Metadata read from the text of every document of the 184-document archive, against what a reader finds
in each text (tests/archive_expected.py): region, level, year and type. File names are hints only: 黄山.docx is
the 黄山区 report, 台州.docx holds the national report, 池州.docx the 2023 report."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_expected import EXPECTED

from conftest import ARCHIVE_FOLDERS, REPORTS, archive_files, needs_archive
from rag.domain.places import gazetteer
from rag.ingest.loading import load_document
from rag.ingest.metadata import extract_metadata

pytestmark = needs_archive


@pytest.fixture(scope="module")
def read() -> dict[str, tuple]:
    g = gazetteer()
    out = {}
    for path in [*sorted(REPORTS.glob("*.txt")), *archive_files()]:
        meta = extract_metadata(load_document(path).text, g)
        out[f"{_folder(path)}/{path.name}"] = (meta.region, meta.level, meta.year, meta.doc_type, meta)
    return out


def _folder(path: Path) -> str:
    if path.parent == REPORTS:
        return "data/reports"
    return next(name for name, d in ARCHIVE_FOLDERS.items() if path.parent == d)


def test_every_document_of_the_archive_is_listed(read):
    listed = {f"{folder}/{name}" for folder, files in EXPECTED.items() for name in files}
    assert len(listed) == 184 and set(read) == listed


@pytest.mark.parametrize("folder", list(EXPECTED))
def test_region_level_year_and_type_come_from_the_text(read, folder):
    wrong = {
        name: (read[f"{folder}/{name}"][:4], want)
        for name, want in EXPECTED[folder].items()
        if read[f"{folder}/{name}"][:4] != want
    }
    assert not wrong, wrong


def test_web_copies_have_their_title_block_not_the_page_furniture(read):
    for name in EXPECTED["corpus-2026"]:
        meta = read[f"corpus-2026/{name}"][4]
        assert "政府工作报告" in meta.title and "下载" not in meta.title, (name, meta.title)
        assert meta.speaker and meta.date.startswith("2026-") and "人民代表大会" in meta.meeting, (name, meta)


def test_spaced_out_title_blocks_are_read(read):
    bengbu = read["corpus-cities/蚌埠.docx"][4]  # "市长  马  军"
    qdn = read["corpus-cities/黔东南.docx"][4]  # "政 府 工 作 报 告"
    assert (bengbu.speaker, bengbu.speaker_title) == ("马军", "市长")
    assert qdn.title == "黔东南苗族侗族自治州政府工作报告（2024年）" and qdn.speaker == "杨光杰"
