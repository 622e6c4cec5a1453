"""Crash safety: `kill -9` of an ingest at each point of its write path leaves a
loadable, answering index (the old one, or the new one once it is live); damaged
index files are detected by their checksums with a message naming
`rag ingest --rebuild`; ingests and queries running at the same time are safe."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT
from fakes import KeywordEmbedder
from rag.app.ui import ask_api
from rag.errors import IndexCorruptError
from rag.ingest.run import ingest
from rag.pipeline import Assistant
from rag.stores.files import current_generation, load_index, read_manifest

CHILD = Path(__file__).resolve().parent / "ingest_child.py"
GDP = "甲山区2022年地区生产总值是多少？"
NEW_DOC = "丙区政府工作报告。\n丙区新建公园3个，新增绿地12公顷。\n"
REBUILD = "rag ingest --rebuild"


def child(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        **kw,
    )


def wait_for_line(proc: subprocess.Popen, prefix: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if line.startswith(prefix):
                return line.strip()
            if not line:  # the child ended without reaching the point
                break
    proc.kill()
    pytest.fail(f"child never printed {prefix!r}: {proc.stderr.read()[-2000:]}")


def leftovers(root: Path) -> list[str]:
    live = current_generation(root).name
    return sorted(
        p.name
        for p in root.iterdir()
        if p.name.startswith((".building-", ".CURRENT.")) or (p.name.startswith("gen-") and p.name != live)
    )


def answers_gdp(root: Path) -> None:
    load_index(root, "fake/keyword")  # every checksum verified
    answer = Assistant(root, embedder=KeywordEmbedder()).ask(GDP)
    assert not answer.refused and "805亿元" in answer.text


# -- kill -9 at each point of the write path ----------------------------------------------


@pytest.mark.parametrize("point", ["embedding", "vectors", "faiss", "rename", "pointer", "swapped"])
def test_kill_9_during_ingest_leaves_a_working_index(point, fake_index, corpus_dir):
    before = current_generation(fake_index)
    manifest_bytes = (before / "manifest.json").read_bytes()
    (corpus_dir / "c_new.txt").write_text(NEW_DOC, encoding="utf-8")

    proc = child("stop", point, str(fake_index), str(corpus_dir))
    assert wait_for_line(proc, "AT ") == f"AT {point}"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    live = current_generation(fake_index)
    if point == "swapped":  # the new index was already live when the process died
        assert live != before and "c_new.txt" in read_manifest(fake_index).documents
    else:  # the previous index, byte for byte
        assert live == before and (live / "manifest.json").read_bytes() == manifest_bytes
        assert "c_new.txt" not in read_manifest(fake_index).documents
    answers_gdp(fake_index)

    # the lock died with the process: the next ingest runs at once and clears the debris
    started = time.monotonic()
    report = ingest([corpus_dir], fake_index, KeywordEmbedder())
    assert time.monotonic() - started < 30
    assert "c_new.txt" in read_manifest(fake_index).documents
    assert report.added == ([] if point == "swapped" else ["c_new.txt"])
    assert leftovers(fake_index) == []
    answers_gdp(fake_index)


@pytest.mark.slow
def test_kill_9_of_the_rag_ingest_command_while_embedding(real_index, tmp_path):
    """The real command with the real model, killed while it embeds a new report."""
    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    before = (current_generation(index) / "manifest.json").read_bytes()
    new = tmp_path / "new" / "zz_copy.txt"
    new.parent.mkdir()
    # a new text (not a copy of an indexed report, which would be listed without embedding): halves of two
    a = (ROOT / "data" / "reports" / "003_4bb26c2f38d6f31d.txt").read_text(encoding="utf-8")
    b = (ROOT / "data" / "reports" / "004_e9778d67e6610d54.txt").read_text(encoding="utf-8")
    new.write_text(a[: len(a) // 2] + b[len(b) // 2 :], encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli.main", "ingest", str(new), "--index", str(index)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:  # the command says when it starts embedding
        if "正在向量化" in line:
            break
    time.sleep(0.5)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert (current_generation(index) / "manifest.json").read_bytes() == before
    out = ask_gdp_cli(index)
    assert out.returncode == 0 and "805亿元" in out.stdout, out.stderr


# -- damaged index files ------------------------------------------------------------------


def ask_gdp_cli(index: Path) -> subprocess.CompletedProcess:
    """`rag ask` the 张店区 GDP question against `index` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "ask", "张店区2022年地区生产总值是多少？", "--index", str(index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {
    "chunks.jsonl truncated": lambda gen: _truncate(gen / "chunks.jsonl"),
    "chunks.jsonl one byte changed": lambda gen: _flip(gen / "chunks.jsonl"),
    "vectors.npy truncated": lambda gen: _truncate(gen / "vectors.npy"),
    "faiss.index one byte changed": lambda gen: _flip(gen / "faiss.index"),
    "faiss.index deleted": lambda gen: (gen / "faiss.index").unlink(),
    "bm25 file truncated": lambda gen: _truncate(sorted((gen / "bm25").iterdir())[0]),
    "manifest.json truncated": lambda gen: _truncate(gen / "manifest.json"),
    "manifest.json deleted": lambda gen: (gen / "manifest.json").unlink(),
    "CURRENT names a missing generation": lambda gen: (gen.parent / "CURRENT").write_text("gen-404", encoding="utf-8"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_detected_and_names_the_fix(damage, fake_index, corpus_dir):
    DAMAGE[damage](current_generation(fake_index))
    with pytest.raises(IndexCorruptError, match=REBUILD):
        load_index(fake_index, "fake/keyword")
    bot = Assistant(fake_index, embedder=KeywordEmbedder())
    with pytest.raises(IndexCorruptError, match=REBUILD):
        bot.ask(GDP)
    pred = ask_api(bot, GDP)  # the app's `ask` endpoint: a message, not a crash
    assert pred["refused"] and REBUILD in pred["error"]
    with pytest.raises(IndexCorruptError, match="导入已取消"):  # an ingest does not build on a damaged index
        ingest([corpus_dir], fake_index, KeywordEmbedder())
    ingest([corpus_dir], fake_index, KeywordEmbedder(), rebuild=True)  # the named fix works
    assert "805亿元" in bot.ask(GDP).text


@pytest.mark.slow
def test_damaged_index_via_the_cli(real_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    _truncate(current_generation(index) / "chunks.jsonl")
    proc = ask_gdp_cli(index)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert REBUILD in proc.stderr and "chunks.jsonl" in proc.stderr


# -- ingest and queries at the same time -------------------------------------------------


def test_queries_during_ingests_see_one_whole_generation(fake_index, corpus_dir):
    """A writer process makes new generations back to back while threads query and load the index."""
    rounds = 8
    stop = threading.Event()
    errors: list[str] = []
    loads: list[int] = []
    answers: list[int] = []

    def loader():  # load_index in a tight loop: the manifest and every file must come from one generation
        while not stop.is_set():
            try:
                index, manifest = load_index(fake_index, "fake/keyword")
                docs = {c.doc_id for c in index.chunks}
                assert docs == set(manifest.documents), (docs, set(manifest.documents))
                assert len(index.chunks) == sum(d["chunks"] for d in manifest.documents.values())
                loads.append(1)
            except Exception as e:  # noqa: BLE001 - every failure is recorded
                errors.append(f"load: {type(e).__name__}: {e}")

    def asker():
        bot = Assistant(fake_index, embedder=KeywordEmbedder())
        while not stop.is_set():
            try:
                a = bot.ask(GDP)
                assert not a.refused and "805亿元" in a.text, a.text
                live = {c.chunk_id for c in bot.retriever.index.chunks}
                assert all(h.chunk.chunk_id in live for h in a.retrieved)
                answers.append(1)
            except Exception as e:  # noqa: BLE001
                errors.append(f"ask: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=f) for f in (loader, loader, asker, asker)]
    for t in threads:
        t.start()
    try:
        writer = child("loop", str(fake_index), str(corpus_dir), str(rounds))
        out, err = writer.communicate(timeout=300)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert writer.returncode == 0, err
    assert out.count("GEN ") == rounds
    assert errors == [], errors[:5]
    assert len(loads) > rounds and len(answers) > rounds
    assert "丙区新建公园8个" in Assistant(fake_index, embedder=KeywordEmbedder()).ask("丙区新建公园多少个？").text
    assert leftovers(fake_index) == []


def test_two_ingests_at_once_are_serialised_by_the_lock(fake_index, tmp_path):
    a, b = tmp_path / "d1.txt", tmp_path / "d2.txt"
    a.write_text("丁区政府工作报告。\n丁区新建学校4所。\n", encoding="utf-8")
    b.write_text("戊区政府工作报告。\n戊区新建医院2所。\n", encoding="utf-8")
    procs = [child("add", str(fake_index), str(p)) for p in (a, b)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    assert {"d1.txt", "d2.txt", "a_report.txt", "b_report.txt"} == set(read_manifest(fake_index).documents)
    assert leftovers(fake_index) == []
    answers_gdp(fake_index)
