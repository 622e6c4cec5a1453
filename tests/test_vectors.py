"""The dense index by size (exact / IVF with calibrated nprobe), filtered search
without a loop over chunks, the streamed BM25 build, and what the store records."""

import json

import numpy as np
import pytest

from rag.domain.tokenize import tokenize
from rag.retrieval import Filters, HybridRetriever
from rag.stores import vectors
from rag.stores.files import current_generation, load_index, save_index
from rag.stores.index import HybridIndex, build_bm25, top_k


def _clustered(n: int, dim: int = 32, centres: int = 40, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dim)).astype(np.float32)
    v = c[rng.integers(centres, size=n)] + 0.3 * rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_index_type_follows_size():
    assert vectors.choose_type(vectors.EXACT_LIMIT - 1) == "flat"
    assert vectors.choose_type(vectors.EXACT_LIMIT) == "ivf"
    assert vectors.choose_type(500, exact_limit=100) == "ivf"
    small, info = vectors.build(_clustered(200))
    assert info == {"type": "flat"} and vectors.index_type(small) == "flat"


def _near_duplicates(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    """Tight clusters of near-duplicates (the same paragraph for many regions and years)."""
    rng = np.random.default_rng(seed)
    base = _clustered(n // 50, dim, seed=seed)
    v = base[rng.integers(len(base), size=n)] + 0.02 * rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("data", [_clustered, _near_duplicates])
def test_ivf_is_calibrated_to_the_recall_target(data):
    v = data(4000)
    index, info = vectors.build(v, kind="ivf")
    assert info["type"] == "ivf" and info["nprobe"] in vectors.NPROBE_CHOICES and info["nlist"] == vectors.n_lists(4000)
    assert info["calibration_recall_at_10"] >= vectors.CALIBRATION_RECALL
    assert index.nprobe == info["nprobe"]
    fresh = vectors.sample_queries(v, 100, seed=7)  # queries the calibration did not see
    assert vectors.recall_at_k(index, fresh, v) >= vectors.RECALL_TARGET
    index.nprobe = 1  # one list only must show up as lost recall: the measure can fail
    assert vectors.recall_at_k(index, fresh, v) < vectors.RECALL_TARGET


def test_exact_scores_in_blocks_match_a_full_product():
    v = _clustered(1000)
    q = vectors.sample_queries(v, 20)
    full = -np.sort(-(q @ v.T), axis=1)[:, :10]
    assert np.allclose(vectors.exact_scores(v, q, 10, block=128), full, atol=1e-6)


def test_recall_counts_ties_as_found():
    v = np.vstack([np.eye(8, dtype=np.float32)] * 3)  # every vector three times
    index, _ = vectors.build(v, kind="flat")
    assert vectors.recall_at_k(index, np.eye(8, dtype=np.float32), v, k=2) == 1.0


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_masked_search_returns_only_allowed_rows_best_first(kind):
    v = _clustered(2000)
    index, _ = vectors.build(v, kind=kind)
    q = v[5]
    for share in (0.01, 0.5):  # a selective filter (every list probed) and a broad one
        mask = np.random.default_rng(1).random(len(v)) < share
        scores, ids = vectors.search(index, q, 10, mask)
        assert len(ids) and mask[ids].all()
        allowed = np.flatnonzero(mask)
        best = allowed[np.argsort(-(v[allowed] @ q))[:10]]
        assert len(set(ids) & set(best)) >= 9
    scores, ids = vectors.search(index, q, 10, np.zeros(len(v), dtype=bool))
    assert len(ids) == 0


def test_streamed_bm25_scores_like_bm25s_from_tokens():
    import bm25s

    docs = [["经济", "增长", "增长"], [], ["财政", "收入", "增长"], ["经济", "财政"]]
    ours = build_bm25(iter(docs))
    ref = bm25s.BM25(k1=1.2, b=0.75)
    ref.index([d or ["\u2400"] for d in docs], show_progress=False)
    for query in (["增长"], ["经济", "财政"], ["收入", "没有"]):
        assert np.allclose(ours.get_scores(query), ref.get_scores(query))


def test_top_k_selection_same_on_both_paths():
    rng = np.random.default_rng(0)
    scores = np.round(rng.random(5000), 2).astype(np.float32)  # many ties
    scores[rng.random(5000) < 0.5] = 0
    whole, sparse = top_k(scores, 50, small=10**9), top_k(scores, 50, small=0)
    assert [s for _, s in whole] == [s for _, s in sparse]  # same scores in the same order
    assert all(s > 0 for _, s in sparse) and [i for i, _ in sparse] == sorted(
        [i for i, _ in sparse], key=lambda i: (-scores[i], i)
    )


def test_filter_mask_equals_allows(fake_index):
    index, _ = load_index(fake_index)
    for f in (
        Filters(regions=("甲山区",)),
        Filters(years=(2022,)),
        Filters(docs=("b_report.txt",)),
        Filters(regions=("甲山区",), years=(2023,)),
        Filters(regions=("没有这个区",)),
    ):
        assert f.mask(index).tolist() == [f.allows(c) for c in index.chunks]


def test_filtered_search_uses_the_mask_not_a_chunk_loop(fake_index, fake_embedder, monkeypatch):
    index, _ = load_index(fake_index)
    r = HybridRetriever(index, fake_embedder)
    monkeypatch.setattr(Filters, "allows", lambda self, chunk: pytest.fail("per-chunk filter check"))
    hits = r.search("地区生产总值", k=10, filters=Filters(docs=("b_report.txt",)))
    assert hits and all(h.chunk.doc_id == "b_report.txt" for h in hits)
    assert r.search("地区生产总值", k=10, filters=Filters(regions=("没有这个区",))) == []


def test_store_records_and_reloads_the_index_type(tmp_path, fake_index):
    index, manifest = load_index(fake_index)
    assert manifest.vector_index == {"type": "flat"}  # what ingest wrote for a small corpus
    assert isinstance(index.vectors, np.memmap)  # vectors stay on disk until an ingest needs them
    ivf = HybridIndex.build(index.chunks, np.asarray(index.vectors), exact_limit=1)  # IVF forced by a tiny threshold
    root = tmp_path / "idx"
    save_index(root, ivf, manifest)
    data = json.loads((current_generation(root) / "manifest.json").read_text(encoding="utf-8"))
    assert data["vector_index"]["type"] == "ivf" and data["vector_index"]["nprobe"] >= 1
    assert "faiss.index" in data["files"]  # checksummed like every other file
    again, m2 = load_index(root)
    assert vectors.index_type(again.faiss_index) == "ivf"
    assert again.faiss_index.nprobe == data["vector_index"]["nprobe"]  # faiss' own I/O kept it
    assert again.vector_info == m2.vector_index
    metas = {id(c.meta) for c in again.chunks if c.doc_id == again.chunks[0].doc_id}
    assert len(metas) == 1  # one metadata object per document


def test_idf_reads_document_frequency_from_the_sparse_index(fake_index):
    index, _ = load_index(fake_index)
    n = len(index.chunks)
    df = sum("地区" in tokenize(c.indexed_text) for c in index.chunks)
    assert df > 0
    assert index.idf("地区") == pytest.approx(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    assert index.idf("不存在的词") == 0.0
