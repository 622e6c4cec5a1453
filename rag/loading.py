"""Step 1: read report files into `Document`s.

Plain text and Markdown are supported here. UTF-8 is tried first; files in
GBK/GB18030 or UTF-16 (with BOM) are detected and decoded. Binary data and
empty files are rejected with a message that says what is wrong.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import LoadError
from .types import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES
MAX_BYTES = 20 * 1024 * 1024


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
        raise LoadError(f"{name}: 文件包含二进制数据，不是文本文件。请提供 txt/md 文本。")
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


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(text)


def load_document(path: str | Path) -> Document:
    """Read one file. The document id is the file name."""
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: 文件不存在。请检查路径。")
    if not path.is_file():
        raise LoadError(f"{path}: 不是文件。")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = "、".join(sorted(SUPPORTED_SUFFIXES))
        raise LoadError(f"{path.name}: 不支持的文件类型“{suffix or '无扩展名'}”。支持：{allowed}。")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LoadError(f"{path.name}: 文件过大（{size / 1e6:.1f} MB，上限 {MAX_BYTES / 1e6:.0f} MB）。请拆分后再导入。")
    data = path.read_bytes()
    text = decode_text(data, path.name).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LoadError(f"{path.name}: 文件是空的。")
    return Document(
        doc_id=path.name,
        text=text,
        source=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def find_documents(paths: list[str | Path]) -> list[Path]:
    """Expand directories into the supported files they contain (sorted)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            found.append(p)
    return found
