"""Search in a Milvus collection (`rag.stores.milvus` writes and reads it): dense, BM25 and hybrid search run in the
engine under a filter expression built from the scope and the user's filters; the chunk table and BM25 term
statistics for term weights stay in the process."""

from __future__ import annotations

import json

import numpy as np

from ..domain.tokenize import tokenize
from ..types import Chunk
from .fusion import RRF_K
from .index import ChunkTable, build_bm25


def expr_list(texts: list[str]) -> str:
    """A list of string literals for a Milvus filter expression (`doc_id in [...]`)."""
    return json.dumps(texts, ensure_ascii=False)


class MilvusIndex(ChunkTable):
    """The chunk table in memory; dense, BM25 and hybrid search in the engine. BM25 statistics for term
    weights are counted here over the same tokens (`ChunkTable.idf`)."""

    vector_info = {"type": "milvus"}

    def __init__(self, client, collection: str, chunks: list[Chunk], records: list | None = None):
        self.chunks = chunks
        self.bm25 = build_bm25(tokenize(c.indexed_text) for c in chunks) if chunks else None
        self.by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
        self.records, self.records_stale, self._table = list(records or []), False, None
        self.client, self.collection = client, collection

    def _filter(self, mask: np.ndarray | None) -> str:
        """The filter expression that keeps the chunks `mask` keeps: whole documents by id, single chunks by id."""
        if mask is None or mask.all():
            return ""
        codes, firsts, _ = self.doc_table()
        total = np.bincount(codes, minlength=len(firsts))
        kept = np.bincount(codes[mask], minlength=len(firsts))
        whole = [firsts[d].doc_id for d in np.flatnonzero((kept == total) & (kept > 0))]
        partial = set(np.flatnonzero((kept > 0) & (kept < total)).tolist())
        single = [self.chunks[i].chunk_id for i in np.flatnonzero(mask) if codes[i] in partial]
        parts = [
            f"doc_id in {expr_list(whole)}" if whole else "",
            f"chunk_id in {expr_list(single)}" if single else "",
        ]
        return " or ".join(p for p in parts if p) or 'doc_id == ""'

    def _hits(self, result) -> list[tuple[int, float]]:
        out = []
        for hit in result[0] if result else []:
            i = self.by_id.get(hit["id"] if "id" in hit else hit["chunk_id"])
            if i is not None:
                out.append((i, float(hit["distance"])))
        return out

    def dense(self, query_vec: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        res = self.client.search(self.collection, data=[np.asarray(query_vec, np.float32).tolist()], anns_field="dense",
                                 limit=max(1, min(k, len(self.chunks))), filter=self._filter(mask), search_params={"metric_type": "IP"})  # fmt: skip
        return self._hits(res)

    def lexical(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        if not tokens:
            return []
        res = self.client.search(self.collection, data=[" ".join(tokens)], anns_field="sparse", limit=max(1, min(k, len(self.chunks))),
                                 filter=self._filter(mask), search_params={"metric_type": "BM25"})  # fmt: skip
        return self._hits(res)

    def hybrid(self, query_vec: np.ndarray, tokens: list[str], k: int, mask: np.ndarray | None = None) -> dict[int, float]:
        """Dense and BM25 fused in the engine (RRFRanker, k = RRF_K)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        k = max(1, min(k, len(self.chunks)))
        expr = self._filter(mask)
        reqs = [
            AnnSearchRequest([np.asarray(query_vec, np.float32).tolist()], "dense", {"metric_type": "IP"}, limit=k, expr=expr)
        ]
        if tokens:
            reqs.append(AnnSearchRequest([" ".join(tokens)], "sparse", {"metric_type": "BM25"}, limit=k, expr=expr))
        res = self.client.hybrid_search(self.collection, reqs, RRFRanker(RRF_K), limit=2 * k, output_fields=["chunk_id"])
        return dict(self._hits(res))
