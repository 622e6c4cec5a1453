"""The benchmark's phases. Each runs in its own process (`rag.bench.worker`) so
its peak RSS is its own; each returns a plain dict of figures.

- `ingest_phase`: corpus -> metadata + chunks -> vectors -> BM25 + FAISS -> disk.
- `serve_phase`: load the index like `rag serve` does, then time retrieval and
  the whole extractive answer (the LCEL chain the CLI and app run), one
  question at a time: a cold pass (query embedding included), then the warm
  pass that gives the headline figures (query vectors cached by text).
- `baseline_phase`: the Chatchat-style recipe on the same text, same questions,
  same two passes.
"""

from __future__ import annotations

import gc
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..domain.tokenize import tokenize
from ..ingest.records import fingerprint
from ..stores import vectors as vector_index
from ..stores.files import Manifest, save_index
from ..stores.index import HybridIndex, build_bm25
from . import corpus as corpus_mod
from .synth import REAL_SAMPLE, corpus_vectors, near, real_vectors

WARMUP_QUESTION = "请问报告中提到的重点工作有哪些？"
STAGE = "stage: "  # stderr lines the runner reads to say where a stopped phase was


def stage(text: str) -> None:
    print(STAGE + text, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def pct(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None}
    return {"p50": round(float(np.percentile(values, 50)), 2), "p95": round(float(np.percentile(values, 95)), 2)}


def _timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def ingest_phase(n: int, index_dir: Path, cache: Path, embedder, exact_limit: int | None = None) -> dict:
    stage("building the corpus (metadata + chunking)")
    started = time.perf_counter()
    corpus = corpus_mod.build_corpus(n)
    corpus_s = time.perf_counter() - started
    sample = [c.indexed_text for c in corpus.chunks[:REAL_SAMPLE]]
    stage("passage vectors")
    t = time.perf_counter()
    vectors, vinfo = corpus_vectors(sample, corpus.keys, embedder, cache, "project")
    vectors_s = time.perf_counter() - t
    del corpus.keys
    stage(f"BM25 over {len(corpus.chunks):,} chunks")
    t = time.perf_counter()
    bm25 = build_bm25(tokenize(c.indexed_text) for c in corpus.chunks)
    bm25_s = time.perf_counter() - t
    stage("FAISS index")
    t = time.perf_counter()
    faiss_index, info = vector_index.build(vectors, exact_limit=exact_limit)
    faiss_s = time.perf_counter() - t
    index = HybridIndex(corpus.chunks, vectors, faiss_index, bm25, vector_info=info)
    manifest = Manifest(embedder=embedder.name, dim=embedder.dim, documents=corpus.documents)
    manifest.records = fingerprint()  # synthetic text: no indicator records to read at the first table question
    stage("saving the index")
    t = time.perf_counter()
    save_index(index_dir, index, manifest)
    save_s = time.perf_counter() - t
    indexing_s = bm25_s + faiss_s + save_s
    return {
        "chunks": len(index),
        "documents": len(corpus.documents),
        "corpus_s": round(corpus_s, 2),
        "chunking_s": round(corpus.chunk_seconds, 2),
        "vectors_s": round(vectors_s, 2),
        "embedding": vinfo,
        "bm25_s": round(bm25_s, 2),
        "faiss_s": round(faiss_s, 2),
        "save_s": round(save_s, 2),
        "indexing_chunks_per_s": round(len(index) / indexing_s, 1),
        "vector_index": info,
        "index_mb": round(dir_mb(index_dir), 1),
        "rss_mb": round(peak_rss_mb(), 1),
    }


def serve_phase(
    index_dir: Path,
    embedder,
    qa: Path,
    n_questions: int = 200,
    profile: bool = False,
    store: str | None = None,
    exact_dir: Path | None = None,
) -> dict:
    """`store`: where the index lives (`rag.stores`; None: files); `exact_dir`: a file index of the same chunks whose
    vectors give the exact neighbours for recall@10 (a Milvus store has no local vectors)."""
    from ..pipeline import Assistant
    from ..question.read import clean_question

    stage("loading the index")
    started = time.perf_counter()
    bot = Assistant(index_dir, embedder=embedder, store=store)
    bot.load()
    load_s = time.perf_counter() - started
    retriever = bot.retriever
    qs = corpus_mod.questions(qa, bot.store.read_manifest().documents, n_questions)
    stage("timing questions")
    bot.ask(WARMUP_QUESTION)  # the model, jieba and the first-call paths load here
    gc.collect()
    cold = _timed(bot.ask, qs)
    # `ask` embeds the parts of a compound question, `retrieve` the whole text: warm those too,
    # so the retrieval figures, like the answer ones, leave the model out
    _timed(bot.retrieve, qs)
    retrieval = _timed(bot.retrieve, qs)
    answer = _timed(bot.ask, qs)
    rss = peak_rss_mb()
    queries = np.vstack([retriever.query_vector(clean_question(q)[0]) for q in qs])
    # exact scores from the memory-mapped vectors: after the RSS reading, since those pages then count as resident
    if exact_dir is None:
        recall = vector_index.recall_at_k(retriever.index.faiss_index, queries, retriever.index.vectors, 10)
        index_type = vector_index.index_type(retriever.index.faiss_index)
    else:
        recall = _engine_recall(retriever.index, queries, np.load(Path(exact_dir) / "bench-vectors.npy", mmap_mode="r"))
        index_type = retriever.index.vector_info.get("type", "")
    slowest = sorted(zip(answer, qs, strict=True), reverse=True)[:5]
    result = {
        "questions": qs,
        "load_s": round(load_s, 2),
        "retrieval_ms": pct(retrieval),
        "answer_ms": pct(answer),
        "answer_cold_ms": pct(cold),
        "slowest_answers": [{"ms": round(ms, 1), "question": q} for ms, q in slowest],
        "recall_at_10_vs_flat": round(recall, 4),
        "index_type": index_type,
        "vector_index": retriever.index.vector_info,
        "rss_mb": round(rss, 1),
    }
    if profile:
        result["profile"] = _profile(bot.ask, qs)
    return result


def _engine_recall(index, queries: np.ndarray, vectors: np.ndarray, k: int = 10) -> float:
    """Share of the exact top-k (inner product over `vectors`, in the index's chunk order) that the index's own
    dense search returns."""
    found = total = 0
    for q in queries:
        exact = set(np.argsort(-(vectors @ q))[:k].tolist())
        got = {i for i, _ in index.dense(q, k)}
        found, total = found + len(exact & got), total + k
    return found / total if total else 0.0


def milvus_ingest_phase(index_dir: Path, store: str, embedder) -> dict:
    """The file index's chunks and vectors written into a Milvus collection as `rag ingest --store` writes them
    (batched inserts, the engine's BM25 and vector indexes), timed; the vectors are kept beside for recall."""
    from ..stores import open_store, parse_store
    from ..stores.files import load_index

    stage("reading the file index")
    files, manifest = load_index(index_dir)
    vectors = np.asarray(files.vectors, dtype=np.float32)
    target = index_dir.parent / f"{index_dir.name}-milvus"
    target.mkdir(parents=True, exist_ok=True)
    np.save(target / "bench-vectors.npy", vectors, allow_pickle=False)
    st = open_store(target, store)
    st.existing(embedder, rebuild=True)
    manifest.records = fingerprint()
    stage(f"inserting {len(files):,} chunks into Milvus")
    started = time.perf_counter()
    st.write([], [], files.chunks, vectors, [], manifest, set())
    insert_s = time.perf_counter() - started
    data = Path(parse_store(store).uri)
    return {
        "chunks": len(files),
        "insert_s": round(insert_s, 2),
        "insert_chunks_per_s": round(len(files) / insert_s, 1),
        "index_mb": round(dir_mb(data) if data.exists() else 0.0, 1),
        "rss_mb": round(peak_rss_mb(), 1),
        "index_dir": str(target),
    }


def _profile(fn, qs: list[str], top: int = 25) -> str:
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for q in qs:
        fn(q)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


class CachedQueries:
    """The embedder with query vectors cached by text, as the project's retriever caches
    them: the warm pass then compares index and retrieval cost, not the model."""

    def __init__(self, embedder):
        self.inner = embedder
        self.name = embedder.name
        self._cache: dict[str, np.ndarray] = {}

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, self.inner.embed_queries(missing), strict=True))
        return np.vstack([self._cache[t] for t in texts])


def _passages(n: int):
    from ..evaluation.chatchat import split_documents

    docs = list(corpus_mod.texts(n))
    prefix = {doc_id: p for doc_id, _, p in docs}
    passages = split_documents((doc_id, text) for doc_id, text, _ in docs)
    names: dict[tuple, int] = {}
    keys = [names.setdefault((prefix[d.metadata["doc"]], d.metadata["chunk_id"].rsplit("#", 1)[1]), len(names)) for d in passages]
    return passages, keys, sum(len(t) for _, t, _ in docs)


def baseline_phase(n: int, cache: Path, embedder, questions: list[str]) -> dict:
    """The Chatchat-style recipe (`rag.evaluation.chatchat`) over the same text and questions."""
    import faiss

    from ..evaluation.baselines import passage_system
    from ..evaluation.chatchat import ChatchatRecipe

    stage("splitting the text into the recipe's passages")
    started = time.perf_counter()
    passages, keys, chars = _passages(n)
    split_s = time.perf_counter() - started
    t = time.perf_counter()
    if n <= REAL_SAMPLE:
        vectors, vinfo = real_vectors([d.page_content for d in passages], embedder, cache, "baseline")
        vinfo.update(real=len(passages), synthesised=0)
    else:  # every passage near a real one of the sample corpus (its first REAL_SAMPLE chunks' text)
        sample, sample_keys, _ = _passages(REAL_SAMPLE)
        pool, vinfo = real_vectors([d.page_content for d in sample], embedder, cache, "baseline")
        vectors = near(pool, sample_keys, keys)
        vinfo.update(real=0, synthesised=len(passages))
        del sample
    vectors_s = time.perf_counter() - t
    queries_embedder = CachedQueries(embedder)
    stage(f"building the recipe's index (jieba BM25 + FAISS) over {len(passages):,} passages")
    t = time.perf_counter()
    recipe = ChatchatRecipe(passages, vectors, queries_embedder)
    index_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        faiss.write_index(recipe.faiss_index, str(Path(tmp) / "faiss.index"))
        recipe.bm25.save(str(Path(tmp) / "bm25"), allow_pickle=False)
        with open(Path(tmp) / "passages.jsonl", "w", encoding="utf-8") as f:
            for d in recipe.docs:
                f.write(json.dumps({"text": d.page_content, **d.metadata}, ensure_ascii=False) + "\n")
        index_mb = dir_mb(Path(tmp))
    stage("timing questions")
    system = passage_system(recipe.search, k=10)
    system(WARMUP_QUESTION)
    gc.collect()
    cold = _timed(system, questions)
    retrieval = _timed(lambda q: recipe.search(q, 10), questions)
    answer = _timed(system, questions)
    rss = peak_rss_mb()
    queries = queries_embedder.embed_queries(questions)
    return {
        "chunks": len(recipe),
        "corpus_chars": chars,
        "split_s": round(split_s, 2),
        "vectors_s": round(vectors_s, 2),
        "embedding": vinfo,
        "index_s": round(index_s, 2),
        "indexing_chunks_per_s": round(len(recipe) / index_s, 1),
        "index_mb": round(index_mb, 1),
        "retrieval_ms": pct(retrieval),
        "answer_ms": pct(answer),
        "answer_cold_ms": pct(cold),
        "recall_at_10_vs_flat": round(vector_index.recall_at_k(recipe.faiss_index, queries, vectors, 10), 4),
        "index_type": vector_index.index_type(recipe.faiss_index),
        "rss_mb": round(rss, 1),
    }


def remove_index(index_dir: Path) -> None:
    shutil.rmtree(index_dir, ignore_errors=True)
