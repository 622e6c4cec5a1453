"""Load: 50 concurrent chat sessions against a real `rag serve` process on
loopback for 60 s — zero errors, latency percentiles reported — then a burst
beyond capacity that must be answered "服务器繁忙…" (never an error or a crash).

Marker `load` (`make load-test`). Sessions talk to the server the way the page
does (Gradio's queue: join, then the event stream), mixing chat turns with
follow-ups and calls of the `ask` API. Bounded in count and time, loopback only.
Figures go to test-artifacts/load.json. Knobs: RAG_LOAD_SESSIONS, RAG_LOAD_SECONDS,
RAG_LOAD_BURST, RAG_LOAD_INDEX (an index built with the default model; else the
five shipped reports are ingested first).
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from test_app import free_port

from conftest import ROOT

pytestmark = pytest.mark.load

SESSIONS = int(os.environ.get("RAG_LOAD_SESSIONS", "50"))
SECONDS = float(os.environ.get("RAG_LOAD_SECONDS", "60"))
BURST = int(os.environ.get("RAG_LOAD_BURST", "200"))
TURNS_PER_CONVERSATION = 8  # then the user clears the conversation (a new session)
ARTIFACTS = ROOT / "test-artifacts"

# (question, what the answer must contain: a figure, "refusal", or None for any answer)
SCRIPT = [
    ("张店区2022年地区生产总值是多少？", "805亿元"),
    ("那临淄区呢？", None),
    ("淄博市2023年一般公共预算收入完成多少？", "395.3亿元"),
    ("临淄区“十三五”期间到位外来资金多少？", "795亿元"),
    ("和上一年比呢？", None),
    ("博山区2023年地区生产总值是多少？", "refusal"),
    ("2021年张店区长者食堂达到多少家？", "20家"),
    ("张店区2023年地区生产总值的预期增长目标是多少？", "6%左右"),
]
ASK_SCRIPT = [(q, want) for q, want in SCRIPT if want and want != "refusal"]


class Server:
    """`rag serve` in a subprocess on a free loopback port; the queue ids read from its config."""

    def __init__(self, index: Path, name: str = "load-server", **env_overrides: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "OMP_NUM_THREADS": "1",
            "RAG_EMBED_THREADS": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
            **env_overrides,
        }
        self.log_path = ARTIFACTS / f"{name}.log"
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rag.cli.main",
                "serve",
                "--index",
                str(index),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while True:
            assert self.proc.poll() is None, self.log_path.read_text(encoding="utf-8")[-3000:]
            try:
                config = httpx.get(f"{self.base}/config", timeout=5).json()
                break
            except (httpx.HTTPError, ValueError):
                assert time.monotonic() < deadline, "rag serve did not start within 180 s"
                time.sleep(0.5)
        ids = {c.get("props", {}).get("elem_id"): c["id"] for c in config["components"]}
        self.box = ids["question"]
        deps = config["dependencies"]
        self.chat_fn = next(d["id"] for d in deps if [self.box, "submit"] in d["targets"])
        self.ask_fn = next(d["id"] for d in deps if d.get("api_name") == "ask")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        return self.log_path.read_text(encoding="utf-8")


def run_event(client: httpx.Client, server: Server, fn: int, data: list, session: str, trigger: int | None) -> dict:
    """Join the queue and read the event stream until this event completes; returns the completion message."""
    r = client.post(
        f"{server.base}/gradio_api/queue/join",
        json={"data": data, "event_data": None, "fn_index": fn, "trigger_id": trigger, "session_hash": session},
    )
    if r.status_code != 200:
        return {"msg": "join_failed", "status": r.status_code, "detail": r.text[:300]}
    event = r.json()["event_id"]
    with client.stream("GET", f"{server.base}/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("event_id") == event and message.get("msg") == "process_completed":
                    return message
    return {"msg": "stream_ended"}


def last_reply(history: list) -> str:
    content = history[-1]["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def judge(kind: str, message: dict, want: str | None) -> tuple[str, str]:
    """('ok' | 'busy' | 'error', detail)."""
    if message.get("msg") != "process_completed" or not message.get("success"):
        return "error", json.dumps(message, ensure_ascii=False)[:300]
    data = message["output"]["data"]
    if kind == "ask":
        pred = data[0]
        text, error, refused = pred["answer"], pred.get("error", ""), pred["refused"]
    else:
        text = last_reply(data[0])
        error = text if "rq-error" in text else ""
        refused = "rq-refusal" in text
    if "服务器繁忙" in (error or text):
        return "busy", text[:200]
    if error:
        return "error", error[:300]
    if want == "refusal" and not refused:
        return "error", f"expected a refusal: {text[:200]}"
    if want and want != "refusal" and want not in text:
        return "error", f"expected {want}: {text[:200]}"
    return "ok", ""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=lambda: {"ok": 0, "busy": 0, "error": 0})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str, detail: str, seconds: float) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            self.latencies.append(seconds)
            if outcome == "error":
                self.errors.append(detail)


def session(server: Server, n: int, until: float, tally: Tally) -> None:
    rng = random.Random(n)
    time.sleep(rng.uniform(0, 2))  # users do not all arrive in the same instant
    with httpx.Client(timeout=120) as client:
        turn, history, sid = n, [], uuid.uuid4().hex
        while time.monotonic() < until:
            if turn % 3 == 2:  # one call in three goes to the API
                question, want = ASK_SCRIPT[turn % len(ASK_SCRIPT)]
                kind, fn, data, trigger = "ask", server.ask_fn, [question], None
            else:
                question, want = SCRIPT[turn % len(SCRIPT)]
                kind, fn, trigger = "chat", server.chat_fn, server.box
                data = [question, history, None, [], [], [], 10, "extractive"]
            started = time.monotonic()
            try:
                message = run_event(client, server, fn, data, sid, trigger)
                outcome, detail = judge(kind, message, want)
                if kind == "chat" and outcome == "ok":
                    history = message["output"]["data"][0]
            except Exception as e:  # noqa: BLE001 - every failure is counted
                outcome, detail = "error", f"{type(e).__name__}: {e}"
            tally.add(outcome, f"{kind} {question}: {detail}", time.monotonic() - started)
            turn += 1
            if turn % TURNS_PER_CONVERSATION == 0:  # "清空对话": a fresh conversation
                history, sid = [], uuid.uuid4().hex
            time.sleep(rng.uniform(0.5, 1.5))  # reading the answer, typing the next question


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


@pytest.fixture(scope="module")
def index(request) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").unlink(missing_ok=True)
    return Path(os.environ.get("RAG_LOAD_INDEX") or request.getfixturevalue("real_index"))


@pytest.fixture(scope="module")
def server(index):
    srv = Server(index)
    yield srv
    log = srv.stop()
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture
def small_server(index):
    """The same server with a small capacity: 1 answer at a time, 4 waiting."""
    srv = Server(index, "load-server-small", RAG_WORKERS="1", RAG_WAITING="4")
    yield srv
    log = srv.stop()
    assert "Traceback" not in log and "最多 4 个排队" in log, log[-3000:]


def test_50_concurrent_chat_sessions_for_60_seconds(server):
    tally = Tally()
    started = time.monotonic()
    until = started + SECONDS
    threads = [threading.Thread(target=session, args=(server, n, until, tally)) for n in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 180)
    elapsed = time.monotonic() - started
    lat = sorted(tally.latencies)
    figures = {
        "sessions": SESSIONS,
        "seconds": round(elapsed, 1),
        "requests": len(lat),
        "per_second": round(len(lat) / elapsed, 1),
        **tally.outcomes,
        "p50_ms": round(percentile(lat, 50) * 1000),
        "p95_ms": round(percentile(lat, 95) * 1000),
        "p99_ms": round(percentile(lat, 99) * 1000),
        "max_ms": round(lat[-1] * 1000),
        "first_errors": tally.errors[:5],
    }
    write_figures("sessions", figures)
    assert not any(t.is_alive() for t in threads)
    assert tally.outcomes["error"] == 0 and tally.outcomes["busy"] == 0, figures
    assert len(lat) >= SESSIONS * SECONDS / 10  # every session kept getting answers
    assert figures["p95_ms"] < 20_000, figures


def burst(server: Server, size: int, phase: str) -> dict:
    """`size` questions to the `ask` API at the same instant; every one must be answered or told "busy"."""
    tally = Tally()
    barrier = threading.Barrier(size)

    def one(n: int) -> None:
        question, want = ASK_SCRIPT[n % len(ASK_SCRIPT)]
        with httpx.Client(timeout=120) as client:
            barrier.wait()
            started = time.monotonic()
            try:
                outcome, detail = judge("ask", run_event(client, server, server.ask_fn, [question], uuid.uuid4().hex, None), want)
            except Exception as e:  # noqa: BLE001
                outcome, detail = "error", f"{type(e).__name__}: {e}"
            tally.add(outcome, detail, time.monotonic() - started)

    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(n,)) for n in range(size)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    lat = sorted(tally.latencies)
    figures = {
        "burst": size,
        "seconds": round(time.monotonic() - started, 1),
        **tally.outcomes,
        "p95_ms": round(percentile(lat, 95) * 1000),
        "max_ms": round(lat[-1] * 1000),
        "first_errors": tally.errors[:5],
    }
    write_figures(phase, figures)
    assert not any(t.is_alive() for t in threads)
    assert tally.outcomes["error"] == 0, figures
    with httpx.Client(timeout=60) as client:  # and it still serves
        assert (
            judge("ask", run_event(client, server, server.ask_fn, [SCRIPT[0][0]], uuid.uuid4().hex, None), "805亿元")[0] == "ok"
        )
    return figures


def test_burst_at_default_capacity_is_answered_or_told_busy(server):
    """BURST questions at once against the default capacity (4 running + 60 waiting, Gradio's queue in front)."""
    figures = burst(server, BURST, "burst")
    assert figures["ok"] > 0


def test_burst_beyond_a_small_capacity_is_answered_busy(small_server):
    """Far more questions than a server configured for 1 + 4 admits: the rest hear "服务器繁忙…" at once."""
    figures = burst(small_server, 60, "burst_small_capacity")
    assert figures["busy"] > 0 and figures["ok"] >= 5, figures


def write_figures(phase: str, figures: dict) -> None:
    path = ARTIFACTS / "load.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[phase] = figures
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n[load] {phase}: " + ", ".join(f"{k}={v}" for k, v in figures.items() if k != "first_errors"))
