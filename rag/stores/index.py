"""Step 5: the in-memory hybrid index — a FAISS index over normalised vectors
(exact or IVF by corpus size, see `rag.stores.vectors`) and a Chinese BM25 (bm25s,
sparse matrices: no Python loop over documents at query time).

`HybridIndex` is built from chunks + vectors and searched by `rag.retrieval`.
Persistence lives in `rag.stores.files`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..domain.tokenize import tokenize
from ..types import Chunk
from . import vectors as vector_index
from .fusion import reciprocal_rank

EMPTY_TOKEN = "\u2400"  # bm25s cannot index an empty token list; a placeholder keeps positions aligned


def build_faiss(vectors: np.ndarray):
    """Exact inner-product index (what the Chatchat-style recipe uses at every size)."""
    return vector_index.build(vectors, kind="flat")[0]


def build_bm25(token_lists: Iterable[list[str]]):
    """BM25 over token lists, streamed: each document's tokens become a compact
    array of ids at once, so a million chunks never hold their token strings
    in memory together."""
    import bm25s

    vocab: dict[str, int] = {}
    ids = []
    for toks in token_lists:
        ids.append(array("i", [vocab.setdefault(t, len(vocab)) for t in (toks or [EMPTY_TOKEN])]))
    bm25 = bm25s.BM25(k1=1.2, b=0.75)
    bm25.index((ids, vocab), show_progress=False)
    return bm25


def top_k(scores: np.ndarray, k: int, small: int = vector_index.EXACT_LIMIT) -> list[tuple[int, float]]:
    """The k best positive scores, best first, without sorting every document.

    Up to `small` documents the selection runs over the whole array (the order
    of equal scores is the one earlier versions gave, so small indexes answer
    exactly as before); above, only over the documents that scored at all.
    """
    if len(scores) <= small:
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
    else:
        top = np.flatnonzero(scores > 0)
        if len(top) > k:
            top = top[np.argpartition(-scores[top], k - 1)[:k]]
        top = top[np.lexsort((top, -scores[top]))]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


class ChunkTable:
    """What every index holds in the process, whichever engine searches it: the chunks (`chunks`, `by_id`),
    their indicator records, BM25 term statistics (`bm25`: term weights, `idf`) and per-document arrays for
    filters (`doc_table`). `HybridIndex` searches with FAISS and bm25s here; `rag.stores.milvus_index.MilvusIndex`
    in the engine."""

    chunks: list[Chunk]
    bm25: object
    by_id: dict[str, int]
    records: list
    records_stale: bool
    _table: tuple | None

    def __len__(self) -> int:
        return len(self.chunks)

    def idf(self, token: str, mask: np.ndarray | None = None) -> float:
        """Inverse document frequency of a BM25 token (0 for tokens the corpus lacks), counted over the
        chunks `mask` keeps when given (the reports that may answer a question: its statistics then do
        not change when reports about other places are added)."""
        i = self.bm25.vocab_dict.get(token)
        indptr = self.bm25.scores["indptr"]
        if i is None or i + 1 >= len(indptr):
            return 0.0
        if mask is None:
            n, df = len(self.chunks), int(indptr[i + 1] - indptr[i])
        else:
            n, df = int(mask.sum()), int(np.count_nonzero(mask[self.bm25.scores["indices"][indptr[i] : indptr[i + 1]]]))
        if df == 0:
            return 0.0
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        """One document's chunks, in document order."""
        codes, firsts, _ = self.doc_table()
        row = next((i for i, c in enumerate(firsts) if c.doc_id == doc_id), None)
        return [] if row is None else [self.chunks[i] for i in np.flatnonzero(codes == row)]

    def doc_table(self) -> tuple[np.ndarray, list[Chunk], np.ndarray]:
        """Per chunk, its document's row and its period (-1 when none), and one chunk per
        document (whose `meta` and `doc_id` are the document's): what filters need, as arrays."""
        if self._table is None:
            rows: dict[str, int] = {}
            firsts: list[Chunk] = []
            codes = np.empty(len(self.chunks), dtype=np.int32)
            periods = np.empty(len(self.chunks), dtype=np.int32)
            for i, c in enumerate(self.chunks):
                row = rows.get(c.doc_id)
                if row is None:
                    row = rows[c.doc_id] = len(firsts)
                    firsts.append(c)
                codes[i] = row
                periods[i] = c.period if c.period is not None else -1
            self._table = (codes, firsts, periods)
        return self._table


@dataclass
class HybridIndex(ChunkTable):
    chunks: list[Chunk]
    vectors: np.ndarray
    faiss_index: object
    bm25: object
    by_id: dict[str, int] = field(default_factory=dict)
    vector_info: dict = field(default_factory=dict)  # what `rag.stores.vectors.build` chose (type, efSearch, recall)
    records: list = field(default_factory=list)  # indicator records (`rag.ingest.records`), in chunk order
    records_stale: bool = False  # read with another indicator catalogue or extraction version
    _table: tuple | None = field(default=None, repr=False)

    def __post_init__(self):
        if not self.by_id:
            self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        if not self.vector_info:
            self.vector_info = {"type": vector_index.index_type(self.faiss_index)}

    @classmethod
    def build(
        cls, chunks: list[Chunk], vectors: np.ndarray, exact_limit: int | None = None, records: list | None = None
    ) -> HybridIndex:
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        bm25 = build_bm25(tokenize(c.indexed_text) for c in chunks)
        faiss_index, info = vector_index.build(vectors, exact_limit=exact_limit)
        return cls(chunks, vectors, faiss_index, bm25, vector_info=info, records=list(records or []))

    def dense(self, query_vec: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        k = min(k, len(self.chunks))
        scores, ids = vector_index.search(self.faiss_index, query_vec, k, mask)
        return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i >= 0]

    def lexical(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """BM25 top-k: the postings of the query's tokens summed into one score array (numpy)."""
        ids = self.bm25.get_tokens_ids(tokens) if tokens else []
        if not ids:
            return []
        scores = np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, 0)
        return top_k(scores, min(k, len(scores)))

    def hybrid(self, query_vec: np.ndarray, tokens: list[str], k: int, mask: np.ndarray | None = None) -> dict[int, float]:
        """Dense and BM25 top-k, fused (`rag.stores.fusion`): chunk -> score."""
        return reciprocal_rank([self.dense(query_vec, k, mask), self.lexical(tokens, k, mask)])
