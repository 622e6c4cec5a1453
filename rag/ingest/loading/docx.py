"""Word 2007+ (.docx) via python-docx: body paragraphs and tables in document order.

- One paragraph per line. Paragraphs styled as headings ("Heading N", "标题 N",
  or an outline level, also through the style's base styles) become Markdown
  headings ("## …") so the chunker builds section paths from the real levels;
  the "Title" style and short bold lines stay plain lines (the chunker's own
  heading rules apply to them).
- Tables: one line per row, cells joined by two spaces, merged cells once,
  closed with "；" so the chunker reads rows as body text, not headings.
- Headers, footers, footnotes, comments and text boxes are not read.
- Before parsing, the archive is checked: a zip at all, has word/document.xml,
  total uncompressed size and compression ratio (zip bombs) within limits.
  python-docx parses XML with entity resolution off (no "billion laughs").
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from ...domain.headings import NUMBERED
from ...domain.numbers import CN_COUNT
from ...domain.reports import ADDRESS
from ...errors import LoadError
from .paragraphs import close_gaps, close_line, join_paragraphs

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 100  # uncompressed / compressed, per large member and overall
RATIO_MIN_BYTES = 1024 * 1024  # small XML parts compress very well and are harmless
MAX_MEMBERS = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted Office files and Word 97-2003 .doc
_RESAVE = "请用 Word 或 WPS 打开后“另存为”.docx 再导入"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_BODY_LEVEL = 9  # w:outlineLvl value of body text
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t\u3000]*")
SHORT_LINE = 24  # a line this short before a break is a heading or a title-block line, not wrapped text
RUN_ON = 3000  # characters: a paragraph longer than this holds several
_ENDS = "。！？!?；;"
_RUN_ON_BREAK = re.compile(rf"\u3000{{2,}}|(?<=[{_ENDS}：:])[ \u3000\xa0]+")
_RUN_ON_CUT = re.compile(rf"(?<=[{_ENDS}])(?={CN_COUNT}+、|[（(]{CN_COUNT}+[）)]|各位代表)")


def check_archive(data: bytes, name: str) -> None:
    """Reject non-zip, encrypted, bomb-like or non-Word archives without decompressing anything."""
    if data.startswith(OLE_MAGIC):
        raise LoadError(
            f"{name}: 这是加密（受密码保护）的 Word 文档，或旧版 Word 97-2003 格式（.doc）改了扩展名，无法读取。"
            f"请取消文档密码，或{_RESAVE}。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as e:
        raise LoadError(f"{name}: 不是有效的 DOCX 文件（不是 zip 压缩包），可能已损坏或扩展名有误。{_RESAVE}。") from e
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
    if len(infos) > MAX_MEMBERS:
        raise LoadError(
            f"{name}: DOCX 压缩包内有 {len(infos)} 个文件（上限 {MAX_MEMBERS}），疑似“压缩炸弹”，已拒绝读取。请检查文件来源。"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise LoadError(
            f"{name}: DOCX 解压后共 {total / 1e6:.0f} MB，超过上限 {MAX_UNCOMPRESSED / 1e6:.0f} MB（疑似“压缩炸弹”），"
            "已拒绝读取。请检查文件来源，或删除文档中的大图片、附件后再导入。"
        )
    packed = sum(i.compress_size for i in infos)
    suspicious = [i for i in infos if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1)]
    if not suspicious and total > RATIO_MIN_BYTES and total > MAX_RATIO * max(packed, 1):
        suspicious = infos
    if suspicious:
        worst = max(suspicious, key=lambda i: i.file_size / max(i.compress_size, 1))
        ratio = worst.file_size / max(worst.compress_size, 1)
        raise LoadError(
            f"{name}: DOCX 中的 {worst.filename} 压缩比异常（{ratio:.0f} 倍，上限 {MAX_RATIO} 倍），疑似“压缩炸弹”，"
            f"已拒绝读取。请检查文件来源，或{_RESAVE}。"
        )
    if "word/document.xml" not in names:
        raise LoadError(
            f"{name}: 不是有效的 DOCX 文件：压缩包里没有 word/document.xml（可能是 .xlsx/.pptx/.zip 等改了扩展名）。{_RESAVE}。"
        )


def read_docx(data: bytes, name: str) -> str:
    check_archive(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_blocks(document.element.body, document))
    except Exception as e:  # python-docx/lxml raise many types for broken parts
        detail = f"{type(e).__name__}: {e}"[:160]
        raise LoadError(f"{name}: DOCX 文件内容已损坏，无法解析（{detail}）。{_RESAVE}。") from e
    text = join_paragraphs(lines)
    if not text.strip():
        raise LoadError(f"{name}: DOCX 里没有文字（可能只有图片或扫描页）。请先用 OCR 软件识别成文字后再导入。")
    return text


def _blocks(parent, document):
    """Paragraph and table-row lines in document order (content controls are entered)."""
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield from _paragraph_lines(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            yield from _table_rows(Table(child, document))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, document)


def _flatten(text: str, keep_breaks: bool = False) -> str:
    """Soft line breaks inside a paragraph or cell: drop between Chinese characters, space between Latin words.
    With `keep_breaks` (body paragraphs), a break that ends a sentence, follows a short line (a heading, a title
    line) or opens a numbered heading or the address is a paragraph break: web text pasted into Word keeps its
    paragraphs as soft breaks of one paragraph."""
    text = text.replace("\t", "  ")

    def join(m: re.Match) -> str:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        if keep_breaks and _is_paragraph_break(text, m):
            return "\n"
        return " " if before.isascii() and after.isascii() and before.isalnum() and after.isalnum() else ""

    return _LINE_BREAK.sub(join, text).strip()


def _is_paragraph_break(text: str, m: re.Match) -> bool:
    line = text[: m.start()].rsplit("\n", 1)[-1].strip()
    rest = text[m.end() :]
    following = rest.split("\n", 1)[0].strip()
    return bool(line) and (
        line[-1] in _ENDS + "：:"
        or len(line) <= SHORT_LINE
        or (len(following) <= SHORT_LINE and following[-1:] not in _ENDS)  # a title-block line ("市长 黄江"), a heading
        or bool(NUMBERED.match(rest) or ADDRESS.match(rest))
    )


def split_run_on(line: str) -> list[str]:
    """A paragraph that holds a whole report (a text pasted without its breaks): cut at the indents it kept
    ("\u3000\u3000"), at a space after a sentence, before each numbered heading ("。一、…", "。（二）…") and the
    address ("…各位代表："); spaces its wrapped lines left between characters closed ("并 请" → "并请")."""
    if len(line) < RUN_ON:
        return [line]
    pieces = [close_gaps(p) for p in _RUN_ON_BREAK.split(line)]
    return [p.strip() for piece in pieces for p in _RUN_ON_CUT.split(piece) if p.strip()]


def _paragraph_lines(paragraph: Paragraph) -> list[str]:
    text = _flatten(paragraph.text, keep_breaks=True)
    if not text:
        return []
    level = _heading_level(paragraph)
    if level and "\n" not in text:
        return [f"{'#' * level} {text}"]
    return [part for line in text.split("\n") for part in split_run_on(line.strip()) if part]


def _outline_level(ppr) -> int | None:
    node = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if node is None:
        return None
    try:
        return int(node.get(qn("w:val")))
    except (TypeError, ValueError):
        return None


def _heading_level(paragraph: Paragraph) -> int | None:
    """1-6 for headings (direct outline level, heading style or its base styles), else None."""
    level = _outline_level(paragraph._p.pPr)
    style, depth = paragraph.style, 0
    while level is None and style is not None and depth < 10:
        m = _HEADING_STYLE.match((style.name or "").strip())
        level = int(m.group(1)) - 1 if m else _outline_level(style.element.pPr)
        style, depth = style.base_style, depth + 1
    if level is None or level >= _BODY_LEVEL or level < 0:
        return None
    return min(level + 1, 6)


def _table_rows(table: Table):
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell is listed once per grid column
                continue
            seen.append(cell._tc)
            text = _flatten(cell.text)
            if text:
                cells.append(text)
        if cells:
            yield close_line("  ".join(cells))
