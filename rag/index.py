"""Step 5: the in-memory hybrid index — FAISS over normalised vectors and a
Chinese BM25 (bm25s, sparse matrices: no Python loop over documents).

`HybridIndex` is built from chunks + vectors and searched by `rag.retrieval`.
Persistence lives in `rag.store`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .tokenize import tokenize
from .types import Chunk

FLAT_LIMIT = 200_000  # exact search below this many chunks; HNSW above


def build_faiss(vectors: np.ndarray):
    """Exact inner-product index for small corpora, HNSW for large ones."""
    import faiss

    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else 0
    if dim == 0:
        raise ValueError("no vectors to index")
    if len(vectors) < FLAT_LIMIT:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_bm25(token_lists: list[list[str]]):
    import bm25s

    bm25 = bm25s.BM25(k1=1.2, b=0.75)
    # bm25s cannot index an empty token list; a placeholder keeps positions aligned.
    bm25.index([toks or ["\u2400"] for toks in token_lists], show_progress=False)
    return bm25


@dataclass
class HybridIndex:
    chunks: list[Chunk]
    vectors: np.ndarray
    faiss_index: object
    bm25: object
    by_id: dict[str, int] = field(default_factory=dict)
    _doc_freq: dict[str, int] | None = field(default=None, repr=False)

    def __post_init__(self):
        if not self.by_id:
            self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}

    @classmethod
    def build(cls, chunks: list[Chunk], vectors: np.ndarray) -> HybridIndex:
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        return cls(chunks, vectors, build_faiss(vectors), build_bm25([tokenize(c.indexed_text) for c in chunks]))

    def __len__(self) -> int:
        return len(self.chunks)

    def dense(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self.chunks))
        scores, ids = self.faiss_index.search(np.ascontiguousarray(query_vec.reshape(1, -1), dtype=np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def idf(self, token: str) -> float:
        """Inverse document frequency of a BM25 token (0 for tokens the corpus lacks)."""
        df = self._df().get(token, 0)
        if df == 0:
            return 0.0
        return float(np.log(1 + (len(self.chunks) - df + 0.5) / (df + 0.5)))

    def _df(self) -> dict[str, int]:
        if self._doc_freq is None:
            indptr = np.asarray(self.bm25.scores["indptr"])
            counts = np.diff(indptr)
            self._doc_freq = {tok: int(counts[i]) for tok, i in self.bm25.vocab_dict.items() if i < len(counts)}
        return self._doc_freq

    def lexical(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        if not tokens:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
