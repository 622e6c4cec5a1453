"""Passage vectors for the benchmark: real where affordable, synthesised near
real ones beyond that.

Embedding a million chunks with the bundled model takes hours on 2 cores, so:
- the first `REAL_SAMPLE` chunks of the corpus are embedded for real (cached
  on disk by text, `rag.evaluation.chatchat.embed_cached`); that run gives the
  measured embedding throughput, saved beside the vectors;
- every later chunk gets the real vector of a sample chunk made from the same
  template paragraph (or any sample chunk when none is), mixed with a little
  of another sample vector and Gaussian noise, renormalised (cosine to its
  source ~0.98: a near-paraphrase).
The benchmark report marks which figures rest on synthesised vectors.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from ..evaluation.chatchat import embed_cached

REAL_SAMPLE = 1000
MIX = 0.1
NOISE = 0.01


def real_vectors(texts: list[str], embedder, cache_dir: Path, label: str) -> tuple[np.ndarray, dict]:
    """Real embeddings of `texts` and the throughput measured when they were computed."""
    digest = hashlib.sha256("\0".join([embedder.name, *texts]).encode()).hexdigest()[:16]
    rate_file = Path(cache_dir) / f"throughput-{label}-{digest}.json"
    started = time.perf_counter()
    vectors, cached = embed_cached(texts, embedder, cache_dir)
    seconds = time.perf_counter() - started
    if not cached or not rate_file.exists():
        info = {
            "embedder": embedder.name,
            "texts": len(texts),
            "seconds": round(seconds, 2),
            "per_s": round(len(texts) / seconds, 2) if seconds > 0 else None,
            "chars_per_text": round(sum(map(len, texts)) / max(1, len(texts)), 1),
            "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        }
        rate_file.parent.mkdir(parents=True, exist_ok=True)
        rate_file.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    info = json.loads(rate_file.read_text(encoding="utf-8"))
    info["from_cache"] = cached
    return vectors, info


def near(pool: np.ndarray, pool_keys: list[int], keys: list[int], seed: int = 0) -> np.ndarray:
    """One vector per key: a pool vector with the same key (else any), mixed and noised, unit length."""
    rng = np.random.default_rng(seed)
    by_key: dict[int, list[int]] = {}
    for i, k in enumerate(pool_keys):
        by_key.setdefault(k, []).append(i)
    src = np.empty(len(keys), dtype=np.int64)
    for i, k in enumerate(keys):
        same = by_key.get(k)
        src[i] = same[rng.integers(len(same))] if same else rng.integers(len(pool))
    out = np.empty((len(keys), pool.shape[1]), dtype=np.float32)
    for start in range(0, len(keys), 65536):
        rows = src[start : start + 65536]
        other = rng.integers(len(pool), size=len(rows))
        v = pool[rows] + MIX * pool[other] + rng.normal(0, NOISE, (len(rows), pool.shape[1])).astype(np.float32)
        out[start : start + len(rows)] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def corpus_vectors(sample_texts: list[str], keys: list[int], embedder, cache_dir: Path, label: str):
    """Vectors for a corpus whose first chunks have `sample_texts`: those real, the rest near them.

    Every corpus size starts with the same sample (the first `REAL_SAMPLE` chunks of
    the stream), so all sizes share one cached sample and one measured rate.
    Returns (vectors, info) with the throughput and how many vectors are real.
    """
    real, info = real_vectors(sample_texts, embedder, cache_dir, label)
    n = len(keys)
    info.update(real=min(n, len(real)), synthesised=max(0, n - len(real)))
    if n <= len(real):
        return real[:n], info
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real
    out[len(real) :] = near(real, keys[: len(real)], keys[len(real) :])
    return out, info
