"""The seam between the pipeline and where an index lives: the `Store` protocol every backend satisfies (its
contract is tested once, in `tests/store_contract.py`, and inherited by each backend's tests), the `Manifest`
every store keeps, which store `--store` names (`StoreSpec`), and the writers' lock.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import RagError
from ..ingest.chunking import CHUNKER_VERSION
from ..types import Chunk

FORMAT_VERSION = 1


@dataclass
class Manifest:
    embedder: str
    dim: int
    chunker: str = CHUNKER_VERSION
    format: int = FORMAT_VERSION
    created: float = field(default_factory=time.time)
    documents: dict[str, dict] = field(default_factory=dict)  # doc_id -> {sha256, source, chunks, meta}
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    vector_index: dict = field(default_factory=dict)  # {"type": "flat"} or {"type": "hnsw", "ef_search": …}
    records: str = ""  # what the indicator records were read with (`rag.ingest.records.fingerprint`)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        keys = ("embedder", "dim", "chunker", "format", "created", "documents", "files", "vector_index", "records")
        known = {k: d[k] for k in keys if k in d}
        return cls(**known)


@runtime_checkable
class SearchIndex(Protocol):
    """An index as retrieval searches it (`rag.stores.index.HybridIndex`, `rag.stores.milvus_index.MilvusIndex`):
    the chunk table of `rag.stores.index.ChunkTable` and the three searches. Chunks are positions in `chunks`;
    `mask` (a boolean array over them) keeps the chunks a question may read."""

    chunks: list[Chunk]
    by_id: dict[str, int]
    records: list
    records_stale: bool

    def __len__(self) -> int: ...

    def dense(self, query_vec: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]: ...

    def lexical(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]: ...

    def hybrid(self, query_vec: np.ndarray, tokens: list[str], k: int, mask: np.ndarray | None = None) -> dict[int, float]: ...

    def idf(self, token: str, mask: np.ndarray | None = None) -> float: ...

    def doc_chunks(self, doc_id: str) -> list[Chunk]: ...

    def doc_table(self) -> tuple[np.ndarray, list[Chunk], np.ndarray]: ...


@runtime_checkable
class Store(Protocol):
    """Where an index lives. Readers ask for its `generation` (it changes when an ingest lands), its manifest
    and the index to search; an ingest holds `lock`, reads what exists, and writes what changed."""

    kind: str

    def describe(self) -> str: ...

    def generation(self) -> object | None: ...

    def read_manifest(self) -> Manifest: ...

    def load(self, embedder_name: str | None = None) -> tuple[SearchIndex, Manifest]: ...

    def lock(self, timeout: float = 600): ...

    def existing(self, embedder, rebuild: bool) -> tuple[list[Chunk], list, Manifest]:
        """The chunks, records and manifest an ingest starts from (none when rebuilding or new)."""
        ...

    def unchanged(self) -> None:
        """An ingest that changed nothing: clear what an interrupted one left behind."""
        ...

    def write(
        self,
        old: list[Chunk],
        keep: list[int],
        new_chunks: list[Chunk],
        new_vectors: np.ndarray,
        records: list,
        manifest: Manifest,
        dropped: set[str],
    ) -> None:
        """Make live: the kept rows of `old`, then the new chunks (`dropped`: documents removed or replaced)."""
        ...


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
