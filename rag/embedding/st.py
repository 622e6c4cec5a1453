"""sentence-transformers embedder for any hub id or local model directory.

Queries and passages use the model's own prompts when it defines them
(`encode_query` / `encode_document`); E5-style models without configured
prompts get the "query: " / "passage: " prefixes they were trained with.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from .base import default_threads


class SentenceTransformerEmbedder:
    def __init__(self, model: str, device: str = "cpu", batch_size: int = 32):
        if not model:
            raise ValueError("sentence-transformers 模型名为空。用法：st:<模型名或本地目录>。")
        self.model_name = model
        self.name = f"st:{Path(model).name if Path(model).is_dir() else model}"
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self._e5 = "e5" in Path(model).name.lower()

    def _get(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(default_threads())
            try:
                self._model = SentenceTransformer(self.model_name, device=self.device)
            except Exception as e:  # noqa: BLE001 - re-raised with the fix
                raise ValueError(
                    f"无法加载 sentence-transformers 模型“{self.model_name}”：{e}。"
                    "离线环境请传入本地模型目录，或先在联网环境下载到本地缓存。"
                ) from e
        return self._model

    @property
    def dim(self) -> int:
        model = self._get()
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._get()
            if self._e5 and not getattr(model, "prompts", None):
                prefix = "query: " if is_query else "passage: "
                texts = [prefix + t for t in texts]
                encode = model.encode
            else:
                encode = getattr(model, "encode_query" if is_query else "encode_document", model.encode)
            out = encode(texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(np.asarray(out, dtype=np.float32))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)
