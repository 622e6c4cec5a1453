"""Where an index lives, chosen by `--store` (or RAG_STORE) on every command that takes `--index`:

    (none), faiss          files under the index directory: FAISS + bm25s (`rag.stores.files`; one machine, the default)
    milvus-lite:DIR        a Milvus collection, the engine embedded (package `milvus-lite`; tests, one machine)
    milvus://HOST:PORT     a Milvus collection on a standalone server or cluster — the same code path

With Milvus, `--index DIR` still names the index: its directory's name names the collections
(`rag_<name>_chunks`, `rag_<name>_meta`), and the directory holds the writers' lock and the app's uploads.

In: chunks, vectors and indicator records from `rag.ingest`; out: the index `rag.retrieval` searches. Every
backend satisfies `rag.stores.base.Store` and is chosen through `BACKENDS` (a registry: `register` adds one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .base import STORE_HELP, Manifest, Store, StoreSpec, cancelled, parse_store, writer_lock
from .files import FileStore
from .milvus import MilvusStore

# StoreSpec.kind -> the store of an index directory
BACKENDS: dict[str, Callable[[Path, StoreSpec], Store]] = {
    "files": lambda root, spec: FileStore(root),
    "milvus": MilvusStore,
}


def register(kind: str, factory: Callable[[Path, StoreSpec], Store]) -> None:
    """Add a backend (`parse_store` must then produce specs of this kind)."""
    BACKENDS[kind] = factory


def open_store(index_dir: str | Path, store: Store | StoreSpec | str | None = None) -> Store:
    """The store of an index (`store`: a store already open, a StoreSpec, its text, or None for RAG_STORE /
    the default)."""
    if isinstance(store, Store):
        return store
    spec = store if isinstance(store, StoreSpec) else parse_store(store)
    return BACKENDS[spec.kind](Path(index_dir), spec)


__all__ = [
    "BACKENDS",
    "STORE_HELP",
    "Manifest",
    "Store",
    "StoreSpec",
    "cancelled",
    "open_store",
    "parse_store",
    "register",
    "writer_lock",
]
