"""Metadata a user sets with `rag ingest --region/--year/--level FILE`: applied to the document and its
passages, shown by `rag docs`, kept across later ingests and rebuilds; bad values get a clear message."""

from __future__ import annotations

import pytest

from fakes import REPORT_B
from rag.cli.main import main
from rag.stores.files import load_index

NO_PLACE = REPORT_B.replace("一、2023年工作回顾", "一、工作回顾")  # speaks for "市人民政府" and names no city


@pytest.fixture
def fake_model(monkeypatch):
    from fakes import KeywordEmbedder

    monkeypatch.setattr("rag.embedding.get_embedder", lambda name=None, **kw: KeywordEmbedder())


def _meta(root, doc):
    index, manifest = load_index(root)
    return manifest.documents[doc]["meta"], [c.meta for c in index.chunks if c.doc_id == doc]


def test_set_metadata_is_applied_shown_and_kept_across_rebuilds(tmp_path, fake_model, capsys):
    f = tmp_path / "报告.txt"
    f.write_text(NO_PLACE, encoding="utf-8")
    root = tmp_path / "index"
    assert main(["ingest", str(f), "--index", str(root), "--embedder", "fake"]) == 0
    assert main(["ingest", str(f), "--index", str(root), "--embedder", "fake", "--region", "合肥", "--year", "2024"]) == 0
    meta, chunk_metas = _meta(root, "报告.txt")
    assert (meta["region"], meta["level"], meta["year"], meta["region_code"]) == ("合肥市", "city", 2024, "340100")
    assert chunk_metas and all(m.region == "合肥市" and m.year == 2024 for m in chunk_metas)
    capsys.readouterr()
    assert main(["docs", "--index", str(root), "--embedder", "fake"]) == 0
    assert "合肥市 市级 2024年" in (out := capsys.readouterr().out) and "地区、年份为手工设置" in out
    assert main(["ingest", str(f), "--index", str(root), "--embedder", "fake", "--rebuild"]) == 0
    assert _meta(root, "报告.txt")[0]["region"] == "合肥市"


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--year", "二〇二四"], "不是数字"),
        (["--level", "乡级"], "层级“乡级”无法识别"),
    ],
)
def test_bad_values_are_refused_with_a_message(tmp_path, fake_model, capsys, flags, message):
    f = tmp_path / "报告.txt"
    f.write_text(NO_PLACE, encoding="utf-8")
    assert main(["ingest", str(f), "--index", str(tmp_path / "index"), "--embedder", "fake", *flags]) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").glob("gen-*"))


def test_a_directory_cannot_take_one_region(tmp_path, fake_model, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(NO_PLACE, encoding="utf-8")
    assert main(["ingest", str(tmp_path / "in"), "--index", str(tmp_path / "index"), "--region", "合肥市"]) != 0
    assert "只能用于指定的文件" in capsys.readouterr().err
