"""Beyond capacity the server answers "busy" in Chinese — to the `ask` endpoint
over HTTP and in the chat — and keeps serving; it neither queues without bound
nor falls over. (The 50-session load test is tests/test_load.py, marker `load`.)"""

from __future__ import annotations

import threading
import time

import pytest
from test_app import free_port

from rag.answer.extractive import ExtractiveAnswerer
from rag.app.capacity import BusyError, Gate, GatedAssistant
from rag.app.chat import respond
from rag.app.server import gate_from, launch_options, server_app
from rag.errors import RagError

GDP = "甲山区2022年地区生产总值是多少？"


class SlowAnswerer(ExtractiveAnswerer):
    """The real answerer, made slow so that a handful of requests fill the server."""

    delay = 1.0

    def answer(self, *args, **kwargs):
        time.sleep(self.delay)
        return super().answer(*args, **kwargs)


def hold(gate: Gate, n: int) -> tuple[threading.Event, list[threading.Thread]]:
    """Occupy `n` places of the gate until the returned event is set."""
    release = threading.Event()

    def occupy():
        with gate.slot():
            release.wait(10)

    threads = [threading.Thread(target=occupy) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    return release, threads


def test_gate_admits_workers_queues_waiting_and_refuses_the_rest():
    gate = Gate(workers=2, waiting=1, wait_timeout=5)
    release, threads = hold(gate, 3)  # two running, one waiting
    with pytest.raises(BusyError, match=r"服务器繁忙：正在处理和排队的问题已达上限（3 个）。请稍候"):
        with gate.slot():
            pass
    release.set()
    for t in threads:
        t.join()
    with gate.slot():  # free again
        pass
    assert gate.admitted == 4 and gate.rejected == 1


def test_gate_refuses_after_waiting_too_long():
    gate = Gate(workers=1, waiting=5, wait_timeout=0.3)
    release, threads = hold(gate, 1)
    started = time.monotonic()
    with pytest.raises(BusyError, match="排队超过"):
        with gate.slot():
            pass
    assert 0.25 < time.monotonic() - started < 3
    release.set()
    threads[0].join()


def test_capacity_settings_come_from_the_environment():
    gate = gate_from({"RAG_WORKERS": "2", "RAG_WAITING": "0"})
    assert (gate.workers, gate.waiting, gate.capacity) == (2, 0, 2)
    assert gate_from({}).capacity == 64
    with pytest.raises(RagError, match="RAG_WORKERS"):
        gate_from({"RAG_WORKERS": "0"})
    with pytest.raises(RagError, match="RAG_WAITING"):
        gate_from({"RAG_WAITING": "many"})
    opts = launch_options("127.0.0.1", 7860, None, gate)
    assert opts["max_threads"] > gate.capacity and opts["show_error"] is False


def test_chat_shows_busy_message_and_recovers(fake_index, fake_embedder):
    bot = GatedAssistant(fake_index, embedder=fake_embedder, gate=Gate(workers=1, waiting=0))
    release, threads = hold(bot.gate, 1)
    steps = list(respond(bot, GDP, [], [], delay=0))
    history, _, turns = steps[-1]
    assert "rq-error" in history[-1]["content"] and "服务器繁忙" in history[-1]["content"] and turns == []
    release.set()
    threads[0].join()
    history, _, turns = list(respond(bot, GDP, [], [], delay=0))[-1]
    assert "805亿元" in history[-1]["content"] and len(turns) == 1


def test_ask_endpoint_over_http_answers_busy_beyond_capacity(fake_index, fake_embedder):
    from gradio_client import Client

    bot = GatedAssistant(fake_index, embedder=fake_embedder, answerer=SlowAnswerer(), gate=Gate(workers=1, waiting=1))
    demo = server_app(bot)
    port = free_port()
    opts = launch_options("127.0.0.1", port, None, bot.gate)
    demo.launch(**opts, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        jobs = [client.submit(GDP, api_name="/ask") for _ in range(8)]
        results = [job.result(timeout=60) for job in jobs]
        busy = [r for r in results if r.get("error", "").startswith("服务器繁忙")]
        answered = [r for r in results if "805亿元" in r["answer"]]
        assert len(answered) + len(busy) == 8, results
        assert 2 <= len(answered) <= 4 and len(busy) >= 4  # one running + one waiting (a few more as slots free up)
        assert all(r["refused"] and "请稍候" in r["answer"] for r in busy)
        assert bot.gate.rejected == len(busy)
        after = client.predict(GDP, api_name="/ask")  # still serving
        assert "805亿元" in after["answer"]
    finally:
        demo.close()
