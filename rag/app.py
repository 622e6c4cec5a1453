"""The Gradio app: a chat page with cited answers and their sources, plus
the named API endpoint `ask` (question string in, the `rag ask --json`
object out)."""

from __future__ import annotations

import html
import ipaddress
import os

from .errors import RagError
from .pipeline import Assistant

TITLE = "政府工作报告问答助手"
EXAMPLES = [
    "张店区2022年地区生产总值是多少？",
    "淄博市2024年地区生产总值增长目标是多少？",
    "临淄区“十三五”期间到位外来资金多少？",
]


def sources_html(answer) -> str:
    """Cited passages, escaped (document text is data, never markup), quote highlighted."""
    if not answer.citations:
        return "<p>（无引用）</p>"
    parts = []
    for c in answer.citations:
        meta = c.chunk.meta
        text = html.escape(c.chunk.text)
        quote = html.escape(c.quote.strip())
        if quote and quote in text:
            text = text.replace(quote, f"<mark>{quote}</mark>", 1)
        head = " · ".join(
            html.escape(str(x))
            for x in (meta.title, meta.region, f"{meta.year}年" if meta.year else "", c.chunk.section_path)
            if x
        )
        parts.append(
            f"<div class='source' id='source-{c.n}'><b>[{c.n}]</b> {head}<br>"
            f"<small>{html.escape(c.chunk.doc_id)} · 第 {c.chunk.paragraph} 段</small>"
            f"<p>{text.replace(chr(10), '<br>')}</p></div>"
        )
    return "\n".join(parts)


def build_app(assistant: Assistant):
    import gradio as gr

    def ask_api(question: str) -> dict:
        """Answer one question; returns the prediction object of `rag ask --json`."""
        try:
            return assistant.ask(question).to_prediction()
        except RagError as e:
            return {
                "question": question,
                "answer": str(e),
                "refused": True,
                "error": str(e),
                "citations": [],
                "retrieved": [],
                "latency_ms": 0.0,
            }

    def chat(message: str, history: list):
        history = list(history or [])
        try:
            answer = assistant.ask(message)
        except RagError as e:
            history += [{"role": "user", "content": message}, {"role": "assistant", "content": f"〔出错〕{e}"}]
            return history, "", ""
        text = answer.text
        if answer.refused:
            text = f"〔未找到答案〕{text}"  # refusals look different from answers
        if answer.notice:
            text = f"（{answer.notice}）\n\n{text}"
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": text}]
        return history, sources_html(answer), ""

    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(f"## {TITLE}\n答案逐句摘自报告原文，并标注来源 [n]；资料中没有的内容会明确说明。")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="对话", height=460, sanitize_html=True)
                box = gr.Textbox(label="问题", placeholder="例如：张店区2022年地区生产总值是多少？", elem_id="question")
                with gr.Row():
                    send = gr.Button("提问", variant="primary", elem_id="ask-button")
                    clear = gr.Button("清空")
                gr.Examples(EXAMPLES, inputs=box, label="示例问题")
            with gr.Column(scale=2):
                gr.Markdown("### 引用来源")
                sources = gr.HTML(elem_id="sources")
        send.click(chat, [box, chatbot], [chatbot, sources, box], api_visibility="private")
        box.submit(chat, [box, chatbot], [chatbot, sources, box], api_visibility="private")
        clear.click(lambda: ([], "", ""), None, [chatbot, sources, box], api_visibility="private")
        gr.api(ask_api, api_name="ask")
    return demo


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
    demo.launch(server_name=host, server_port=port, auth=auth, show_error=False, max_file_size="20mb")
