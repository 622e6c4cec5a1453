"""Where an index lives, chosen by `--store` (or RAG_STORE) on every command that takes `--index`:

    (none), faiss          files under the index directory: FAISS + bm25s (`rag.stores.layout`; one machine, the default)
    milvus-lite:DIR        a Milvus collection, the engine embedded (package `milvus-lite`; tests, one machine)
    milvus://HOST:PORT     a Milvus collection on a standalone server or cluster — the same code path

With Milvus, `--index DIR` still names the index: its directory's name names the collections
(`rag_<name>_chunks`, `rag_<name>_meta`), and the directory holds the writers' lock and the app's uploads.

Every store offers the same few operations (`FileStore` and `rag.stores.milvus.MilvusStore`): its generation
(changes when an ingest lands), its manifest, the index to search, and, for ingest, the existing chunks and a
write of what changed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import RagError

STORE_HELP = "索引存放处：faiss（默认，索引目录中的文件）、milvus-lite:DIR（嵌入式 Milvus）或 milvus://HOST:PORT（Milvus 服务器）"


@dataclass(frozen=True)
class StoreSpec:
    kind: str  # "files" | "milvus"
    uri: str = ""  # milvus: what MilvusClient opens ("DIR/milvus.db" embeds the engine, "http://HOST:PORT" a server)
    text: str = ""  # as the user wrote it

    @property
    def label(self) -> str:
        return "FAISS 文件" if self.kind == "files" else f"Milvus（{self.text}）"


_SERVER = re.compile(r"milvus://([^/:]+)(?::(\d+))?/?")


def parse_store(text: str | None) -> StoreSpec:
    """`--store`'s value (RAG_STORE when not given) as a StoreSpec; a clear error for anything else."""
    text = (text if text is not None else os.environ.get("RAG_STORE", "")).strip()
    if text in ("", "faiss", "files"):
        return StoreSpec("files", "", text or "faiss")
    if text.startswith("milvus-lite:"):
        folder = text[len("milvus-lite:") :]
        if not folder:
            raise RagError("--store milvus-lite: 后面要写数据目录，例如 --store milvus-lite:vectorstore-milvus。")
        return StoreSpec("milvus", str(Path(folder).expanduser() / "milvus.db"), text)
    m = _SERVER.fullmatch(text)
    if m:
        return StoreSpec("milvus", f"http://{m.group(1)}:{m.group(2) or 19530}", text)
    raise RagError(f"不认识的存储“{text}”：请写 faiss、milvus-lite:DIR 或 milvus://HOST:PORT（如 milvus://127.0.0.1:19530）。")


def writer_lock(directory: Path, timeout: float = 600):
    """One writer at a time on this machine: a lock file in the index directory (every store keeps it there)."""
    from filelock import FileLock

    directory.mkdir(parents=True, exist_ok=True)
    return FileLock(str(directory / ".lock"), timeout=timeout)


def cancelled(e: RagError) -> RagError:
    """The same error, saying that the ingest it stopped was cancelled."""
    return type(e)(str(e).replace("。请", "。导入已取消，请", 1))


def open_store(index_dir: str | Path, store: StoreSpec | str | None = None):
    """The store of an index (`store`: a StoreSpec, its text, or None for RAG_STORE / the default)."""
    spec = store if isinstance(store, StoreSpec) else parse_store(store)
    if spec.kind == "milvus":
        from .milvus import MilvusStore

        return MilvusStore(Path(index_dir), spec)
    from .files import FileStore

    return FileStore(Path(index_dir))
