import pytest

from rag.errors import LoadError
from rag.loading import decode_text, find_documents, load_document

TEXT = "张店区2022年地区生产总值完成805亿元。"


def test_utf8_and_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    doc = load_document(p)
    assert doc.text == TEXT and doc.doc_id == "a.txt" and len(doc.sha256) == 64


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_other_encodings_are_detected(tmp_path, encoding):
    p = tmp_path / "b.md"
    p.write_bytes(TEXT.encode(encoding))
    assert load_document(p).text == TEXT


def test_crlf_normalised(tmp_path):
    p = tmp_path / "c.txt"
    p.write_bytes("第一段\r\n第二段\r\n".encode())
    assert load_document(p).text == "第一段\n第二段\n"


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("bin.txt", bytes(range(256)) * 4, "二进制"),
        ("empty.txt", b"   \n", "空的"),
        ("x.exe", b"hello", "不支持的文件类型"),
        ("ctrl.txt", ("\x01\x02\x03" * 50 + "文本").encode(), "控制字符"),
    ],
)
def test_bad_files_rejected_with_message(tmp_path, name, data, message):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(LoadError, match=message):
        load_document(p)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="不存在"):
        load_document(tmp_path / "nope.txt")


def test_undecodable_bytes():
    with pytest.raises(LoadError, match="编码"):
        decode_text(b"\xff\xff\xfe\x80\x81" * 3 + b"\x80", "x.txt")


def test_find_documents_expands_dirs(tmp_path):
    (tmp_path / "a.txt").write_text("一", encoding="utf-8")
    (tmp_path / "b.md").write_text("二", encoding="utf-8")
    (tmp_path / "c.png").write_bytes(b"x")
    assert [p.name for p in find_documents([tmp_path])] == ["a.txt", "b.md"]
