"""The machine-wide vector cache and counted ingest progress."""

import io

import numpy as np

from fakes import KeywordEmbedder
from rag.embedding.cache import VectorCache, embed_passages_cached
from rag.ingest.run import ingest
from rag.progress import Step, TerminalProgress
from rag.stores.files import load_index


def test_second_ingest_in_another_index_embeds_nothing(tmp_path, corpus_dir):
    cache = VectorCache(tmp_path / "cache.sqlite3")
    first = KeywordEmbedder()
    r1 = ingest([corpus_dir], tmp_path / "one", first, vector_cache=cache)
    assert r1.embedded_chunks == first.passages_embedded > 0 and r1.cached_chunks == 0
    second = KeywordEmbedder()
    r2 = ingest([corpus_dir], tmp_path / "two", second, vector_cache=cache)
    assert second.passages_embedded == 0 and r2.embedded_chunks == 0
    assert r2.cached_chunks == r1.embedded_chunks
    a, _ = load_index(tmp_path / "one")
    b, _ = load_index(tmp_path / "two")
    assert np.array_equal(a.vectors, b.vectors)


def test_cache_is_per_model_and_per_text(tmp_path):
    cache = VectorCache(tmp_path / "cache.sqlite3")
    emb = KeywordEmbedder(name="fake/a")
    embed_passages_cached(emb, ["甲山区地区生产总值", "乙河县粮食产量"], cache)
    other = KeywordEmbedder(name="fake/b")
    _, embedded = embed_passages_cached(other, ["甲山区地区生产总值"], cache)
    assert embedded == 1  # another model: not a hit
    again = KeywordEmbedder(name="fake/a")
    vecs, embedded = embed_passages_cached(again, ["乙河县粮食产量", "甲山区地区生产总值", "新的文本"], cache)
    assert embedded == 1 and again.passages_embedded == 1
    assert np.allclose(vecs[1], emb.embed_passages(["甲山区地区生产总值"])[0])
    assert cache.count("fake/a") == 3


def test_a_corrupt_cache_file_is_bypassed(tmp_path, corpus_dir, capsys):
    bad = tmp_path / "cache.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    emb = KeywordEmbedder()
    report = ingest([corpus_dir], tmp_path / "idx", emb, vector_cache=VectorCache(bad))
    assert report.embedded_chunks == emb.passages_embedded > 0
    assert "向量缓存" in capsys.readouterr().err


def test_cache_location_from_environment(tmp_path, monkeypatch, corpus_dir):
    from rag.embedding.cache import default_cache_path

    monkeypatch.setenv("RAG_VECTOR_CACHE", "off")
    assert default_cache_path() is None
    emb = KeywordEmbedder()
    ingest([corpus_dir], tmp_path / "a", emb)
    ingest([corpus_dir], tmp_path / "b", emb, rebuild=True)
    assert emb.passages_embedded == 2 * ingest([corpus_dir], tmp_path / "c", KeywordEmbedder()).embedded_chunks
    monkeypatch.setenv("RAG_VECTOR_CACHE", str(tmp_path / "x.sqlite3"))
    assert default_cache_path() == tmp_path / "x.sqlite3"


def test_ingest_reports_counted_steps(tmp_path, corpus_dir):
    steps: list[Step] = []
    ingest([corpus_dir], tmp_path / "idx", KeywordEmbedder(), on_step=steps.append, vector_cache=False)
    stages = [s.stage for s in steps]
    assert stages[0] == "读取文档" and "向量化" in stages
    embed = [s for s in steps if s.stage == "向量化"]
    assert embed[-1].done == embed[-1].total > 0
    assert [s.done for s in embed] == sorted(s.done for s in embed)


def test_plain_progress_lines_off_a_terminal():
    out = io.StringIO()
    bar = TerminalProgress(out, every=0.0, bar=False)
    bar(Step("向量化", 0, 3440, 0.0))
    bar(Step("向量化", 1200, 3440, 122.4))
    bar(Step("向量化", 3440, 3440, 350.0))
    lines = out.getvalue().splitlines()
    assert lines[1] == "向量化 1200/3440 段（35%），9.8 段/秒，预计还需 3 分 48 秒"
    assert lines[2].startswith("向量化 3440/3440 段（100%），用时 5 分 50 秒")


def test_a_bar_on_a_terminal():
    out = io.StringIO()
    bar = TerminalProgress(out, bar=True)
    for done in (0, 10, 20):
        bar(Step("向量化", done, 20, 1.0 + done))
    bar.close()
    assert "向量化" in out.getvalue() and "20/20" in out.getvalue()
