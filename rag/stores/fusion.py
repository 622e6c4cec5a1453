"""Fusion of the dense and the lexical ranking into one: reciprocal-rank fusion, a step of its own.

Each ranking gives its chunks 1 / (RRF_K + rank) (ranks from 1); a chunk's fused score is the sum. The FAISS
index fuses here; Milvus fuses in the engine with its `RRFRanker(RRF_K)`, the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable

RRF_K = 60


def reciprocal_rank(rankings: Iterable[list[tuple[int, float]]], k: int = RRF_K) -> dict[int, float]:
    """Chunk -> fused score over `rankings` (each a list of (chunk, score), best first)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (i, _) in enumerate(ranking):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank + 1)
    return fused
