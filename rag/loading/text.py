"""Plain text and Markdown: UTF-8 (optionally with BOM), UTF-16 with BOM, else GBK/GB18030.

Binary data and text full of control characters are rejected with a message
that says what is wrong.
"""

from __future__ import annotations

from ..errors import LoadError


def decode_text(data: bytes, name: str) -> str:
    """Decode report bytes: UTF-8 (optionally with BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise LoadError(f"{name}: 看起来是 UTF-16 文本，但无法解码（{e.reason}）。请另存为 UTF-8 后重试。") from e
    if b"\x00" in data:
        raise LoadError(f"{name}: 文件包含二进制数据，不是文本文件。请提供 txt/md 文本，或使用正确的扩展名（.docx/.pdf）。")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LoadError(f"{name}: 无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030）。请另存为 UTF-8 后重试。")
    if _control_ratio(text) > 0.01:
        raise LoadError(f"{name}: 文件包含大量控制字符，不像文本文件。请检查文件内容。")
    return text


def read_text(data: bytes, name: str) -> str:
    return decode_text(data, name)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(text)
