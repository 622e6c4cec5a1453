"""A file whose text is already indexed is listed, not indexed twice; the copy whose name agrees with its
text is the one kept; removing the original lets the copy in on the next ingest."""

from __future__ import annotations

from fakes import REPORT_A, REPORT_B, KeywordEmbedder
from rag.cli.main import main
from rag.ingest.duplicates import DuplicateFinder, encode, signature
from rag.ingest.run import ingest
from rag.stores.files import load_index

LONG = REPORT_A + "".join(f"甲山区第{i}项民生工程全面完工，惠及群众{i * 3}万人。\n" for i in range(1, 40))


def _write(d, name, text):
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_copy_under_another_name_is_not_indexed_twice(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    _write(d, "a_report.txt", LONG)
    _write(d, "copy.txt", LONG.replace("。\n", "。\n\n").replace("，", ", "))  # spacing and punctuation differ
    _write(d, "b_report.txt", REPORT_B)
    root = tmp_path / "index"
    report = ingest([d], root, KeywordEmbedder())
    assert report.duplicates == {"copy.txt": "a_report.txt"}
    index, manifest = load_index(root)
    assert {c.doc_id for c in index.chunks} == {"a_report.txt", "b_report.txt"}
    assert manifest.documents["copy.txt"]["chunks"] == 0 and manifest.documents["copy.txt"]["duplicate_of"] == "a_report.txt"


def test_a_news_story_quoting_a_report_is_no_copy():
    finder = DuplicateFinder({"report.txt": encode(signature(LONG))})
    news = "记者从甲山区获悉。" + LONG[: len(LONG) // 3] + "".join(f"代表{i}号认为报告实事求是。" for i in range(40))
    assert finder.match(signature(news)) is None
    assert finder.match(signature(LONG + "\n")) == "report.txt"


def test_removing_the_original_lets_the_copy_in(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    _write(d, "a_report.txt", LONG)
    _write(d, "b_report.txt", REPORT_B)
    copy = _write(d, "copy.txt", LONG)
    root = tmp_path / "index"
    ingest([d], root, KeywordEmbedder())
    assert main(["docs", "--index", str(root)]) == 0
    assert "copy.txt" in (out := capsys.readouterr().out) and "与 a_report.txt 内容相同，未重复索引" in out
    ingest([], root, KeywordEmbedder(), remove=["a_report.txt"])
    assert main(["docs", "--index", str(root)]) == 0
    assert "与已删除的 a_report.txt 内容相同：重新导入本文件即可检索" in capsys.readouterr().out
    report = ingest([copy], root, KeywordEmbedder())
    assert report.updated == ["copy.txt"] and not report.duplicates
    index, _ = load_index(root)
    assert {c.doc_id for c in index.chunks} == {"copy.txt", "b_report.txt"}
