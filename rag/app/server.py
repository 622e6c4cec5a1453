"""`rag serve`: refuse a non-loopback address without a login, load the index,
launch with bounded capacity.

- Binds 127.0.0.1 unless told otherwise; any other address requires
  RAG_AUTH_USER and RAG_AUTH_PASSWORD (Gradio login), checked before anything loads.
- Capacity (`rag.app.capacity`): RAG_WORKERS answers at once (default 4), RAG_WAITING
  more waiting (default 60); beyond that a question is answered "服务器繁忙…" at once.
  Gradio's own queue sits behind that gate with room to spare, so the Chinese busy
  answer comes first; only past `QUEUE_MAX` queued events does Gradio itself refuse.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from ..errors import RagError
from ..ingest.loading import MAX_BYTES
from .capacity import DEFAULT_WAITING, DEFAULT_WORKERS, Gate, GatedAssistant
from .ui import build_app

QUEUE_MAX = 256  # events Gradio holds beyond the ones running (a bound, not a target)
ENV_USER, ENV_PASSWORD = "RAG_AUTH_USER", "RAG_AUTH_PASSWORD"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_for(host: str, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """None on loopback; else the (user, password) login from the environment, which must be set."""
    env = os.environ if environ is None else environ
    if is_loopback(host):
        return None
    user, password = env.get(ENV_USER, ""), env.get(ENV_PASSWORD, "")
    if not (user.strip() and password.strip()):
        raise RagError(
            f"绑定到非本机地址 {host} 时必须设置登录口令：请设置环境变量 {ENV_USER} 和 {ENV_PASSWORD}"
            "（或去掉 --host，只在本机 127.0.0.1 上提供服务）。"
        )
    return user, password


def _positive_int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise RagError(f"环境变量 {name}=“{raw}” 无效：请设为不小于 {minimum} 的整数（默认 {default}）。")
    return int(raw)


def gate_from(environ: Mapping[str, str] | None = None) -> Gate:
    env = os.environ if environ is None else environ
    return Gate(
        workers=_positive_int(env, "RAG_WORKERS", DEFAULT_WORKERS, 1),
        waiting=_positive_int(env, "RAG_WAITING", DEFAULT_WAITING, 0),
    )


def server_app(assistant: GatedAssistant):
    """The Gradio app with its queue sized behind the assistant's gate."""
    demo = build_app(assistant)
    # per endpoint, Gradio runs a little more than the gate admits, so the overflow reaches the gate
    # (and gets the Chinese busy answer) instead of waiting in Gradio's queue
    demo.queue(default_concurrency_limit=assistant.gate.capacity + 8, max_size=QUEUE_MAX)
    return demo


def launch_options(host: str, port: int, auth: tuple[str, str] | None, gate: Gate) -> dict:
    return {
        "server_name": host,
        "server_port": port,
        "auth": auth,
        "show_error": False,  # no tracebacks or internals to clients
        "footer_links": [],  # no Gradio links (API, settings, "built with") under the page
        "max_file_size": 5 * MAX_BYTES,  # larger uploads are refused by Gradio; smaller ones get our per-file message
        "max_threads": 3 * (gate.capacity + 8) + 16,  # every event the queue lets run gets a thread
    }


def serve(index_dir: str, embedder: str, host: str = "127.0.0.1", port: int = 7860, store: str | None = None) -> None:
    auth = auth_for(host)  # before loading anything: a refused address costs nothing
    gate = gate_from()
    assistant = GatedAssistant(index_dir, embedder=embedder, gate=gate, store=store)
    assistant.load()  # fail early (missing index, model mismatch) with a clear message
    demo = server_app(assistant)
    print(f"界面地址：http://{host}:{port}（同时处理 {gate.workers} 个问题，最多 {gate.waiting} 个排队）", flush=True)
    demo.launch(**launch_options(host, port, auth, gate))
