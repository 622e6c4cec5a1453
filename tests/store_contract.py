"""The contract every store backend satisfies (`rag.stores.base.Store`), written once. A backend's tests inherit
`StoreContract` and give the `store` fixture (the `--store` text that opens it): ingest, update and delete by
document, search with filters, records beside the chunks, the model check and the errors behave alike.
"""

from __future__ import annotations

import pytest

from fakes import KeywordEmbedder
from rag.errors import IndexMismatchError, IndexMissingError
from rag.ingest.run import ingest
from rag.pipeline import Assistant
from rag.retrieval import Filters
from rag.stores import Store, open_store


def _bot(root, store) -> Assistant:
    return Assistant(root, embedder=KeywordEmbedder(), store=store)


class StoreContract:
    @pytest.fixture
    def store(self, tmp_path) -> str:
        raise NotImplementedError("a backend's test class gives the --store text")

    @pytest.fixture
    def built(self, store, tmp_path, corpus_dir):
        root = tmp_path / "index"
        emb = KeywordEmbedder()
        report = ingest([corpus_dir], root, emb, store=store)
        return root, report, emb

    def test_it_satisfies_the_store_protocol(self, store, tmp_path):
        assert isinstance(open_store(tmp_path / "index", store), Store)

    def test_ingest_then_answer_from_the_store(self, built, store):
        root, report, emb = built
        assert sorted(report.added) == ["a_report.txt", "b_report.txt"] and emb.passages_embedded == report.total_chunks
        st = open_store(root, store)
        manifest = st.read_manifest()
        assert set(manifest.documents) == {"a_report.txt", "b_report.txt"} and manifest.embedder == "fake/keyword"
        index, _ = st.load("fake/keyword")
        assert len(index) == report.total_chunks and {c.doc_id for c in index.chunks} == set(manifest.documents)
        assert [c.chunk_id for c in index.chunks if c.doc_id == "a_report.txt"] == sorted(
            (c.chunk_id for c in index.chunks if c.doc_id == "a_report.txt"), key=lambda x: index.by_id[x]
        )
        a = _bot(root, store).ask("甲山区2022年地区生产总值是多少？")
        assert not a.refused and "805亿元" in a.text and a.citations[0].chunk.doc_id == "a_report.txt"

    def test_unchanged_reingest_embeds_nothing(self, built, store, corpus_dir):
        root, _, _ = built
        emb = KeywordEmbedder()
        report = ingest([corpus_dir], root, emb, store=store, vector_cache=False)
        assert emb.passages_embedded == 0 and not report.changed

    def test_update_and_delete_by_document(self, built, store, corpus_dir):
        root, _, _ = built
        b = corpus_dir / "b_report.txt"
        b.write_text(b.read_text(encoding="utf-8") + "\n新增一段：新建学校5所。\n", encoding="utf-8")
        report = ingest([corpus_dir], root, KeywordEmbedder(), store=store)
        assert report.updated == ["b_report.txt"] and report.unchanged == ["a_report.txt"]
        index, _ = open_store(root, store).load()
        assert sum("新建学校5所" in c.text for c in index.chunks) == 1  # the old rows of b are gone, the new are in
        b_records = [(r.name, r.year, r.value) for r in index.records if r.doc == "b_report.txt"]
        assert b_records and len(b_records) == len(set(b_records))  # b's records once each, not twice
        hits = _bot(root, store).retrieve("新建学校5所")
        assert any("新建学校5所" in h.chunk.text for h in hits)

        report = ingest([], root, KeywordEmbedder(), store=store, remove=["b_report.txt"])
        assert report.removed == ["b_report.txt"]
        index, manifest = open_store(root, store).load()
        assert set(manifest.documents) == {"a_report.txt"} and {c.doc_id for c in index.chunks} == {"a_report.txt"}
        assert index.records and {r.doc for r in index.records} == {"a_report.txt"}  # records follow their document
        hits = _bot(root, store).retrieve("地区生产总值增长")
        assert hits and all(h.chunk.doc_id == "a_report.txt" for h in hits)  # never a deleted document's row

    def test_filters_reach_the_engine(self, built, store):
        root, _, _ = built
        bot = _bot(root, store)
        hits = bot.retrieve("地区生产总值", filters=Filters(docs=("b_report.txt",)))
        assert hits and {h.chunk.doc_id for h in hits} == {"b_report.txt"}

    def test_records_live_beside_the_chunks(self, built, store):
        root, _, _ = built
        index, _ = open_store(root, store).load()
        assert ("地区生产总值", 2022, "805亿元") in {(r.name, r.year, r.value) for r in index.records}

    def test_another_model_and_a_missing_index_are_clear_errors(self, built, store, tmp_path, corpus_dir):
        root, _, _ = built
        with pytest.raises(IndexMismatchError, match="fake/keyword"):
            open_store(root, store).load("other/model")
        with pytest.raises(IndexMismatchError, match="导入已取消"):
            ingest([corpus_dir], root, KeywordEmbedder(name="other/model"), store=store)
        with pytest.raises(IndexMissingError, match="rag ingest"):
            open_store(tmp_path / "nothing-here", store).read_manifest()
