"""Bad questions — empty, whitespace, 100k characters, control characters, English
or mixed language, only punctuation, not text at all — get a clear answer or a
clear Chinese message, never a traceback: through the Python API, the `rag ask`
command (a subprocess) and the app's `ask` endpoint over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from rag.errors import QuestionError
from rag.pipeline import Assistant
from rag.question.read import MAX_QUESTION_CHARS

GDP = "甲山区2022年地区生产总值是多少？"
LONG = (GDP + "请详细说明每一项指标的来源和口径。" * 10_000)[:100_000]
CONTROL = "甲山区\x01\x07\x1b[2022年\u200b地区生产总值\r\n\t是多少？\x7f"
ENGLISH = "What was the GDP of the district in 2022?"
MIXED = "甲山区 2022 GDP 是多少？"

# question -> the message a user gets when it cannot be answered at all
REJECTED = {
    "": "问题为空",
    "   \n\t\u3000 ": "问题为空",
    "？？！！……": "只有标点",
    "...,,,!!!---": "只有标点",
    "😀🙏": "只有标点或符号",
    "\x01\x02\x03": "问题为空",
}
# question -> what must be in the answer (None: any clear answer or refusal)
ANSWERED = {
    LONG: "805亿元",
    CONTROL: "805亿元",
    MIXED: "805亿元",
    "<script>alert(1)</script>" + GDP: "805亿元",
    "\ud800" + GDP: "805亿元",  # a lone surrogate (undecodable input)
    ENGLISH: None,
    "x" * 100_000: None,
    "123": None,
}


def assert_clear_answer(text: str, refused: bool, expected: str | None) -> None:
    assert text.strip()
    if expected:
        assert not refused and expected in text, text[:300]
    elif refused:
        assert "未找到" in text, text[:300]
    else:
        assert "[1]" in text, text[:300]  # a quoted, cited sentence


# -- Python API --------------------------------------------------------------------------


@pytest.fixture
def bot(fake_index, fake_embedder):
    return Assistant(fake_index, embedder=fake_embedder)


@pytest.mark.parametrize("question", list(REJECTED))
def test_api_rejects_empty_and_punctuation_with_a_message(bot, question):
    with pytest.raises(QuestionError, match=REJECTED[question]) as info:
        bot.ask(question)
    assert "例如" in str(info.value)  # shows what a question looks like


@pytest.mark.parametrize("question", [None, 123, b"\xe7\x94\xb2", ["甲山区"]])
def test_api_rejects_what_is_not_text(bot, question):
    with pytest.raises(QuestionError, match="问题必须是文本"):
        bot.ask(question)


@pytest.mark.parametrize("question", list(ANSWERED), ids=lambda q: repr(q[:12]))
def test_api_answers_odd_questions(bot, question):
    answer = bot.ask(question)
    assert_clear_answer(answer.text, answer.refused, ANSWERED[question])
    assert len(answer.question) <= MAX_QUESTION_CHARS
    assert all(ch.isprintable() for ch in answer.question)


def test_api_truncates_100k_characters_with_a_notice(bot):
    answer = bot.ask(LONG)
    assert answer.notice.startswith(f"问题过长（100000 字），已截取前 {MAX_QUESTION_CHARS} 字作答")
    assert "805亿元" in answer.text and answer.to_prediction()["notice"] == answer.notice


# -- the `rag ask` command ---------------------------------------------------------------


def rag(*args: str, stdin: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=timeout
    )
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("question", ["\u3000\t", "……！？", "😀🙏", "\x01\x02"])
def test_cli_rejects_empty_and_punctuation(question, tmp_path):
    proc = rag("ask", question, "--index", str(tmp_path / "none"))
    assert proc.returncode == 2 and "问题为空" in proc.stderr and "例如" in proc.stderr


def test_cli_rejects_empty_stdin(tmp_path):
    proc = rag("ask", "-", "--index", str(tmp_path / "none"), stdin=b"  \n")
    assert proc.returncode == 2 and "问题为空" in proc.stderr


@pytest.mark.slow
def test_cli_truncates_a_100k_question_read_from_stdin(real_index):
    question = ("张店区2022年地区生产总值是多少？" + "请详细说明。" * 20_000)[:100_000]
    proc = rag("ask", "-", "--json", "--index", str(real_index), stdin=question.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr
    pred = json.loads(proc.stdout)
    assert "已截取前 500 字" in pred["notice"] and "805亿元" in pred["answer"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "question,expected",
    [
        ("张店区\x01\x1b[2022年\u200b地区生产总值\t是多少？", "805亿元"),
        ("Zhangdian 2022 GDP 是多少？", None),
        ("How many elderly canteens were there in 2021?", None),
        ("x" * 100_000, None),  # the longest argument the OS passes on (ASCII)
    ],
    ids=["control", "mixed", "english", "100k-ascii"],
)
def test_cli_answers_odd_questions(real_index, question, expected):
    proc = rag("ask", question, "--json", "--index", str(real_index))
    assert proc.returncode == 0, proc.stderr
    pred = json.loads(proc.stdout)
    assert_clear_answer(pred["answer"], pred["refused"], expected)


@pytest.mark.slow
def test_cli_survives_undecodable_argument_bytes(real_index):
    proc = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"rag.cli.main",
            b"ask",
            "张店区2022年地区生产总值\xff是多少？".encode("utf-8", "surrogateescape"),
        ]
        + [b"--index", str(real_index).encode()],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    assert "805亿元" in proc.stdout.decode("utf-8")


# -- the app's `ask` endpoint over HTTP --------------------------------------------------


@pytest.fixture
def client(bot):
    from gradio_client import Client
    from test_app import free_port

    from rag.app import build_app

    demo = build_app(bot)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    demo.close()


def test_http_ask_endpoint_handles_every_bad_question(client):
    for question, message in REJECTED.items():
        pred = client.predict(question, api_name="/ask")
        assert pred["refused"] and message in pred["error"] and "例如" in pred["answer"], (question, pred)
    for question, expected in ANSWERED.items():
        if not question.isprintable() and "\ud800" in question:
            continue  # a lone surrogate cannot be encoded into an HTTP request at all
        pred = client.predict(question, api_name="/ask")
        assert "error" not in pred, (question[:20], pred)
        assert_clear_answer(pred["answer"], pred["refused"], expected)
    pred = client.predict(LONG, api_name="/ask")
    assert "已截取前 500 字" in pred["notice"] and len(pred["question"]) == MAX_QUESTION_CHARS


def test_http_ask_endpoint_rejects_non_text_payloads(client):
    import httpx

    base = client.src.rstrip("/")
    for payload in (None, 123, {"q": GDP}, [GDP]):
        r = httpx.post(f"{base}/gradio_api/call/ask", json={"data": [payload]}, timeout=30)
        assert r.status_code == 200, r.text
        stream = httpx.get(f"{base}/gradio_api/call/ask/{r.json()['event_id']}", timeout=30).text
        event, data = stream.strip().split("\n")[:2]
        assert event == "event: complete", stream[:500]
        pred = json.loads(data.removeprefix("data: "))[0]
        assert pred["refused"] and pred["error"] == "问题必须是文本。"
