"""Bad files: each gets its own message naming the file, what is wrong and the
fix, and the index stays exactly as it was (the manifest — with the sha256 of
every index file — is byte-identical). Text in GBK, GB18030, Big5, UTF-16 and
UTF-32, with or without a byte-order mark, loads correctly."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_loading import LONG, make_docx, make_pdf, make_scanned_pdf

from conftest import ROOT
from fakes import KeywordEmbedder, make_zip
from rag.app.library import Library
from rag.ingest.loading import MAX_BYTES, load_document
from rag.ingest.run import ingest
from rag.pipeline import Assistant
from rag.stores.files import current_generation, read_manifest

REPORT = "丙河县政府工作报告\n2023年丙河县茶叶产量达到2.35万吨，茶产业综合产值突破40亿元。\n"
BIG5_REPORT = "臺北市政府工作報告：去年地區生產總值達到805億元，同比增長3.4%。各項工作穩步推進，民生持續改善。\n"


@pytest.mark.parametrize(
    "text,encoding,bom",
    [
        (REPORT, "gbk", b""),
        (REPORT, "gb18030", b""),
        (REPORT, "utf-8", b"\xef\xbb\xbf"),
        (REPORT, "utf-16-le", b"\xff\xfe"),
        (REPORT, "utf-16-be", b"\xfe\xff"),
        (REPORT, "utf-16-le", b""),  # no byte-order mark (some exporters write none)
        (REPORT, "utf-16-be", b""),
        (REPORT, "utf-32-le", b"\xff\xfe\x00\x00"),
        (BIG5_REPORT, "big5", b""),
    ],
    ids=["gbk", "gb18030", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "utf32le-bom", "big5"],
)
def test_encodings_are_detected_and_decoded(tmp_path, text, encoding, bom):
    path = tmp_path / "report.txt"
    path.write_bytes(bom + text.encode(encoding))
    assert load_document(path).text == text


def test_gbk_and_utf16_reports_are_ingested_and_answered(fake_index, fake_embedder, tmp_path):
    (tmp_path / "gbk.txt").write_bytes(REPORT.encode("gbk"))
    (tmp_path / "u16.txt").write_bytes(REPORT.replace("丙河县", "丁山县").replace("2.35", "1.8").encode("utf-16"))
    report = ingest([tmp_path], fake_index, fake_embedder)
    assert sorted(report.added) == ["gbk.txt", "u16.txt"] and not report.failed
    bot = Assistant(fake_index, embedder=fake_embedder)
    assert "2.35万吨" in bot.ask("丙河县茶叶产量达到多少？").text
    assert "1.8万吨" in bot.ask("丁山县茶叶产量达到多少？").text


def _docx_members() -> dict[str, bytes]:
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    return {n: good.read(n) for n in good.namelist()}


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([LONG]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# name -> (content, what the message must say)
BAD_FILES = {
    "binary.txt": (bytes(range(256)) * 64, "二进制"),
    "word_renamed.txt": (make_docx(), "zip"),
    "pdf_renamed.txt": (make_pdf([LONG]), "PDF"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
    "empty.txt": (b"", "空的"),
    "blank.md": (" \n\u3000\n".encode(), "空的"),
    "control.txt": (("\x01\x02\x03\x04" * 100 + "文本").encode(), "控制字符"),
    "undecodable.txt": (b"\x80\x81\xfe\xff\x80" * 40, "编码"),
    "fake_bom.txt": (b"\xff\xfe" + "".join(chr(0xA000 + i * 7 % 1100) for i in range(400)).encode("utf-16-le"), "不像文字"),
    "notzip.docx": ("这不是 Word 文档".encode() * 20, "不是有效的 DOCX"),
    "bomb.docx": (make_zip(_docx_members() | {"word/media/image1.png": b"\0" * (8 * 1024 * 1024)}), "压缩炸弹"),
    "broken.docx": (
        make_zip(_docx_members() | {"word/document.xml": _docx_members()["word/document.xml"][:200]}),
        "已损坏",
    ),
    "encrypted.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "加密"),
    "scan.pdf": (make_scanned_pdf(), "没有文字层"),
    "locked.pdf": (_encrypted_pdf(), "已加密"),
    "half.pdf": (make_pdf([LONG])[:900], "截断"),
    "tool.exe": (b"MZ\x90\x00" + b"\x00" * 100, "不支持的文件类型"),
    "old.doc": (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".docx"),
}
OVER_SIZE = "huge.txt"  # MAX_BYTES + 1, written sparse


def write_bad_files(folder: Path) -> dict[str, str]:
    """Write every bad file into `folder`; returns name -> expected words. (Pass the files one by one:
    a directory walk takes only .txt/.md/.docx/.pdf and so never sees tool.exe or old.doc.)"""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    with open(folder / OVER_SIZE, "wb") as f:
        f.truncate(MAX_BYTES + 1)
    return {**{n: words for n, (_, words) in BAD_FILES.items()}, OVER_SIZE: "文件过大"}


def index_state(root: Path) -> tuple:
    gen = current_generation(root)
    return gen.name, (gen / "manifest.json").read_bytes(), read_manifest(root).files


def test_each_bad_file_gets_its_own_message(tmp_path):
    expected = write_bad_files(tmp_path)
    for name, words in expected.items():
        with pytest.raises(Exception) as info:
            load_document(tmp_path / name)
        message = str(info.value)
        assert type(info.value).__name__ == "LoadError" and message.startswith(name), message
        assert words in message and "请" in message, message  # what is wrong and what to do


def test_ingest_of_bad_files_reports_each_and_leaves_the_index_byte_identical(fake_index, tmp_path):
    fake_embedder = KeywordEmbedder()
    before = index_state(fake_index)
    expected = write_bad_files(tmp_path / "bad")
    said: list[str] = []
    report = ingest(sorted((tmp_path / "bad").iterdir()), fake_index, fake_embedder, progress=said.append)
    assert sorted(Path(f).name for f in report.failed) == sorted(expected)
    for path, message in report.failed.items():
        assert expected[Path(path).name] in message
    assert all(any(m.startswith(name) for m in said) for name in expected)
    assert not report.changed and fake_embedder.passages_embedded == 0
    assert index_state(fake_index) == before


def test_bad_files_beside_good_ones_leave_the_other_documents_byte_identical(fake_index, fake_embedder, tmp_path):
    before = read_manifest(fake_index).documents
    write_bad_files(tmp_path / "mixed")
    (tmp_path / "mixed" / "good.txt").write_bytes(REPORT.encode("gbk"))
    report = ingest(sorted((tmp_path / "mixed").iterdir()), fake_index, fake_embedder)
    assert report.added == ["good.txt"] and len(report.failed) == len(BAD_FILES) + 1
    after = read_manifest(fake_index).documents
    assert {k: after[k] for k in before} == before and set(after) == set(before) | {"good.txt"}


def test_upload_of_bad_files_in_the_app(fake_index, fake_embedder, tmp_path):
    before = index_state(fake_index)
    expected = write_bad_files(tmp_path / "up")
    results = Library(fake_index, fake_embedder).upload(sorted((tmp_path / "up").iterdir()))
    assert sorted(r.name for r in results) == sorted(expected)
    for r in results:
        assert not r.ok and expected[r.name] in r.message, (r.name, r.message)
        assert str(tmp_path) not in r.message  # no server paths in what the user sees
    assert index_state(fake_index) == before
    assert [p.name for p in (fake_index / "uploads").iterdir() if not p.name.startswith(".")] == []


@pytest.mark.slow
def test_rag_ingest_of_bad_files_via_the_cli(real_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    before = index_state(index)
    expected = write_bad_files(tmp_path / "bad")
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "ingest", *map(str, sorted((tmp_path / "bad").iterdir())), "--index", str(index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr and proc.returncode == 1
    failures = [line for line in proc.stderr.splitlines() if line.startswith("失败：")]
    assert len(failures) == len(expected)
    for name, words in expected.items():
        assert any(line.startswith(f"失败：{name}") and words in line for line in failures), name
    assert "新增 0，更新 0" in proc.stdout
    assert index_state(index) == before
