"""A machine-wide cache of passage vectors, keyed by model and text.

Embedding is the slow part of an ingest (~8–10 passages/s on 2 cores: the 37-report knowledge base
takes ~6 minutes). A vector depends only on the model and the exact text embedded (header + passage),
so it is stored under (model name, sha256 of the text) in one SQLite file shared by every index on
the machine: a second ingest of the same text — a rebuild, another index, a test run — embeds nothing.

- Location: `$RAG_VECTOR_CACHE` (a file path), else `~/.cache/report-qa/vectors.sqlite3`;
  `RAG_VECTOR_CACHE=off` disables it.
- Vectors are written batch by batch as they are computed, so an ingest that is interrupted keeps
  what it embedded. SQLite's locking makes concurrent ingests safe.
- A corrupt or unwritable cache never fails an ingest: it is bypassed (with a warning on stderr).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..progress import OnStep, Stage

BATCH = 32  # passages per embedding call (also the granularity of progress and of cache writes)
PROGRESS_STEPS, PROGRESS_BATCH = 10, 8  # a few passages are embedded in ~10 steps of at least 8 (time left shows early)
_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key))"


def default_cache_path() -> Path | None:
    value = os.environ.get("RAG_VECTOR_CACHE", "").strip()
    if value.lower() in ("off", "0", "none", "false"):
        return None
    if value:
        return Path(value).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME", "") or Path.home() / ".cache")
    return base / "report-qa" / "vectors.sqlite3"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """(model, text) -> float32 vector, in SQLite. Cheap to construct; the file opens on first use."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._broken = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(_SCHEMA)
        return con

    def _guard(self, what: str, action: Callable[[sqlite3.Connection], object], default):
        if self._broken:
            return default
        try:
            with self._lock:
                con = self._connect()
                try:
                    with con:
                        return action(con)
                finally:
                    con.close()
        except (sqlite3.Error, OSError) as e:
            self._broken = True
            print(f"提示：向量缓存 {self.path} 无法{what}（{e}），本次不使用缓存。", file=sys.stderr)
            return default

    def get(self, model: str, texts: list[str], dim: int) -> dict[int, np.ndarray]:
        """Cached vectors for `texts`, by position."""
        keys = [text_key(t) for t in texts]
        wanted: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            wanted.setdefault(k, []).append(i)

        def read(con: sqlite3.Connection) -> dict[int, np.ndarray]:
            out: dict[int, np.ndarray] = {}
            unique = list(wanted)
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                rows = con.execute(
                    f"SELECT key, vec FROM vectors WHERE model = ? AND dim = ? AND key IN ({','.join('?' * len(part))})",
                    [model, dim, *part],
                )
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape == (dim,):
                        for i in wanted[key]:
                            out[i] = vec
            return out

        return self._guard("读取", read, {})

    def put(self, model: str, texts: list[str], vectors: np.ndarray) -> None:
        rows = [
            (model, text_key(t), int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        self._guard("写入", lambda con: con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows), None)

    def count(self, model: str | None = None) -> int:
        sql, args = (
            ("SELECT COUNT(*) FROM vectors", []) if model is None else ("SELECT COUNT(*) FROM vectors WHERE model = ?", [model])
        )
        return self._guard("读取", lambda con: con.execute(sql, args).fetchone()[0], 0)


def machine_cache() -> VectorCache | None:
    path = default_cache_path()
    return VectorCache(path) if path is not None else None


def embed_passages_cached(
    embedder, texts: list[str], cache: VectorCache | None, on_step: OnStep | None = None
) -> tuple[np.ndarray, int]:
    """Vectors for `texts` (cached ones read, the rest embedded in batches and cached as they come).
    Returns (vectors, how many were embedded)."""
    dim = embedder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    found = cache.get(embedder.name, texts, dim) if cache is not None else {}
    for i, vec in found.items():
        out[i] = vec
    missing = [i for i in range(len(texts)) if i not in found]
    stage = Stage("向量化", len(missing), on_step)
    size = getattr(embedder, "batch", BATCH)  # an embedder spread over several workers takes larger batches
    size = min(size, max(PROGRESS_BATCH, -(-len(missing) // PROGRESS_STEPS)))  # a small upload still shows steps
    for start in range(0, len(missing), size):
        idx = missing[start : start + size]
        batch = [texts[i] for i in idx]
        vecs = np.asarray(embedder.embed_passages(batch), dtype=np.float32).reshape(len(idx), dim)
        out[idx] = vecs
        if cache is not None:
            cache.put(embedder.name, batch, vecs)
        stage.advance(len(idx))
    return out, len(missing)
