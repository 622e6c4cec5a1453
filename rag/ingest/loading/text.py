"""Plain text and Markdown, with encoding detection.

Order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides; else
UTF-16 without a mark is recognised by its zero bytes (ASCII digits, spaces
and line breaks have a zero high byte); else strict UTF-8; else GB18030 (a
superset of GBK/GB2312) and Big5, each accepted only if the result reads like
Chinese text. Other binary data (a Word/PDF/zip/image file renamed to .txt,
executables) and text full of control characters are rejected with a message
that says what the file really is and how to fix it.
"""

from __future__ import annotations

from ...errors import LoadError

_BOMS = (  # UTF-32 first: its LE mark starts with the UTF-16 LE mark
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_MAGIC = (  # well-known binary formats, by their first bytes
    (b"PK\x03\x04", "zip 压缩包（可能是 .docx/.xlsx）", "若是 Word 文档，请改用 .docx 扩展名"),
    (b"%PDF-", "PDF 文件", "请改用 .pdf 扩展名"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（.doc/.xls）", "请用 Word 或 WPS 另存为 .docx"),
    (b"\x89PNG", "PNG 图片", "请提供文字版报告"),
    (b"\xff\xd8\xff", "JPEG 图片", "请提供文字版报告"),
    (b"GIF8", "GIF 图片", "请提供文字版报告"),
    (b"\x7fELF", "可执行程序", "请提供 txt/md/docx/pdf 报告"),
    (b"\x1f\x8b", "gzip 压缩包", "请先解压"),
    (b"Rar!", "RAR 压缩包", "请先解压"),
    (b"7z\xbc\xaf", "7z 压缩包", "请先解压"),
)
_SAVE_AS_UTF8 = "请用记事本或 WPS 打开后“另存为” UTF-8 编码再导入"
MIN_PLAUSIBLE = 0.9  # share of characters that must look like text for a guessed encoding


def decode_text(data: bytes, name: str) -> str:
    """Decode report bytes (see the module docstring); raise `LoadError` when they are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode(data[len(bom) :], encoding, name)
            if encoding != "utf-8" and plausibility(text) < MIN_PLAUSIBLE:
                raise LoadError(f"{name}: 文件开头像 UTF-16/UTF-32 文本，但内容不像文字，可能是二进制文件。{_SAVE_AS_UTF8}。")
            return _checked(text, name)
    _reject_known_binary(data, name)
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise LoadError(f"{name}: 文件包含二进制数据，不是文本文件。请提供 txt/md 文本，或使用正确的扩展名（.docx/.pdf）。")
        return _checked(text, name)
    try:
        return _checked(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausibility(text) >= MIN_PLAUSIBLE:
            return _checked(text, name)
    raise LoadError(f"{name}: 无法识别文件编码（不是 UTF-8、UTF-16、GBK/GB18030 或 Big5 文本）。{_SAVE_AS_UTF8}。")


def read_text(data: bytes, name: str) -> str:
    return decode_text(data, name)


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        label = encoding.upper().replace("-LE", "").replace("-BE", "")
        raise LoadError(f"{name}: 文件开头标明是 {label} 文本，但内容无法按 {label} 解码（{e.reason}）。{_SAVE_AS_UTF8}。") from e


def _reject_known_binary(data: bytes, name: str) -> None:
    for magic, what, fix in _MAGIC:
        if data.startswith(magic):
            raise LoadError(f"{name}: 这不是文本文件，而是{what}。{fix}。")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark, or None. The zero bytes of ASCII characters sit at
    odd offsets in little-endian and even offsets in big-endian text; the decoding must read as text."""
    if len(data) % 2:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if plausibility(text) >= MIN_PLAUSIBLE else None


def _is_texty(ch: str) -> bool:
    o = ord(ch)
    return (
        ch in "\n\r\t\f"
        or 0x20 <= o < 0x7F  # ASCII
        or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x2000 <= o <= 0x206F  # general punctuation (“” — …)
        or 0x00A0 <= o <= 0x024F  # Latin-1 supplement and extended Latin
        or 0x2150 <= o <= 0x24FF  # number forms, arrows, enclosed numerals (①)
        or 0x2500 <= o <= 0x25FF  # box drawing, geometric shapes (■ ●)
    )


def plausibility(text: str) -> float:
    """Share of characters typical of Chinese/English report text (1.0 for an empty string)."""
    if not text:
        return 1.0
    return sum(1 for ch in text if _is_texty(ch)) / len(text)


def _checked(text: str, name: str) -> str:
    if _control_ratio(text) > 0.01:
        raise LoadError(f"{name}: 文件包含大量控制字符，不像文本文件。请检查文件内容，或使用正确的扩展名（.docx/.pdf）。")
    return text


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\x7f")
    return bad / len(text)
