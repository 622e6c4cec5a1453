"""Ingestion: documents -> metadata -> chunks -> vectors -> index on disk.

Incremental: a document whose file hash is unchanged keeps its chunks and
vectors (nothing is embedded again); changed and new documents are chunked
and embedded; `remove` drops documents from both indexes. A file whose text
an indexed document already holds is listed with `duplicate_of` and not
indexed again (`rag.ingest.duplicates`). One writer at a
time (file lock); the new index becomes live atomically (`rag.stores.files`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import Timeout

from ..embedding import Embedder
from ..embedding.cache import VectorCache, embed_passages_cached, machine_cache
from ..errors import LoadError, RagError
from ..progress import OnStep, Stage
from ..stores import open_store
from ..types import Chunk, Document
from . import overrides
from .chunking import chunk_document
from .duplicates import DuplicateFinder, encode, known_signatures, signature
from .loading import find_documents, load_document
from .metadata import extract_metadata, name_disagrees
from .records import extract, fingerprint

# What reading a file yields (loading, page furniture, metadata, chunking): bumped when they change, so the next
# ingest of an unchanged file reads it again (its unchanged passages come from the vector cache).
READING_VERSION = "archive-4"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file -> message
    duplicates: dict[str, str] = field(default_factory=dict)  # file -> the indexed document whose text it repeats
    embedded_chunks: int = 0  # chunks the model embedded
    cached_chunks: int = 0  # new chunks whose vectors came from the machine's vector cache
    total_chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


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
    store=None,
    reader: Callable | None = None,
    metadata: dict | None = None,
) -> IngestReport:
    """Add/update documents from `paths`, remove the ids in `remove`, write the index.

    `progress` receives messages; `on_step` receives counted progress (documents read, chunks
    embedded: `rag.progress.Step`). `vector_cache`: True for the machine's cache
    (`rag.embedding.cache`), False for none, or a `VectorCache`. `store`: where the index lives
    (`rag.stores`: a StoreSpec, its text or a store; None: RAG_STORE, else files under `root`).
    `reader(paths, report, say, on_step) -> (documents, {doc_id: (meta, chunks)})`: how files are read
    (default: here, chunked below; `rag.ingest.ray.RayReader` loads and chunks them in Ray tasks). Passages
    are embedded by `embedder` (`rag.ingest.ray.RayEmbedder`: on the cluster's actors). `metadata`: fields the
    user sets for every file read in this run (`rag.ingest.overrides`: kept beside the index, applied on every
    later ingest and rebuild)."""
    root = Path(root)
    st = open_store(root, store)
    cache = machine_cache() if vector_cache is True else (vector_cache or None)
    started = time.perf_counter()
    report = IngestReport()
    say = progress or (lambda msg: None)
    try:
        with st.lock():
            old_chunks, old_records, manifest = st.existing(embedder, rebuild)
            docs, prepared = (reader or _load_all)(paths, report, say, on_step)
            fixed = overrides.load(root)
            if metadata:
                fields = overrides.checked(metadata)
                fixed.update({d: {**fixed.get(d, {}), **fields} for d in docs})
                overrides.save(root, fixed)
            for doc_id in remove:
                if doc_id not in manifest.documents:
                    report.failed[doc_id] = f"{doc_id}: 索引中没有这个文档，无法删除。可用 `rag docs` 查看已导入的文档。"
                else:
                    report.removed.append(doc_id)
            replaced = {
                d
                for d, doc in docs.items()
                if d in manifest.documents
                and (
                    doc.sha256 != manifest.documents[d]["sha256"]
                    or manifest.documents[d].get("reading") != READING_VERSION
                    or overrides.differs(manifest.documents[d]["meta"], fixed.get(d))
                )
            }
            keep = [i for i, c in enumerate(old_chunks) if c.doc_id not in report.removed and c.doc_id not in replaced]
            chunks = [old_chunks[i] for i in keep]
            kept_docs = {c.doc_id for c in chunks}
            stale = manifest.records != fingerprint()  # the catalogue or the extraction changed: read all again
            records = extract(chunks, on_step=on_step) if stale and chunks else [r for r in old_records if r.doc in kept_docs]
            for doc_id in report.removed:
                manifest.documents.pop(doc_id, None)
            new_chunks: list[Chunk] = []
            dropped = set(report.removed) | replaced
            finder = DuplicateFinder(known_signatures(manifest.documents, dropped))
            fresh: list[tuple[str, Document]] = []
            for doc_id, doc in docs.items():
                known = manifest.documents.get(doc_id)
                if (
                    known
                    and known["sha256"] == doc.sha256
                    and doc_id not in replaced
                    and not _orphaned(known, manifest.documents, dropped)
                ):
                    report.unchanged.append(doc_id)
                else:
                    (report.updated if known else report.added).append(doc_id)
                    fresh.append((doc_id, doc))
            metas = {
                d: overrides.apply(prepared[d][0] if d in prepared else extract_metadata(doc.text), fixed.get(d))
                for d, doc in fresh
            }
            cutting = Stage("切分", len(fresh), on_step, unit="个") if fresh else None
            # of two new copies of one text, the one whose name and title block agree with it is indexed
            for doc_id, doc in sorted(fresh, key=lambda item: _copy_rank(item[0], metas[item[0]])):
                if cutting is not None:
                    cutting.advance(1)
                sig = signature(doc.text)
                original = finder.match(sig, exclude=doc_id)
                entry = {
                    "sha256": doc.sha256,
                    "source": doc.source,
                    "chars": len(doc.text),
                    "minhash": encode(sig),
                    "reading": READING_VERSION,
                }
                if original is not None:  # the same text is indexed already: listed, not indexed twice
                    report.duplicates[doc_id] = original
                    manifest.documents[doc_id] = {**entry, "chunks": 0, "meta": metas[doc_id].to_dict(), "duplicate_of": original}
                    say(f"{doc_id}: 与已导入的 {original} 内容相同，未重复导入。")
                    continue
                finder.add(doc_id, sig)
                reuse = doc_id in prepared and doc_id not in fixed
                doc_chunks = prepared[doc_id][1] if reuse else chunk_document(doc, metas[doc_id])
                new_chunks.extend(doc_chunks)
                manifest.documents[doc_id] = {**entry, "chunks": len(doc_chunks), "meta": metas[doc_id].to_dict()}
            # new documents follow the indexed ones in the order their files were read (not the order above)
            order = [d for d in manifest.documents if d not in report.added] + report.added
            manifest.documents = {d: manifest.documents[d] for d in order}
            if not (report.changed or stale):
                st.unchanged()
                report.total_chunks = len(old_chunks)
                return report
            vectors = np.zeros((0, manifest.dim), dtype=np.float32)
            if new_chunks:
                say(f"正在向量化 {len(new_chunks)} 个段落…")
                t = time.perf_counter()
                texts = [c.indexed_text for c in new_chunks]
                vectors, embedded = embed_passages_cached(embedder, texts, cache, on_step)
                report.embed_seconds = time.perf_counter() - t
                report.embedded_chunks = embedded
                report.cached_chunks = len(new_chunks) - embedded
            if not chunks and not new_chunks:
                raise RagError("没有可索引的文档：所有文件都导入失败或已被删除。请检查上面的错误信息。")
            records += extract(new_chunks)
            manifest.records = fingerprint()
            say("正在写入索引…")
            writing = Stage("写入索引", 1, on_step, unit="步")
            st.write(old_chunks, keep, new_chunks, vectors, records, manifest, set(report.removed) | replaced)
            writing.advance(1)
            report.total_chunks = len(chunks) + len(new_chunks)
    except Timeout as e:
        raise RagError(f"索引 {root} 正被另一个导入进程占用，请稍后重试。") from e
    finally:
        report.seconds = time.perf_counter() - started
    return report


def _orphaned(entry: dict, documents: dict[str, dict], dropped: set[str]) -> bool:
    """A duplicate whose original is gone (removed, or about to change): it is read again."""
    original = entry.get("duplicate_of")
    return bool(original) and (original not in documents or original in dropped)


def _copy_rank(doc_id: str, meta) -> tuple:
    """Which of several copies of one text to index: a file name that agrees with the text, then the copy
    whose title block gave date and speaker, then file order."""
    return (name_disagrees(doc_id, meta.region) is not None, not meta.date, not meta.speaker)


def _load_all(
    paths: Iterable[str | Path], report: IngestReport, say: Callable[[str], None], on_step: OnStep | None
) -> tuple[dict[str, Document], dict]:
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
    return docs, {}
