"""Step 1: read report files into `Document`s.

One module per format: `text` (txt/md in UTF-8, GBK/GB18030 or UTF-16),
`docx` (python-docx) and `pdf` (pypdf text layer). Each returns text with one
paragraph per line, the shape `rag.ingest.chunking` reads; `furniture` then drops what a
web page put around a copied report (its buttons, source lines, captions, link lists). Every failure is a
`LoadError` whose message names the file, what is wrong and how to fix it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ...errors import LoadError
from ...types import Document
from .docx import read_docx
from .furniture import strip_furniture
from .pdf import read_pdf
from .text import decode_text, read_text

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
DOCX_SUFFIXES = {".docx"}
PDF_SUFFIXES = {".pdf"}
READERS: dict[str, Callable[[bytes, str], str]] = {
    **dict.fromkeys(TEXT_SUFFIXES, read_text),
    **dict.fromkeys(DOCX_SUFFIXES, read_docx),
    **dict.fromkeys(PDF_SUFFIXES, read_pdf),
}
SUPPORTED_SUFFIXES = set(READERS)
MAX_BYTES = 20 * 1024 * 1024

__all__ = [
    "DOCX_SUFFIXES",
    "MAX_BYTES",
    "PDF_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "decode_text",
    "find_documents",
    "load_document",
]


def load_document(path: str | Path) -> Document:
    """Read one file. The document id is the file name."""
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: 文件不存在。请检查路径。")
    if not path.is_file():
        raise LoadError(f"{path}: 不是文件。")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        allowed = "、".join(sorted(SUPPORTED_SUFFIXES))
        hint = "请另存为 .docx 后重试。" if suffix == ".doc" else "请转换为其中一种格式后重试。"
        raise LoadError(f"{path.name}: 不支持的文件类型“{suffix or '无扩展名'}”。支持：{allowed}。{hint}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LoadError(f"{path.name}: 文件过大（{size / 1e6:.1f} MB，上限 {MAX_BYTES / 1e6:.0f} MB）。请拆分后再导入。")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(f"{path.name}: 无法读取文件（{e.strerror}）。请检查文件权限，或确认文件没有被其他程序占用。") from e
    text = strip_furniture(READERS[suffix](data, path.name).replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise LoadError(f"{path.name}: 文件是空的，没有可读取的文字。请确认选对了文件（扫描件请先做 OCR）后重新导入。")
    return Document(
        doc_id=path.name,
        text=text,
        source=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _skipped(f: Path, root: Path) -> bool:
    """Hidden files and folders and Office lock files ("~$报告.docx") found while walking a directory."""
    parts = f.relative_to(root).parts
    return f.name.startswith("~$") or any(part.startswith(".") for part in parts)


def find_documents(paths: list[str | Path]) -> list[Path]:
    """Expand directories into the supported files they contain (sorted); files are kept as given."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in READERS and not _skipped(f, p)))
        else:
            found.append(p)
    return found
