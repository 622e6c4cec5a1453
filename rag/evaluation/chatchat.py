"""A Chatchat-style LangChain recipe, built independently of our index, as a
baseline for `rag eval --compare` (and, at larger sizes, `rag bench`).

What Langchain-Chatchat does with a knowledge base, reproduced here:

- Split each raw document with LangChain's `RecursiveCharacterTextSplitter`,
  chunk_size=750, chunk_overlap=150, using the separators of Chatchat's
  `ChineseRecursiveTextSplitter` (regexes, separator kept at the end of the
  piece before it): paragraph, line, 。！？, ". ! ?", ；, ，. We add "" as
  the last resort so no chunk exceeds the size (Chatchat keeps over-long
  pieces whole). No document header is added: that is the recipe.
- Retrieve with an ensemble of jieba-tokenised BM25 (`jieba.lcut_for_search`
  as Chatchat's preprocess function; bm25s instead of rank_bm25) and dense
  FAISS search (faiss used directly, inner product on L2-normalised vectors,
  no score threshold), weights 0.5/0.5, fused as LangChain's
  `EnsembleRetriever` does: weighted reciprocal rank fusion with c=60.
- Everything flows as langchain-core `Document`s through `BaseRetriever`s.

Passage vectors are cached on disk, keyed by the sha256 of the embedder name
and the passage texts, so a second run does not embed again.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

CHUNK_SIZE = 750
CHUNK_OVERLAP = 150
RRF_C = 60
WEIGHTS = (0.5, 0.5)  # BM25, dense
# Chatchat's ChineseRecursiveTextSplitter separators (regexes), then "" (hard cut).
SEPARATORS = ["\n\n", "\n", "。|！|？", r"\.\s|\!\s|\?\s", r"；|;\s", r"，|,\s", ""]


class Passage(NamedTuple):
    """One search result: the passage text, its document, its id and its score."""

    text: str
    doc: str
    chunk_id: str
    score: float


def make_splitter(chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=SEPARATORS,
        keep_separator="end",
        is_separator_regex=True,
        add_start_index=True,
    )


def split_documents(
    docs: Iterable[tuple[str, str]], chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP
) -> list[Document]:
    """(doc_id, text) pairs -> LangChain documents with doc, chunk_id and start_index metadata."""
    splitter = make_splitter(chunk_size, chunk_overlap)
    out: list[Document] = []
    for doc_id, text in docs:
        for i, d in enumerate(splitter.create_documents([text], metadatas=[{"doc": doc_id}])):
            d.metadata["chunk_id"] = f"{doc_id}#cc{i}"
            d.id = d.metadata["chunk_id"]
            out.append(d)
    return out


def jieba_tokens(text: str) -> list[str]:
    """Chatchat's BM25 preprocessing: `jieba.lcut_for_search`, whitespace-only tokens dropped."""
    import jieba

    jieba.setLogLevel(60)
    return [t for t in jieba.lcut_for_search(text) if t.strip()]


def weighted_rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], c: int = RRF_C) -> list[tuple[str, float]]:
    """LangChain `EnsembleRetriever.weighted_reciprocal_rank` over ids: score(d) =
    sum_i w_i / (rank_i(d) + c) with 1-based ranks; ties keep first-seen order."""
    if len(rankings) != len(weights):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[str, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] += weight / (rank + c)
    seen = list(dict.fromkeys(key for ranking in rankings for key in ranking))
    return sorted(((key, scores[key]) for key in seen), key=lambda kv: -kv[1])


def _scored(doc: Document, score: float) -> Document:
    return Document(page_content=doc.page_content, id=doc.id, metadata={**doc.metadata, "score": float(score)})


class BM25Retriever(BaseRetriever):
    """Top-k passages by BM25 over jieba search-mode tokens (zero scores included, as LangChain's)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    docs: list[Document]
    bm25: Any
    k: int = 4

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        scores = np.asarray(self.bm25.get_scores(jieba_tokens(query)), dtype=np.float64)
        top = np.argsort(-scores, kind="stable")[: self.k]
        return [_scored(self.docs[i], scores[i]) for i in top]


class FaissRetriever(BaseRetriever):
    """Top-k passages by inner product of normalised embeddings (cosine)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    docs: list[Document]
    index: Any
    embedder: Any
    k: int = 4

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        vec = np.ascontiguousarray(self.embedder.embed_queries([query]), dtype=np.float32)
        scores, ids = self.index.search(vec, min(self.k, len(self.docs)))
        return [_scored(self.docs[i], s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


class WeightedEnsembleRetriever(BaseRetriever):
    """LangChain's EnsembleRetriever rule (weighted RRF, id_key=chunk_id), truncated to k."""

    retrievers: list[BaseRetriever]
    weights: list[float]
    c: int = RRF_C
    k: int = 4

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        lists = [
            r.invoke(query, config={"callbacks": run_manager.get_child(f"retriever_{i}")}) for i, r in enumerate(self.retrievers)
        ]
        by_id = {d.metadata["chunk_id"]: d for docs in lists for d in docs}
        fused = weighted_rrf([[d.metadata["chunk_id"] for d in docs] for docs in lists], self.weights, self.c)
        return [_scored(by_id[key], score) for key, score in fused[: self.k]]


def _cache_path(cache_dir: Path, embedder_name: str, texts: list[str]) -> Path:
    h = hashlib.sha256(embedder_name.encode())
    for t in texts:
        h.update(b"\0")
        h.update(t.encode())
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_name)[:40]
    return cache_dir / f"vectors-{safe}-{h.hexdigest()[:32]}.npy"


def embed_cached(texts: list[str], embedder, cache_dir: str | Path | None) -> tuple[np.ndarray, bool]:
    """Passage vectors for `texts`, from the cache when present. Returns (vectors, from_cache)."""
    path = _cache_path(Path(cache_dir), embedder.name, texts) if cache_dir else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape == (len(texts), embedder.dim):
                return vectors.astype(np.float32, copy=False), True
        except (OSError, ValueError):
            pass  # unreadable cache entry: embed again and overwrite it
    vectors = np.ascontiguousarray(embedder.embed_passages(texts), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}.npy")
        np.save(tmp, vectors, allow_pickle=False)
        os.replace(tmp, path)
    return vectors, False


class ChatchatRecipe:
    """The recipe's knowledge base: split passages, their BM25 and FAISS indexes.

    Build with `ChatchatRecipe.build([(doc_id, text), ...], embedder)`;
    `search(question, k)` returns `Passage`s, best first.
    """

    def __init__(self, docs: list[Document], vectors: np.ndarray, embedder, weights: Sequence[float] = WEIGHTS, c: int = RRF_C):
        from ..stores.index import build_bm25, build_faiss

        if not docs:
            raise ValueError("Chatchat 基线没有可检索的段落：文档列表为空。")
        if len(docs) != len(vectors):
            raise ValueError(f"{len(docs)} passages but {len(vectors)} vectors")
        self.docs = docs
        self.embedder = embedder
        self.weights = list(weights)
        self.c = c
        self.bm25 = build_bm25([jieba_tokens(d.page_content) for d in docs])
        self.faiss_index = build_faiss(vectors)
        self.from_cache = False

    @classmethod
    def build(
        cls,
        docs: Iterable[tuple[str, str]],
        embedder,
        cache_dir: str | Path | None = None,
        chunk_size: int = CHUNK_SIZE,
        chunk_overlap: int = CHUNK_OVERLAP,
    ) -> ChatchatRecipe:
        passages = split_documents(docs, chunk_size, chunk_overlap)
        vectors, from_cache = embed_cached([d.page_content for d in passages], embedder, cache_dir)
        recipe = cls(passages, vectors, embedder)
        recipe.from_cache = from_cache
        return recipe

    def __len__(self) -> int:
        return len(self.docs)

    def retriever(self, k: int = 4) -> WeightedEnsembleRetriever:
        bm25 = BM25Retriever(docs=self.docs, bm25=self.bm25, k=k)
        dense = FaissRetriever(docs=self.docs, index=self.faiss_index, embedder=self.embedder, k=k)
        return WeightedEnsembleRetriever(retrievers=[bm25, dense], weights=self.weights, c=self.c, k=k)

    def search(self, question: str, k: int = 10) -> list[Passage]:
        docs = self.retriever(k).invoke(question)
        return [Passage(d.page_content, d.metadata["doc"], d.metadata["chunk_id"], d.metadata["score"]) for d in docs]
