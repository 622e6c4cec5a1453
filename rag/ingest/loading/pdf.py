"""PDF via pypdf: the text layer, page by page, reflowed into one paragraph per line.

- pypdf reports each visual line with its position and font size. A line
  starts a new paragraph when it is indented (or centred), when the line
  before it stops short of the right margin, when the font size or the line
  spacing changes, or when it opens with "一、" / "（一）". Otherwise it
  continues the paragraph: wrapped lines are joined, also across a page break.
- Running headers and footers (the same text, digits aside, at the top or
  bottom of many pages) and bare page numbers ("3", "- 3 -", "第3页 共9页") are
  dropped.
- Kangxi radicals that some PDF producers emit instead of ideographs ("⼀")
  are mapped back, and stray spaces between Chinese characters, and between digits and the
  Chinese around them ("2023 年", "增长 5%左右"), removed.
- Truncated, corrupt, password-protected and scanned (no text layer) files
  are rejected with a message that says what to do.
"""

from __future__ import annotations

import io
import logging
import math
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from pypdf import PdfReader
from pypdf.errors import DependencyError

from ...domain.headings import NUMBERED
from ...errors import LoadError
from .paragraphs import close_gaps, join_paragraphs

MIN_CHARS = 20  # visible characters in the whole file below which it has no usable text layer
MAX_GARBLED = 0.3  # share of private-use / replacement characters that means the text layer is unreadable
RUNNING_SHARE = 0.4  # a top/bottom line repeated on this share of pages (and at least 2) is a header/footer
EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be headers/footers
_REEXPORT = "请用原软件重新导出 PDF，或另存为 docx/txt 后再导入"
_OCR = "请先用 OCR 软件（如 WPS、Adobe Acrobat 的“文字识别”）识别成带文字层的 PDF，或导出为 docx/txt 后再导入"

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–_·•|]*(?:page\s*|第\s*)?(?:\d{1,4}|[ivxlc]{1,6})\s*页?"
    r"(?:\s*(?:[/／]|of|共)\s*\d{1,4}\s*页?)?[\s\-—–_·•|]*$",
    re.IGNORECASE,
)
_LATIN_WRAP = re.compile(r"[A-Za-z][,.;:)]?$")  # an English word wrapped to the next line needs a space
_RADICALS = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6), *range(0xF900, 0xFADA)]
    if len(unicodedata.normalize("NFKC", chr(cp))) == 1 and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}

# pypdf logs recoverable damage ("incorrect startxref pointer") as warnings on stderr;
# real damage raises, and is reported to the user as a LoadError.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass
class _Line:
    text: str  # stripped
    x: float  # start of the first visible character
    y: float  # baseline
    size: float  # effective font size
    indented: bool = False  # the raw text starts with spaces (indent typed as characters)

    @property
    def width(self) -> float:
        """Estimated: full-width characters are 1 em; Latin letters, digits and spaces from typical font metrics."""
        return sum(_char_width(ch) for ch in self.text) * self.size


def _char_width(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch == " ":
        return 0.25
    if ch.isupper():
        return 0.68
    if ch in "ijlftrI.,;:'!|()[]":
        return 0.3
    return 0.5


def read_pdf(data: bytes, name: str) -> str:
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"{name}: 不是 PDF 文件（文件开头没有 %PDF- 标记），可能已损坏或扩展名有误。{_REEXPORT}。")
    if b"%%EOF" not in data[-2048:]:
        raise LoadError(
            f"{name}: PDF 文件不完整（末尾缺少 %%EOF 结束标记），可能在下载或复制时被截断。请重新下载，或{_REEXPORT}。"
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        _decrypt(reader, name)
        pages = [_page_lines(page) for page in reader.pages]
    except LoadError:
        raise
    except Exception as e:  # pypdf raises many types for broken files
        detail = f"{type(e).__name__}: {e}"[:160]
        raise LoadError(f"{name}: PDF 文件已损坏，无法解析（{detail}）。{_REEXPORT}。") from e
    paragraphs = [_tidy(p) for p in _reflow(_drop_running_lines(pages))]
    text = join_paragraphs(paragraphs)
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < MIN_CHARS:
        raise LoadError(f"{name}: PDF 没有文字层（{len(pages)} 页中几乎提取不到文字），可能是扫描件或图片。{_OCR}。")
    garbled = sum(1 for ch in visible if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF)
    if garbled > MAX_GARBLED * len(visible):
        raise LoadError(f"{name}: PDF 的文字层无法正确提取（字体缺少编码映射，提取出的是乱码）。{_OCR}。")
    return text


def _decrypt(reader: PdfReader, name: str) -> None:
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")  # PDFs with only an owner password ("no copying") open without one
    except (DependencyError, NotImplementedError):
        opened = 0
    if not opened:
        raise LoadError(
            f"{name}: PDF 已加密（需要密码才能打开），无法读取文字。请在 PDF 软件中输入密码后另存为不加密的 PDF，再导入。"
        )


def _page_lines(page) -> list[_Line]:
    """Visual lines of one page, in content-stream order, with position and font size."""
    lines: list[_Line] = []
    raw, start = "", None

    def close() -> None:
        nonlocal raw, start
        if raw.strip() and start is not None:
            lines.append(_Line(raw.strip(), *start, indented=raw.startswith(("\u3000", "  "))))
        raw, start = "", None

    def visit(text, cm, tm, font_dict, font_size) -> None:
        nonlocal raw, start
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size * math.hypot(a, b)) or abs(font_size) or 1.0
        for i, part in enumerate(text.split("\n")):
            if i:
                close()
                if lines:  # a line break inside one text run: position it one line below
                    x, y = lines[-1].x, lines[-1].y - 1.2 * lines[-1].size
            if start is None and part.strip():
                start = (x, y, size)
            raw += part

    page.extract_text(visitor_text=visit)
    close()
    return lines


def _edges(lines: list[_Line]) -> set[int]:
    by_height = sorted(range(len(lines)), key=lambda i: -lines[i].y)
    return set(by_height[:EDGE_LINES] + by_height[-EDGE_LINES:])


def _running_key(line: _Line) -> tuple[str, int]:
    """Headers and footers repeat at the same height; only their page numbers and dates change."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text)), round(line.y / 4)


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Remove bare page numbers and headers/footers repeated at the top or bottom of pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_running_key(lines[i]) for i in _edges(lines)})
    limit = max(2, RUNNING_SHARE * len(pages))
    running = {k for k, c in counts.items() if c >= limit and len(k[0]) <= 60}
    kept = []
    for lines in pages:
        edges = _edges(lines)
        kept.append(
            [
                line
                for i, line in enumerate(lines)
                if not (i in edges and (_PAGE_NUMBER.match(line.text) or _running_key(line) in running))
            ]
        )
    return kept


def _mode(values: list[float], default: float) -> float:
    if not values:
        return default
    counts = Counter(round(v) for v in values)
    best = max(counts.values())
    return float(min(v for v, c in counts.items() if c == best))


def _reflow(pages: list[list[_Line]]) -> list[str]:
    """Join wrapped visual lines into paragraphs, also across page breaks."""
    every = [line for lines in pages for line in lines]
    if not every:
        return []
    body_size = _mode([line.size for line in every], 12.0)

    def is_body(line: _Line) -> bool:
        return abs(line.size - body_size) <= 0.15 * body_size

    doc_left = _mode([line.x for line in every if is_body(line)], 0.0)
    lefts = [_mode([line.x for line in lines if is_body(line)], doc_left) if len(lines) >= 3 else doc_left for lines in pages]
    spans = sorted(
        line.x + line.width - left for lines, left in zip(pages, lefts, strict=True) for line in lines if is_body(line)
    )
    spans = spans or sorted(line.x + line.width - doc_left for line in every)
    full = spans[int(0.9 * (len(spans) - 1))] - 2 * body_size  # a line this long reaches the right margin
    paragraphs: list[str] = []
    prev: _Line | None = None
    prev_left = doc_left
    for lines, left in zip(pages, lefts, strict=True):
        pitch = _pitch(lines)
        for n, line in enumerate(lines):
            if prev is None or _starts_paragraph(prev, prev_left, line, left, full, pitch if n else None):
                paragraphs.append(line.text)
            else:
                paragraphs[-1] += (" " if _LATIN_WRAP.search(paragraphs[-1]) and line.text[0].isascii() else "") + line.text
            prev, prev_left = line, left
    return paragraphs


def _pitch(lines: list[_Line]) -> float | None:
    gaps = [a.y - b.y for a, b in pairwise(lines) if a.y - b.y > 0.5 * a.size]
    return statistics.median(gaps) if gaps else None


def _starts_paragraph(prev: _Line, prev_left: float, line: _Line, left: float, full: float, pitch: float | None) -> bool:
    if line.indented or line.x > left + 0.8 * line.size:  # first-line indent, centred or right-aligned
        return True
    if prev.x + prev.width - prev_left < full:  # the line before stopped short of the right margin
        return True
    if abs(line.size - prev.size) > 0.15 * max(line.size, prev.size) or NUMBERED.match(line.text):
        return True
    if pitch is not None and not (0 < prev.y - line.y <= 1.5 * pitch):  # extra space, or a jump up (new column)
        return True
    return False


def _tidy(paragraph: str) -> str:
    return close_gaps(paragraph.translate(_RADICALS))
