import pytest

from rag.errors import LoadError
from rag.ingest.loading import decode_text, find_documents, load_document

TEXT = "张店区2022年地区生产总值完成805亿元。"


def test_utf8_and_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    doc = load_document(p)
    assert doc.text == TEXT and doc.doc_id == "a.txt" and len(doc.sha256) == 64


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_other_encodings_are_detected(tmp_path, encoding):
    p = tmp_path / "b.md"
    p.write_bytes(TEXT.encode(encoding))
    assert load_document(p).text == TEXT


def test_crlf_normalised(tmp_path):
    p = tmp_path / "c.txt"
    p.write_bytes("第一段\r\n第二段\r\n".encode())
    assert load_document(p).text == "第一段\n第二段\n"


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("bin.txt", bytes(range(256)) * 4, "二进制"),
        ("empty.txt", b"   \n", "空的"),
        ("x.exe", b"hello", "不支持的文件类型"),
        ("ctrl.txt", ("\x01\x02\x03" * 50 + "文本").encode(), "控制字符"),
    ],
)
def test_bad_files_rejected_with_message(tmp_path, name, data, message):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(LoadError, match=message):
        load_document(p)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="不存在"):
        load_document(tmp_path / "nope.txt")


def test_undecodable_bytes():
    with pytest.raises(LoadError, match="编码"):
        decode_text(b"\xff\xff\xfe\x80\x81" * 3 + b"\x80", "x.txt")


def test_find_documents_expands_dirs(tmp_path):
    (tmp_path / "a.txt").write_text("一", encoding="utf-8")
    (tmp_path / "b.md").write_text("二", encoding="utf-8")
    (tmp_path / "c.png").write_bytes(b"x")
    assert [p.name for p in find_documents([tmp_path])] == ["a.txt", "b.md"]


# --- DOCX and PDF -------------------------------------------------------------------------------

import io  # noqa: E402
import zipfile  # noqa: E402

import docx  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

import rag.ingest.loading  # noqa: E402
import rag.ingest.loading.docx as docx_loader  # noqa: E402
from fakes import make_zip  # noqa: E402
from rag.ingest.chunking import chunk_document  # noqa: E402
from rag.ingest.metadata import extract_metadata  # noqa: E402
from rag.ingest.run import ingest  # noqa: E402
from rag.stores.files import read_manifest  # noqa: E402

FONT = "STSong-Light"  # reportlab's built-in CID font: Chinese without a font file
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
LONG = (
    "经济运行稳中有升。预计地区生产总值完成805亿元，同比增长3.4%；一般公共预算收入完成44.9亿元。"
    "工业经济提质增效，规上工业增加值增长7.3%，高新技术产业产值占比达到52.6%。项目建设扎实推进，全年实施区级重点项目76个。"
)


def make_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("甲山区政府工作报告")
    d.add_heading("2022年政府工作回顾", 1)
    d.add_paragraph(LONG)
    d.add_heading("主要指标完成情况", 2)
    table = d.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "主要经济指标"
    for i, row in enumerate([("指标", "数值", "增长"), ("地区生产总值", "805亿元", "3.4%")], start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    d.add_paragraph("充电桩保有量达到3000个以上。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines = []
    while text:
        n = 1
        while n < len(text) and pdfmetrics.stringWidth(text[: n + 1], FONT, size) <= width:
            n += 1
        lines.append(text[:n])
        text = text[n:]
    return lines


def make_pdf(paragraphs: list[str], lines_per_page: int = 12, size: float = 16) -> bytes:
    """A Chinese report laid out like a Word export: 2-character first-line indent, a running
    header and a "- n -" footer on every page; paragraphs flow on across page breaks."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    left, text_width, page = 90.0, 26 * size, 1
    rows = []
    for para in paragraphs:
        first = _wrap(para, text_width - 2 * size, size)[0]
        rows.append((left + 2 * size, first))
        rows.extend((left, line) for line in _wrap(para[len(first) :], text_width, size))

    def furniture() -> None:
        c.setFont(FONT, 10)
        c.drawCentredString(297, 810, "甲山区人民政府文件")
        c.drawCentredString(297, 40, f"- {page} -")
        c.setFont(FONT, size)

    furniture()
    for i, (x, line) in enumerate(rows):
        if i and i % lines_per_page == 0:
            c.showPage()
            page += 1
            furniture()
        c.drawString(x, 760 - (i % lines_per_page) * size * 1.6, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_scanned_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(72, 400, 300, 200, fill=1)  # stands in for a scanned image: no text at all
    c.showPage()
    c.save()
    return buf.getvalue()


def _write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_docx_headings_paragraphs_and_table(tmp_path):
    doc = load_document(_write(tmp_path, "r.docx", make_docx()))
    lines = doc.text.splitlines()
    assert lines[:3] == ["甲山区政府工作报告", "# 2022年政府工作回顾", LONG]
    assert "## 主要指标完成情况" in lines
    assert "地区生产总值  805亿元  3.4%；" in lines  # one line per row, cells joined by two spaces
    assert lines.count("主要经济指标；") == 1  # a merged cell is read once
    chunks = chunk_document(doc, extract_metadata(doc.text))
    gdp = next(c for c in chunks if "805亿元，同比增长3.4%" in c.text)
    assert gdp.section[0] == "2022年政府工作回顾" and (gdp.period, gdp.period_kind) == (2022, "review")
    row = next(c for c in chunks if "地区生产总值  805亿元" in c.text)
    assert row.section[:2] == ("2022年政府工作回顾", "主要指标完成情况")
    assert doc.text[row.start : row.end] == row.text  # spans still point into the loaded text


def test_docx_long_unpunctuated_row_is_not_glued_to_the_next(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=2, cols=3)
    for i, row in enumerate(
        [("新建5G基站与千兆光网覆盖的行政村数量", "全区合计三百个以上", "较上年增长百分之十二"), ("充电桩", "3000个", "增长8%")]
    ):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    buf = io.BytesIO()
    d.save(buf)
    doc = load_document(_write(tmp_path, "t.docx", buf.getvalue()))
    chunks = chunk_document(doc, extract_metadata(doc.text))
    rows = [c for c in chunks if "充电桩" in c.text]
    assert len(rows) == 1 and rows[0].text.splitlines()[-1] == "充电桩  3000个  增长8%；"  # quoted as a row, not a heading
    assert rows[0].text.splitlines()[0].startswith("新建5G基站")  # the long row kept its own line


def test_docx_paragraph_without_final_punctuation_stays_apart(tmp_path):
    d = docx.Document()
    d.add_paragraph("全面落实“十四五”规划确定的各项目标任务，统筹推进稳增长、促改革、调结构、惠民生、防风险各项工作")
    d.add_paragraph("新建5G基站300座以上。")
    buf = io.BytesIO()
    d.save(buf)
    doc = load_document(_write(tmp_path, "p.docx", buf.getvalue()))
    chunks = chunk_document(doc, extract_metadata(doc.text))
    assert not any("各项工作新建" in c.text for c in chunks)  # the chunker's page-break repair must not glue them
    assert doc.text.splitlines()[1] == "新建5G基站300座以上。"


def test_pdf_paragraph_rejoined_across_page_break_and_furniture_dropped(tmp_path):
    opening = "各位代表：现在我代表区人民政府向大会报告工作，请予审议，并请各位政协委员和列席会议的同志提出意见。"
    paragraphs = ["甲山区政府工作报告", opening, "2022年政府工作回顾", LONG, LONG.replace("805", "806")]
    data = make_pdf(paragraphs, lines_per_page=8)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 2 and LONG[:12] in pages[0] and "76个" not in pages[0]  # LONG crosses the page break, inside "76"
    doc = load_document(_write(tmp_path, "r.pdf", data))
    lines = doc.text.splitlines()
    assert lines == paragraphs
    assert "- 1 -" not in doc.text and "人民政府文件" not in doc.text
    chunks = chunk_document(doc, extract_metadata(doc.text))
    assert any("805亿元，同比增长3.4%" in c.text and c.section[0] == "2022年政府工作回顾" for c in chunks)


def test_pdf_page_break_inside_a_paragraph(tmp_path):
    # 3 lines per page: every page break falls inside a paragraph, twice between identical lines
    data = make_pdf([LONG, LONG.replace("805", "806")], lines_per_page=3)
    assert len(PdfReader(io.BytesIO(data)).pages) == 4
    text = load_document(_write(tmp_path, "p.pdf", data)).text
    assert text.splitlines() == [LONG, LONG.replace("805", "806")]


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("notzip.docx", "这不是 Word 文档".encode() * 20, "不是 zip"),
        ("old.docx", docx_loader.OLE_MAGIC + b"\x00" * 600, "加密"),
        ("notes.pdf", b"%PDF-1.4\n" + b"garbage " * 50, "不完整"),
        ("fake.pdf", "一份文本".encode() * 20, "不是 PDF"),
        ("scan.pdf", make_scanned_pdf(), "OCR"),
        ("half.pdf", make_pdf([LONG])[:900], "截断"),
        (
            "mangled.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            "损坏",
        ),
        ("x.doc", b"\xd0\xcf\x11\xe0", ".docx"),
    ],
)
def test_bad_docx_and_pdf_rejected_with_fix(tmp_path, name, data, message):
    with pytest.raises(LoadError, match=message) as info:
        load_document(_write(tmp_path, name, data))
    assert name in str(info.value) and "请" in str(info.value)


def test_docx_without_document_xml(tmp_path):
    data = make_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    with pytest.raises(LoadError, match="word/document.xml"):
        load_document(_write(tmp_path, "sheet.docx", data))


def test_docx_with_broken_xml(tmp_path):
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    members = {n: good.read(n) for n in good.namelist()}
    members["word/document.xml"] = members["word/document.xml"][:200]
    with pytest.raises(LoadError, match="已损坏"):
        load_document(_write(tmp_path, "broken.docx", make_zip(members)))


def test_zip_bomb_docx_rejected_before_parsing(tmp_path, monkeypatch):
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    members = {n: good.read(n) for n in good.namelist()}
    members["word/media/image1.png"] = b"\0" * (8 * 1024 * 1024)  # ~1000:1
    bomb = _write(tmp_path, "bomb.docx", make_zip(members))
    assert bomb.stat().st_size < 100_000
    monkeypatch.setattr(docx_loader.docx, "Document", lambda *a: pytest.fail("parsed a zip bomb"))
    with pytest.raises(LoadError, match="压缩炸弹") as info:
        load_document(bomb)
    assert "image1.png" in str(info.value)


def test_docx_over_uncompressed_limit(tmp_path, monkeypatch):
    members = {"word/document.xml": b"<w:document/>", "word/media/a.bin": bytes(range(256)) * 8192}  # 2 MB, incompressible
    monkeypatch.setattr(docx_loader, "MAX_UNCOMPRESSED", 1024 * 1024)
    with pytest.raises(LoadError, match="解压后共 2 MB"):
        load_document(_write(tmp_path, "big.docx", make_zip(members)))


def test_encrypted_pdf(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([LONG]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(LoadError, match="已加密"):
        load_document(_write(tmp_path, "locked.pdf", buf.getvalue()))


def test_file_over_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(rag.ingest.loading, "MAX_BYTES", 1000)
    with pytest.raises(LoadError, match="文件过大"):
        load_document(_write(tmp_path, "r.pdf", make_pdf([LONG])))


def test_unknown_suffix_lists_accepted_types(tmp_path):
    with pytest.raises(LoadError, match=r"支持：\.docx、\.markdown、\.md、\.pdf、\.txt"):
        load_document(_write(tmp_path, "r.xlsx", b"PK"))


def test_find_documents_takes_docx_pdf_and_skips_lock_files(tmp_path):
    for name in ["a.docx", "b.pdf", "~$a.docx", "c.xlsx"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text("三", encoding="utf-8")
    assert [p.name for p in find_documents([tmp_path])] == ["a.docx", "b.pdf"]


def test_ingest_mixed_directory_keeps_index_for_bad_files(tmp_path, fake_index, fake_embedder):
    before = read_manifest(fake_index).documents
    old = tmp_path / "old"
    old.mkdir()
    _write(old, "report.pdf", make_pdf([LONG]))
    ingest([old], fake_index, fake_embedder)
    report_pdf = read_manifest(fake_index).documents["report.pdf"]

    new = tmp_path / "new"
    new.mkdir()
    _write(new, "good.docx", make_docx())
    _write(new, "good.pdf", make_pdf(["2023年工作安排", LONG.replace("805", "900")]))
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    bomb = {n: good.read(n) for n in good.namelist()} | {"word/media/x.bin": b"\0" * (4 * 1024 * 1024)}
    bad = {
        "bomb.docx": make_zip(bomb),
        "broken.docx": b"PK\x03\x04 not really a zip",
        "scan.pdf": make_scanned_pdf(),
        "report.pdf": make_pdf([LONG])[:700],  # a truncated copy of an indexed document
    }
    for name, data in bad.items():
        _write(new, name, data)
    messages = []
    report = ingest([new], fake_index, fake_embedder, progress=messages.append)

    assert sorted(report.added) == ["good.docx", "good.pdf"]
    assert sorted(p.rsplit("/", 1)[-1] for p in report.failed) == sorted(bad)
    assert all(any(m.startswith(name) for m in messages) for name in bad)
    after = read_manifest(fake_index).documents
    assert {k: after[k] for k in before} == before
    assert after["report.pdf"] == report_pdf  # the failed update left the indexed version in place
    assert set(after) == set(before) | {"report.pdf", "good.docx", "good.pdf"}


def test_ingest_of_only_bad_files_leaves_index_untouched(tmp_path, fake_index, fake_embedder):
    from rag.stores.files import current_generation

    generation = current_generation(fake_index)
    manifest = (generation / "manifest.json").read_bytes()
    _write(tmp_path, "scan.pdf", make_scanned_pdf())
    _write(tmp_path, "x.docx", b"not a zip")
    report = ingest([tmp_path / "scan.pdf", tmp_path / "x.docx"], fake_index, fake_embedder)
    assert len(report.failed) == 2 and not report.changed
    assert current_generation(fake_index) == generation and (generation / "manifest.json").read_bytes() == manifest


def test_pdf_text_tidied():
    from rag.ingest.loading.pdf import _tidy

    # Kangxi radicals some producers emit instead of ideographs, and spaces between Chinese characters
    assert _tidy("⼀年来，我们 坚持⼯作 重点，GDP 增长 5.5%") == "一年来，我们坚持工作重点，GDP 增长5.5%"
    # a PDF's spaces around digits inside Chinese text (issue 20): "2023 年", "增长 5%左右", "5.3 %"
    assert _tidy("2023 年增长 5%左右，达 14.2 万亿元，增长 5.3 %。") == "2023年增长5%左右，达14.2万亿元，增长5.3%。"
    assert _tidy("GDP 2.0 version") == "GDP 2.0 version"  # Latin text keeps its spaces


def test_pdf_with_spaced_digits_reads_as_the_report_wrote_it(tmp_path):
    p = tmp_path / "r.pdf"
    p.write_bytes(make_pdf(["甲山区 2023 年地区生产总值增长 5%左右，一般公共预算收入 44.9 亿元。" * 3]))
    text = load_document(p).text
    assert "2023年地区生产总值增长5%左右" in text and "44.9亿元" in text


def _docx_bytes(build) -> bytes:
    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_soft_breaks_that_end_a_paragraph_are_kept(tmp_path):
    # web text pasted into Word: one paragraph, its paragraphs joined by soft line breaks (<w:br/>)
    def build(d):
        run = d.add_paragraph().add_run("政府工作报告")
        for line in ("——2024年2月1日在甲市第七届人民代表大会第五次会议上", "市长 黄江", "各位代表：", "一、2023年工作回顾",
                     "全市地区生产总值增长8.6%，增速排全区第一，连续三年", "保持全区前三。"):  # fmt: skip
            run.add_break()
            run.add_text(line)

    p = tmp_path / "a.docx"
    p.write_bytes(_docx_bytes(build))
    lines = load_document(p).text.splitlines()
    assert lines[:5] == [
        "政府工作报告",
        "——2024年2月1日在甲市第七届人民代表大会第五次会议上",
        "市长 黄江",
        "各位代表：",
        "一、2023年工作回顾",
    ]
    assert lines[5] == "全市地区生产总值增长8.6%，增速排全区第一，连续三年保持全区前三。"  # a wrapped line is joined


def test_a_docx_that_runs_a_report_into_one_paragraph_is_cut_at_its_headings(tmp_path):
    body = "全市经济稳中向好，各项事业取得新进展。" * 200
    text = f"各位代表：\u3000\u3000现在，我代表市人民政府向大会报告工作。一、2023年工作回顾\u3000\u3000{body}二、2024年工作安排\u3000\u3000地区生产总值增长 6%左右。"
    p = tmp_path / "b.docx"
    p.write_bytes(_docx_bytes(lambda d: d.add_paragraph(text)))
    lines = load_document(p).text.splitlines()
    assert "一、2023年工作回顾" in lines and "二、2024年工作安排" in lines and "地区生产总值增长6%左右。" in lines
