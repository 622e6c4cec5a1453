"""The seam of the embedding stage: `Embedder` (one method per side, L2-normalised float32 rows) and the
thread settings every engine shares."""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


def quiet_openmp() -> None:
    """Make idle OpenMP threads sleep instead of spin.

    GNU OpenMP spins for a while after each parallel region by default. On a
    machine whose cores are busy (2 shared cores here) the spinning threads
    take the cores the working ones need: a 2-thread query embedding went
    from ~30 ms to 1.7 s (p50) with the default policy, and stayed at ~30 ms
    with PASSIVE. Each OpenMP runtime (the engine bundles its own, faiss has
    another) reads this when it loads, so it is set at import, before either.
    An explicit OMP_WAIT_POLICY from the environment wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


quiet_openmp()


def default_threads() -> int:
    """Threads for the embedding engine: never more than the cores we have.

    The bundled engine slows down badly when OpenMP has more threads than
    free cores, so honour RAG_EMBED_THREADS / OMP_NUM_THREADS and otherwise
    use the cores available to this process (at most 4); idle threads sleep
    (`quiet_openmp`).
    """
    for var in ("RAG_EMBED_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))
