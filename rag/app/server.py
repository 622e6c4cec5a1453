"""`rag serve`: load the index, refuse a non-loopback address without a login, launch."""

from __future__ import annotations

import ipaddress
import os

from ..errors import RagError
from ..loading import MAX_BYTES
from ..pipeline import Assistant
from .ui import build_app


def _is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(index_dir: str, embedder: str, host: str = "127.0.0.1", port: int = 7860) -> None:
    assistant = Assistant(index_dir, embedder=embedder)
    assistant.load()  # fail early (missing index, model mismatch) with a clear message
    auth = None
    if not _is_loopback(host):
        user, password = os.environ.get("RAG_AUTH_USER"), os.environ.get("RAG_AUTH_PASSWORD")
        if not (user and password):
            raise RagError(f"绑定到非本机地址 {host} 时必须设置登录口令：请设置环境变量 RAG_AUTH_USER 和 RAG_AUTH_PASSWORD。")
        auth = (user, password)
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=4, max_size=64)
    print(f"界面地址：http://{host}:{port}")
    demo.launch(
        server_name=host, server_port=port, auth=auth, show_error=False, max_file_size=5 * MAX_BYTES
    )  # larger files get our message (rag.app.library)
