"""The index in Milvus (pymilvus `MilvusClient`): `milvus-lite:DIR` embeds the engine, `milvus://HOST:PORT` talks
to a standalone server or a cluster through the same code.

Two collections per index (`rag_<name>_…`):

    _chunks   one row per chunk: chunk_id (primary key), doc_id, ord (document order), text for BM25
              (`indexed`, Milvus' jieba analyzer feeding a BM25 function into `sparse`), `dense` (the embedding,
              inner product), scalar fields used as filters — region, level, year, doc_type, period — and the
              chunk itself as JSON (what is quoted, its section path, span and metadata)
    _meta     the manifest (model, dimension, chunker, records fingerprint, the generation stamp), one row per
              document (hash, source, metadata) and one per indicator record

Search (`rag.stores.milvus_index`) runs in the engine: dense and BM25 top-k fused there by `hybrid_search` with Milvus' RRFRanker, under
a filter expression built from the scope and the user's filters. The slot-aware re-weighting, the refusal
checks and the answer step stay the project's own, on top of what the engine returns. The process keeps the
chunk table and BM25 term statistics (the refusal checks weigh terms over the asked place's reports), as the
file store does.

Writes are per document: an ingest deletes the rows of removed and replaced documents and inserts the new
ones (with their indicator records: all of them only when the catalogue changed), then stamps the manifest
(readers reload on a new stamp). Unlike the file store's generations, a
reader that searches during an ingest may see part of it.
"""

from __future__ import annotations

import functools
import json
import re
import time
import zlib
from pathlib import Path

import numpy as np
from filelock import FileLock

from ..errors import IndexMissingError, RagError
from ..ingest.chunking import CHUNKER_VERSION
from ..ingest.records import Record, fingerprint
from ..types import Chunk
from .base import Manifest, StoreSpec, cancelled, writer_lock
from .files import check_compatible
from .index import HybridIndex
from .milvus_index import MilvusIndex, expr_list

BATCH = 500  # rows per insert (the gRPC message stays well under its limit)
MAX_TEXT = 65535  # VARCHAR limit


def collection_base(index_dir: Path) -> str:
    """rag_<index directory's name> in the characters Milvus allows ([A-Za-z0-9_]; a CRC for any other)."""
    name = Path(index_dir).resolve().name
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if clean != name:
        clean = f"{clean.strip('_')[:40]}_{zlib.crc32(name.encode()):08x}"
    return f"rag_{clean}"


def _engine_errors(method):
    """Milvus' own exceptions become one clear line (which store, what it said)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from pymilvus.exceptions import MilvusException

        try:
            return method(self, *args, **kwargs)
        except MilvusException as e:
            raise RagError(f"Milvus（{self.spec.text}）出错：{_first_line(e)}。") from e

    return wrapper


class MilvusStore:
    kind = "milvus"

    def __init__(self, index_dir: Path, spec: StoreSpec):
        self.index_dir = Path(index_dir)
        self.spec = spec
        base = collection_base(self.index_dir)
        self.chunks_name, self.meta_name = f"{base}_chunks", f"{base}_meta"
        self._client = None
        self._rebuild = False
        self._loaded = False
        self._records_read_with: str | None = None  # the records fingerprint of the index an ingest starts from

    def describe(self) -> str:
        return f"Milvus {self.spec.text} 集合 {self.chunks_name}"

    @property
    def client(self):
        if self._client is None:
            import logging

            try:
                from pymilvus import MilvusClient
            except ImportError as e:
                raise RagError(
                    "Milvus 存储需要 pymilvus：pip install 'report-qa[milvus]'（或 make run STORE=… 自动安装）。"
                ) from e

            logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # its errors reach the user as RagError

            if self.spec.uri.endswith(".db"):
                Path(self.spec.uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                self._client = MilvusClient(uri=self.spec.uri, timeout=10)
            except Exception as e:  # noqa: BLE001 - pymilvus raises several kinds for one cause
                raise RagError(
                    f"无法连接 Milvus（{self.spec.text}）：{_first_line(e)}。请确认服务已启动且地址正确（见 docs/deploy.md），"
                    f"或改用 --store milvus-lite:DIR 在本机嵌入运行。"
                ) from e
        return self._client

    # -- reading ---------------------------------------------------------------------------------------

    def _exists(self) -> bool:
        """Both collections are there (and loaded: a restarted engine keeps them released)."""
        c = self.client
        if not (c.has_collection(self.meta_name) and c.has_collection(self.chunks_name)):
            return False
        if not self._loaded:
            for name in (self.meta_name, self.chunks_name):
                c.load_collection(name)
            self._loaded = True
        return True

    def _missing(self) -> IndexMissingError:
        return IndexMissingError(
            f"Milvus（{self.spec.text}）中没有索引集合 {self.chunks_name}：请先运行 "
            f"`rag ingest --store {self.spec.text} --index {self.index_dir}` 导入文档。"
        )

    def _meta_rows(self, expr: str) -> list[dict]:
        rows = []
        it = self.client.query_iterator(self.meta_name, filter=expr, output_fields=["key", "doc_id", "body"], batch_size=1000)
        while batch := it.next():
            rows += batch
        it.close()
        return rows

    @_engine_errors
    def generation(self) -> float | None:
        """The manifest's stamp (None: no index yet): a new one means an ingest has landed."""
        if not self._exists():
            return None
        rows = self.client.query(self.meta_name, filter='key == "manifest"', output_fields=["body"])
        return rows[0]["body"].get("created") if rows else None

    @_engine_errors
    def read_manifest(self) -> Manifest:
        if not self._exists():
            raise self._missing()
        head = self.client.query(self.meta_name, filter='key == "manifest"', output_fields=["body"])
        if not head:
            raise self._missing()
        manifest = Manifest.from_dict(head[0]["body"])
        manifest.documents = {r["doc_id"]: r["body"] for r in self._meta_rows('kind == "doc"')}
        return manifest

    def _chunks(self) -> list[Chunk]:
        """Every chunk, in document order (each document's chunks share one metadata object)."""
        rows = []
        it = self.client.query_iterator(self.chunks_name, filter="ord >= 0", output_fields=["ord", "chunk"], batch_size=2000)
        while batch := it.next():
            rows += [(r["ord"], r["chunk"]) for r in batch]
        it.close()
        rows.sort(key=lambda r: r[0])
        shared: dict = {}
        chunks = []
        for _, d in rows:
            c = Chunk.from_dict(d)
            object.__setattr__(c, "meta", shared.setdefault(c.doc_id, c.meta))
            chunks.append(c)
        return chunks

    def _records(self) -> list:
        return [Record.from_dict(r["body"]) for r in self._meta_rows('kind == "record"')]

    @_engine_errors
    def load(self, embedder_name: str | None = None) -> tuple[HybridIndex, Manifest]:
        manifest = self.read_manifest()
        if embedder_name is not None:
            check_compatible(manifest, embedder_name, Path(self.describe()))
        chunks = self._chunks()
        index = MilvusIndex(self.client, self.chunks_name, chunks, records=self._records())
        index.records_stale = manifest.records != fingerprint()
        return index, manifest

    # -- writing ---------------------------------------------------------------------------------------

    def lock(self, timeout: float = 600) -> FileLock:
        """Writers on this machine take turns (the lock file sits in the index directory)."""
        return writer_lock(self.index_dir, timeout)

    @_engine_errors
    def existing(self, embedder, rebuild: bool) -> tuple[list[Chunk], list, Manifest]:
        fresh = Manifest(embedder=embedder.name, dim=embedder.dim)
        self._rebuild, self._records_read_with = rebuild, None
        if rebuild or not self._exists():
            return [], [], fresh
        manifest = self.read_manifest()
        try:
            check_compatible(manifest, embedder.name, Path(self.describe()))
        except RagError as e:
            raise cancelled(e) from e
        manifest.chunker = CHUNKER_VERSION
        self._records_read_with = manifest.records  # unchanged: only the changed documents' records are rewritten
        return self._chunks(), self._records(), manifest

    def unchanged(self) -> None:
        pass

    def _create(self, dim: int) -> None:
        from pymilvus import DataType, Function, FunctionType

        c = self.client
        for name in (self.chunks_name, self.meta_name):
            if c.has_collection(name):
                c.drop_collection(name)
        s = c.create_schema(auto_id=False)
        s.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=1024)
        s.add_field("doc_id", DataType.VARCHAR, max_length=1024)
        s.add_field("ord", DataType.INT64)
        s.add_field(
            "indexed", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True, analyzer_params={"tokenizer": "jieba"}
        )
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        for field in ("region", "level", "doc_type"):
            s.add_field(field, DataType.VARCHAR, max_length=256)
        s.add_field("year", DataType.INT64)
        s.add_field("period", DataType.INT64)
        s.add_field("chunk", DataType.JSON)
        s.add_function(
            Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["indexed"], output_field_names=["sparse"])
        )
        ip = c.prepare_index_params()
        ip.add_index("dense", index_type="FLAT", metric_type="IP")
        ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        c.create_collection(self.chunks_name, schema=s, index_params=ip)
        m = c.create_schema(auto_id=False)
        m.add_field("key", DataType.VARCHAR, is_primary=True, max_length=2048)
        m.add_field("kind", DataType.VARCHAR, max_length=16)
        m.add_field("doc_id", DataType.VARCHAR, max_length=1024)
        m.add_field("body", DataType.JSON)
        m.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector in every collection
        mp = c.prepare_index_params()
        mp.add_index("v", index_type="FLAT", metric_type="L2")
        c.create_collection(self.meta_name, schema=m, index_params=mp)

    @_engine_errors
    def write(self, old, keep, new_chunks, new_vectors, records, manifest: Manifest, dropped: set[str]) -> None:
        """Delete the rows of `dropped` documents, insert the new chunks and their documents' rows, replace the
        records, then stamp the manifest."""
        c = self.client
        if self._rebuild or not self._exists():
            self._create(manifest.dim)
            self._loaded = False
            self._exists()
        for doc_id in sorted(dropped):
            c.delete(self.chunks_name, filter=f"doc_id == {_lit(doc_id)}")
            c.delete(self.meta_name, filter=f'doc_id == {_lit(doc_id)} and kind == "doc"')
        seq = _next_seq(manifest, dropped, {ch.doc_id for ch in new_chunks})
        rows = [_chunk_row(ch, vec, seq) for ch, vec in zip(new_chunks, np.asarray(new_vectors), strict=True)]
        for i in range(0, len(rows), BATCH):
            c.insert(self.chunks_name, rows[i : i + BATCH])
        new_docs = set(dict.fromkeys(ch.doc_id for ch in new_chunks))
        docs = [_meta_row(f"doc:{d}", "doc", d, manifest.documents[d]) for d in new_docs]
        if self._records_read_with == manifest.records:  # the same catalogue: the changed documents' records only
            if dropped:
                c.delete(self.meta_name, filter=f'kind == "record" and doc_id in {expr_list(sorted(dropped))}')
            records = [r for r in records if r.doc in new_docs]
        else:  # another catalogue or extraction version: every record was read again
            c.delete(self.meta_name, filter='kind == "record"')
        count: dict[str, int] = {}
        recs = []
        for r in records:
            count[r.doc] = count.get(r.doc, 0) + 1
            recs.append(_meta_row(f"rec:{r.doc}:{count[r.doc]}", "record", r.doc, r.to_dict()))
        for batch in (docs, recs):
            for i in range(0, len(batch), BATCH):
                c.insert(self.meta_name, batch[i : i + BATCH])
        head = {k: v for k, v in manifest.__dict__.items() if k != "documents"}
        head.update(created=time.time(), vector_index={"type": "milvus", "dense": "FLAT/IP", "sparse": "BM25"})
        c.upsert(self.meta_name, [_meta_row("manifest", "manifest", "", head)])
        c.flush(self.chunks_name)
        c.flush(self.meta_name)


def _first_line(e: Exception) -> str:
    text = getattr(e, "message", None) or str(e)
    return text.strip().splitlines()[0][:200] if text.strip() else type(e).__name__


def _lit(text: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(text, ensure_ascii=False)


def _next_seq(manifest: Manifest, dropped: set[str], new_docs: set[str]) -> dict[str, int]:
    """Each document's place in document order: kept documents keep theirs, new ones follow."""
    seqs = {d: e.get("seq", i) for i, (d, e) in enumerate(manifest.documents.items()) if d not in dropped and d not in new_docs}
    top = max(seqs.values(), default=-1)
    for d in manifest.documents:
        if d in new_docs:
            top += 1
            seqs[d] = top
            manifest.documents[d]["seq"] = top
    return seqs


def _chunk_row(c: Chunk, vec: np.ndarray, seq: dict[str, int]) -> dict:
    part = c.chunk_id.rsplit("#p", 1)[-1].split(".")
    order = int(part[0]) * 1000 + (int(part[1]) if len(part) > 1 and part[1].isdigit() else 0) if part[0].isdigit() else 0
    return {
        "chunk_id": c.chunk_id,
        "doc_id": c.doc_id,
        "ord": seq[c.doc_id] * 10**9 + order,
        "indexed": c.indexed_text[:MAX_TEXT],
        "dense": np.asarray(vec, dtype=np.float32).tolist(),
        "region": c.meta.region or "",
        "level": c.meta.level or "",
        "doc_type": c.meta.doc_type or "",
        "year": c.meta.year or 0,
        "period": c.period or 0,
        "chunk": c.to_dict(),
    }


def _meta_row(key: str, kind: str, doc_id: str, body: dict) -> dict:
    return {"key": key, "kind": kind, "doc_id": doc_id, "body": body, "v": [0.0, 0.0]}
