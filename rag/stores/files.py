"""The default store: the index as files under one directory (FAISS + bm25s, atomic generations; `rag.stores.layout`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from filelock import FileLock

from ..errors import IndexCorruptError, IndexMismatchError
from ..ingest.chunking import CHUNKER_VERSION
from ..types import Chunk
from . import cancelled, writer_lock
from .index import HybridIndex
from .layout import Manifest, check_compatible, collect_garbage, current_generation, load_index, read_manifest, save_index


class FileStore:
    kind = "files"

    def __init__(self, root: Path):
        self.root = Path(root)
        self._vectors: np.ndarray | None = None  # the existing rows, between `existing` and `write`

    def describe(self) -> str:
        return f"FAISS 文件 {self.root}"

    def generation(self) -> Path | None:
        return current_generation(self.root)

    def read_manifest(self) -> Manifest:
        return read_manifest(self.root)

    def load(self, embedder_name: str | None = None) -> tuple[HybridIndex, Manifest]:
        return load_index(self.root, embedder_name)

    def lock(self, timeout: float = 600) -> FileLock:
        return writer_lock(self.root, timeout)

    def existing(self, embedder, rebuild: bool) -> tuple[list[Chunk], list, Manifest]:
        """The chunks, records and manifest an ingest starts from (none when rebuilding or new)."""
        fresh = Manifest(embedder=embedder.name, dim=embedder.dim)
        self._vectors = np.zeros((0, fresh.dim), dtype=np.float32)
        if rebuild:
            return [], [], fresh
        try:
            if current_generation(self.root) is None:
                return [], [], fresh
            index, manifest = load_index(self.root)
            check_compatible(manifest, embedder.name, self.root)
        except (IndexMismatchError, IndexCorruptError) as e:
            raise cancelled(e) from e
        manifest.chunker = CHUNKER_VERSION
        self._vectors = index.vectors
        return index.chunks, index.records, manifest

    def unchanged(self) -> None:
        """Nothing to write: clear the debris of an ingest killed after its swap."""
        live = current_generation(self.root)
        if live is not None:
            collect_garbage(self.root, keep=live.name)

    def write(
        self,
        old: list[Chunk],
        keep: list[int],
        new_chunks: list[Chunk],
        new_vectors: np.ndarray,
        records: list,
        manifest: Manifest,
        dropped: set[str],
    ) -> None:
        """A new generation: the kept rows of the existing index, then the new chunks (`dropped`: documents
        removed or replaced — their rows are simply not kept here)."""
        vectors = [self._vectors[keep]] if keep else []
        if len(new_chunks):
            vectors.append(new_vectors)
        index = HybridIndex.build([old[i] for i in keep] + new_chunks, np.vstack(vectors), records=records)
        save_index(self.root, index, manifest)
