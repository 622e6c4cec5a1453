"""The Gradio app over real HTTP on loopback: the named `ask` endpoint and the page."""

import socket
import urllib.request

import pytest

from rag.app import build_app, sources_html
from rag.pipeline import Assistant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(fake_index, fake_embedder):
    demo = build_app(Assistant(fake_index, embedder=fake_embedder))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_ask_endpoint_returns_prediction_object(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    pred = client.predict("甲山区2022年地区生产总值是多少？", api_name="/ask")
    assert not pred["refused"] and "805亿元" in pred["answer"]
    assert pred["citations"][0]["doc"] == "a_report.txt" and pred["retrieved"]
    bad = client.predict("   ", api_name="/ask")
    assert bad["refused"] and "问题为空" in bad["answer"]


def test_page_serves_chinese_ui(served):
    html = urllib.request.urlopen(served, timeout=30).read().decode("utf-8")
    assert "政府工作报告问答助手" in html


def test_sources_escape_document_markup(fake_index, fake_embedder):
    from rag.types import Answer, Citation

    answer = Assistant(fake_index, embedder=fake_embedder).ask("甲山区2022年地区生产总值是多少？")
    c = answer.citations[0]
    hostile = type(c.chunk)(
        **{**c.chunk.__dict__, "text": c.chunk.text + "<script>alert(1)</script><img src=x onerror=alert(2)>"}
    )
    out = sources_html(Answer("q", "a", False, [Citation(1, hostile, c.quote)], []))
    assert "<script>" not in out and "<img" not in out and "&lt;script&gt;" in out
    assert "<mark>" in out  # the quoted sentence is highlighted
