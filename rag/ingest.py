"""Ingestion: documents -> metadata -> chunks -> vectors -> index on disk.

Incremental: a document whose file hash is unchanged keeps its chunks and
vectors (nothing is embedded again); changed and new documents are chunked
and embedded; `remove` drops documents from both indexes. One writer at a
time (file lock); the new index becomes live atomically (`rag.store`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from .chunking import CHUNKER_VERSION, chunk_document
from .embedding import Embedder
from .embedding.cache import VectorCache, embed_passages_cached, machine_cache
from .errors import IndexCorruptError, IndexMismatchError, LoadError, RagError
from .index import HybridIndex
from .loading import find_documents, load_document
from .metadata import extract_metadata
from .progress import OnStep, Stage
from .records import extract, fingerprint
from .store import Manifest, check_compatible, collect_garbage, current_generation, load_index, save_index
from .types import Chunk, Document


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file -> message
    embedded_chunks: int = 0  # chunks the model embedded
    cached_chunks: int = 0  # new chunks whose vectors came from the machine's vector cache
    total_chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def write_lock(root: Path, timeout: float = 600) -> FileLock:
    root.mkdir(parents=True, exist_ok=True)
    return FileLock(str(root / ".lock"), timeout=timeout)


def ingest(
    paths: Iterable[str | Path],
    root: str | Path,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    remove: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
    on_step: OnStep | None = None,
    vector_cache: VectorCache | bool = True,
) -> IngestReport:
    """Add/update documents from `paths`, remove the ids in `remove`, write the index.

    `progress` receives messages; `on_step` receives counted progress (documents read, chunks
    embedded: `rag.progress.Step`). `vector_cache`: True for the machine's cache
    (`rag.embedding.cache`), False for none, or a `VectorCache`."""
    root = Path(root)
    cache = machine_cache() if vector_cache is True else (vector_cache or None)
    started = time.perf_counter()
    report = IngestReport()
    say = progress or (lambda msg: None)
    try:
        with write_lock(root):
            old_chunks, old_vectors, old_records, manifest = _existing(root, embedder, rebuild)
            docs = _load_all(paths, report, say, on_step)
            for doc_id in remove:
                if doc_id not in manifest.documents:
                    report.failed[doc_id] = f"{doc_id}: 索引中没有这个文档，无法删除。可用 `rag docs` 查看已导入的文档。"
                else:
                    report.removed.append(doc_id)
            keep = [
                i
                for i, c in enumerate(old_chunks)
                if c.doc_id not in report.removed
                and not (c.doc_id in docs and docs[c.doc_id].sha256 != manifest.documents[c.doc_id]["sha256"])
            ]
            chunks = [old_chunks[i] for i in keep]
            kept_docs = {c.doc_id for c in chunks}
            stale = manifest.records != fingerprint()  # the catalogue or the extraction changed: read all again
            records = extract(chunks, on_step=on_step) if stale and chunks else [r for r in old_records if r.doc in kept_docs]
            vectors = [old_vectors[keep]] if keep else []
            for doc_id in report.removed:
                manifest.documents.pop(doc_id, None)
            new_chunks: list[Chunk] = []
            for doc_id, doc in docs.items():
                known = manifest.documents.get(doc_id)
                if known and known["sha256"] == doc.sha256:
                    report.unchanged.append(doc_id)
                    continue
                (report.updated if known else report.added).append(doc_id)
                meta = extract_metadata(doc.text)
                doc_chunks = chunk_document(doc, meta)
                new_chunks.extend(doc_chunks)
                manifest.documents[doc_id] = {
                    "sha256": doc.sha256,
                    "source": doc.source,
                    "chunks": len(doc_chunks),
                    "chars": len(doc.text),
                    "meta": meta.to_dict(),
                }
            live = None if report.changed or stale else current_generation(root)
            if live is not None:
                collect_garbage(root, keep=live.name)  # debris of an ingest killed after its swap
                report.total_chunks = len(old_chunks)
                return report
            if new_chunks:
                say(f"正在向量化 {len(new_chunks)} 个段落…")
                t = time.perf_counter()
                vecs, embedded = embed_passages_cached(embedder, [c.indexed_text for c in new_chunks], cache, on_step)
                vectors.append(vecs)
                report.embed_seconds = time.perf_counter() - t
                report.embedded_chunks = embedded
                report.cached_chunks = len(new_chunks) - embedded
            chunks += new_chunks
            if not chunks:
                raise RagError("没有可索引的文档：所有文件都导入失败或已被删除。请检查上面的错误信息。")
            records += extract(new_chunks)
            manifest.records = fingerprint()
            say("正在写入索引…")
            index = HybridIndex.build(chunks, np.vstack(vectors), records=records)
            save_index(root, index, manifest)
            report.total_chunks = len(chunks)
    except Timeout as e:
        raise RagError(f"索引 {root} 正被另一个导入进程占用，请稍后重试。") from e
    finally:
        report.seconds = time.perf_counter() - started
    return report


def _existing(root: Path, embedder: Embedder, rebuild: bool) -> tuple[list[Chunk], np.ndarray, list, Manifest]:
    fresh = Manifest(embedder=embedder.name, dim=embedder.dim)
    if rebuild:
        return [], np.zeros((0, fresh.dim), dtype=np.float32), [], fresh
    try:
        if current_generation(root) is None:
            return [], np.zeros((0, fresh.dim), dtype=np.float32), [], fresh
        index, manifest = load_index(root)
        check_compatible(manifest, embedder.name, root)
    except (IndexMismatchError, IndexCorruptError) as e:
        raise type(e)(str(e).replace("。请", "。导入已取消，请", 1)) from e
    manifest.chunker = CHUNKER_VERSION
    return index.chunks, index.vectors, index.records, manifest


def _load_all(
    paths: Iterable[str | Path], report: IngestReport, say: Callable[[str], None], on_step: OnStep | None
) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    found = find_documents(list(paths))
    stage = Stage("读取文档", len(found), on_step, unit="个")
    for path in found:
        try:
            doc = load_document(path)
        except LoadError as e:
            report.failed[str(path)] = str(e)
            say(str(e))
            continue
        finally:
            stage.advance(1)
        docs[doc.doc_id] = doc
    return docs
