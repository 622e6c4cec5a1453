"""The default store: the index as files under one directory (`vectorstore/` or `--index DIR`).

Layout — no pickle anywhere:

    DIR/CURRENT                 name of the live generation (replaced atomically)
    DIR/gen-<n>/manifest.json   model, dimension, chunker version, documents with
                                their file hashes, and a sha256 of every file below
    DIR/gen-<n>/chunks.jsonl    one chunk record per line
    DIR/gen-<n>/vectors.npy     float32 (chunks x dim), memory-mapped when loaded
    DIR/gen-<n>/faiss.index     faiss.write_index (flat or IVF by size: `rag.stores.vectors`;
                                the manifest's `vector_index` says which, with its efSearch)
    DIR/gen-<n>/bm25/           bm25s arrays (allow_pickle=False)
    DIR/.lock                   writers hold it while they build

A writer builds a new generation beside the live one and then swaps
CURRENT with `os.replace`: an interrupted ingest leaves the previous index
usable, and a reader sees the old or the new generation, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
from filelock import FileLock

from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from ..ingest.chunking import CHUNKER_VERSION
from ..ingest.records import Record, fingerprint
from ..types import Chunk
from .base import FORMAT_VERSION, Manifest, cancelled, writer_lock
from .index import HybridIndex

FIX = "请运行 `rag ingest --rebuild` 重建索引"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


READ_ATTEMPTS = 5  # readers retry when a writer swaps generations under them


def _pointer(root: Path) -> str | None:
    try:
        return (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def current_generation(root: Path) -> Path | None:
    root = Path(root)
    for _ in range(READ_ATTEMPTS):
        name = _pointer(root)
        if name is None:
            return None
        gen = root / name
        if name.startswith("gen-") and "/" not in name and gen.is_dir():
            return gen
        if _pointer(root) == name:  # not a writer swapping (and removing) generations right now: really broken
            break
    raise IndexCorruptError(f"索引目录 {root} 的 CURRENT 指向不存在的版本“{name}”。{FIX}。")


def _live(root: Path) -> Path:
    gen = current_generation(root)
    if gen is None:
        raise IndexMissingError(f"在 {root} 找不到索引。请先运行 `rag ingest` 导入报告（或用 --index 指定索引目录）。")
    return gen


def _read_live(root: Path, read):
    """`read(generation)` on the live generation. Readers take no lock: if a writer makes a new
    generation live and removes the old one while we read, the read fails and is done again on
    the new one — a reader gets the old or the new index, never a mix."""
    for attempt in range(READ_ATTEMPTS):
        name = _pointer(root)
        try:
            return read(_live(root))
        except IndexCorruptError:
            if attempt + 1 == READ_ATTEMPTS or _pointer(root) == name:
                raise
    raise AssertionError("unreachable")


def _manifest_at(gen: Path) -> Manifest:
    try:
        return Manifest.from_dict(json.loads((gen / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as e:
        raise IndexCorruptError(f"索引清单 {gen / 'manifest.json'} 无法读取（{e}）。{FIX}。") from e


def read_manifest(root: Path) -> Manifest:
    return _read_live(Path(root), _manifest_at)


def check_compatible(manifest: Manifest, embedder_name: str, root: Path) -> None:
    if manifest.format != FORMAT_VERSION or manifest.chunker != CHUNKER_VERSION:
        raise IndexMismatchError(f"索引 {root} 由旧版本构建（格式 {manifest.format}、切分 {manifest.chunker}）。{FIX}。")
    if manifest.embedder != embedder_name:
        raise IndexMismatchError(
            f"索引 {root} 用向量模型“{manifest.embedder}”构建，当前模型是“{embedder_name}”。"
            f"请改用 --embedder 指定原模型，或{FIX[1:]}。"
        )


def load_index(root: str | Path, embedder_name: str | None = None, verify: bool = True) -> tuple[HybridIndex, Manifest]:
    """Load the live generation; verify checksums and the embedder name."""
    root = Path(root)
    return _read_live(root, lambda gen: _load_generation(root, gen, embedder_name, verify))


def _load_generation(root: Path, gen: Path, embedder_name: str | None, verify: bool) -> tuple[HybridIndex, Manifest]:
    import bm25s
    import faiss

    manifest = _manifest_at(gen)
    if embedder_name is not None:
        check_compatible(manifest, embedder_name, root)
    if verify:
        for rel, digest in manifest.files.items():
            path = gen / rel
            try:
                intact = _sha256(path) == digest
            except OSError:
                intact = False
            if not intact:
                raise IndexCorruptError(f"索引文件 {path} 缺失或已损坏（校验和不符）。{FIX}。")
    try:
        chunks = _read_chunks(gen / "chunks.jsonl")
        # Memory-mapped: the FAISS index holds its own copy; these rows are read only when re-ingesting.
        vectors = np.load(gen / "vectors.npy", mmap_mode="r", allow_pickle=False)
        faiss_index = faiss.read_index(str(gen / "faiss.index"))
        bm25 = bm25s.BM25.load(str(gen / "bm25"), allow_pickle=False)
        # in the same block: a generation removed by a writer while we read is retried on the new one
        records, stale = _read_records(gen / "records.jsonl", chunks, manifest)
    except Exception as e:  # noqa: BLE001 - any read failure means a damaged index
        raise IndexCorruptError(f"索引 {gen} 读取失败（{type(e).__name__}: {e}）。{FIX}。") from e
    if not (len(chunks) == len(vectors) == faiss_index.ntotal):
        raise IndexCorruptError(f"索引 {gen} 内部不一致（{len(chunks)} 段文本、{len(vectors)} 个向量）。{FIX}。")
    index = HybridIndex(chunks, vectors, faiss_index, bm25, vector_info=dict(manifest.vector_index), records=records)
    index.records_stale = stale
    return index, manifest


def _read_records(path: Path, chunks: list[Chunk], manifest: Manifest) -> tuple[list, bool]:
    """The indicator records, and whether they are stale: read with another catalogue or extraction version
    (the next ingest reads them again; `HybridRetriever.book` does so in memory until then). An index
    written before records existed has none, and is stale."""
    if not path.exists():
        return [], True
    with open(path, encoding="utf-8") as f:
        records = [Record.from_dict(json.loads(line)) for line in f if line.strip()]
    return records, manifest.records != fingerprint()


def _read_chunks(path: Path) -> list[Chunk]:
    """Chunk records; the chunks of one document share one metadata object and their
    repeated strings (doc id, header, section path), which matters at a million chunks."""
    shared: dict = {}
    chunks = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            c = Chunk.from_dict(json.loads(line))
            for name in ("doc_id", "header", "section"):
                value = getattr(c, name)
                object.__setattr__(c, name, shared.setdefault((name, value), value))
            object.__setattr__(c, "meta", shared.setdefault(("meta", c.doc_id), c.meta))
            chunks.append(c)
    return chunks


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_index(root: str | Path, index: HybridIndex, manifest: Manifest) -> Path:
    """Write a new generation and make it live atomically. Returns its path."""
    import faiss

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    gen = root / f"gen-{time.time_ns()}"
    tmp = root / f".building-{gen.name}"
    tmp.mkdir()
    try:
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in index.chunks:
                f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", np.ascontiguousarray(index.vectors, dtype=np.float32), allow_pickle=False)
        faiss.write_index(index.faiss_index, str(tmp / "faiss.index"))
        index.bm25.save(str(tmp / "bm25"), allow_pickle=False)
        with open(tmp / "records.jsonl", "w", encoding="utf-8") as f:
            for r in index.records:
                f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest.vector_index = dict(index.vector_info)
        manifest.files = {str(p.relative_to(tmp)): _sha256(p) for p in files}
        (tmp / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        for p in [*files, tmp / "manifest.json"]:
            with open(p, "rb") as f:
                os.fsync(f.fileno())
        os.rename(tmp, gen)
        pointer_tmp = root / f".CURRENT.{os.getpid()}"
        pointer_tmp.write_text(gen.name, encoding="utf-8")
        with open(pointer_tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(pointer_tmp, root / "CURRENT")
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    collect_garbage(root, keep=gen.name)
    return gen


def collect_garbage(root: Path, keep: str) -> None:
    """Remove old generations and leftovers of interrupted builds."""
    for p in root.iterdir():
        if p.is_dir() and (p.name.startswith("gen-") or p.name.startswith(".building-")) and p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.is_file() and p.name.startswith(".CURRENT."):  # pointer of a writer killed before its swap
            p.unlink(missing_ok=True)


class FileStore:
    kind = "files"

    def __init__(self, root: Path):
        self.root = Path(root)
        self._vectors: np.ndarray | None = None  # the existing rows, between `existing` and `write`

    def describe(self) -> str:
        return f"FAISS 文件 {self.root}"

    def generation(self) -> Path | None:
        return current_generation(self.root)

    def read_manifest(self) -> Manifest:
        return read_manifest(self.root)

    def load(self, embedder_name: str | None = None) -> tuple[HybridIndex, Manifest]:
        return load_index(self.root, embedder_name)

    def lock(self, timeout: float = 600) -> FileLock:
        return writer_lock(self.root, timeout)

    def existing(self, embedder, rebuild: bool) -> tuple[list[Chunk], list, Manifest]:
        """The chunks, records and manifest an ingest starts from (none when rebuilding or new)."""
        fresh = Manifest(embedder=embedder.name, dim=embedder.dim)
        self._vectors = np.zeros((0, fresh.dim), dtype=np.float32)
        if rebuild:
            return [], [], fresh
        try:
            if current_generation(self.root) is None:
                return [], [], fresh
            index, manifest = load_index(self.root)
            check_compatible(manifest, embedder.name, self.root)
        except (IndexMismatchError, IndexCorruptError) as e:
            raise cancelled(e) from e
        manifest.chunker = CHUNKER_VERSION
        self._vectors = index.vectors
        return index.chunks, index.records, manifest

    def unchanged(self) -> None:
        """Nothing to write: clear the debris of an ingest killed after its swap."""
        live = current_generation(self.root)
        if live is not None:
            collect_garbage(self.root, keep=live.name)

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
        """A new generation: the kept rows of the existing index, then the new chunks (`dropped`: documents
        removed or replaced — their rows are simply not kept here)."""
        vectors = [self._vectors[keep]] if keep else []
        if len(new_chunks):
            vectors.append(new_vectors)
        index = HybridIndex.build([old[i] for i in keep] + new_chunks, np.vstack(vectors), records=records)
        save_index(self.root, index, manifest)
