"""The Gradio page: 问答 (chat, filters, settings, export, sources) and 知识库
(documents, upload, delete, rebuild), plus the named API endpoint `ask`
(question string in, the `rag ask --json` object out)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ..errors import RagError
from ..export.briefing import to_docx, to_markdown
from ..pipeline import DEFAULT_K, Assistant
from . import render
from .chat import respond
from .library import Library, allowed_suffixes, limits_text
from .modes import DEFAULT_MODE, answer_modes
from .style import CSS, JS_ON_LOAD

TITLE = "政府工作报告问答助手"
EXAMPLES = [
    "张店区2022年地区生产总值是多少？",
    "淄博市2024年地区生产总值增长目标是多少？",
    "临淄区“十三五”期间到位外来资金多少？",
    "淄博、张店、临淄政府工作报告里的地区生产总值增长目标分别是多少？",
]


def ask_api(assistant: Assistant, question: str) -> dict:
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


def export_file(turns, scope: str, fmt: str) -> str:
    """Write the briefing of the conversation (or its last answer); returns the file path."""
    items = [t for t in (turns or []) if t.answer is not None]
    if not items:
        raise RagError("还没有可导出的回答：请先提问。")
    if scope == "last":
        items = items[-1:]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(tempfile.mkdtemp(prefix="rag-export-")) / f"briefing-{stamp}.{fmt}"
    if fmt == "md":
        out.write_text(to_markdown(items), encoding="utf-8")
    else:
        to_docx(items, out)
    return str(out)


def export_table(turns, fmt: str) -> str:
    """Write the latest table answer of the conversation as CSV or XLSX; returns the file path."""
    from ..export.tables import ANSWER_COLUMNS, answer_rows, write_table

    tables = [t for t in (turns or []) if t.answer is not None and t.answer.table is not None]
    if not tables:
        raise RagError("还没有表格形式的回答：请先问一个跨地区或跨年份的比较问题，例如“各省2025年经济增长目标是多少？”")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(tempfile.mkdtemp(prefix="rag-table-")) / f"table-{stamp}.{fmt}"
    return str(write_table(answer_rows(tables[-1].answer), ANSWER_COLUMNS, out))


def build_app(assistant: Assistant):
    import gradio as gr

    library = Library(assistant.index_dir, assistant.embedder, store=assistant.store)
    modes = answer_modes()

    def kb_views():
        ch = library.choices()
        return (
            render.documents_html(library.documents()),
            library.summary(),
            gr.update(choices=ch["regions"]),
            gr.update(choices=ch["years"]),
            gr.update(choices=ch["docs"]),
            gr.update(choices=ch["docs"], value=[]),
        )

    def chat(message, history, turns, regions, years, docs, k, mode):
        if not (message or "").strip():
            gr.Warning("问题为空。请输入一个完整的问题，例如：张店区2022年地区生产总值是多少？")
            yield history, gr.skip(), message, turns
            return
        for hist, panel, new_turns in respond(assistant, message, history, turns, regions, years, docs, k, mode):
            yield hist, panel, "", new_turns

    def upload(files, progress=gr.Progress()):
        if not files:
            return (render.status_html(f"请先选择要上传的文件（{limits_text()}）。", ok=False), *kb_views(), None)
        results = library.upload([getattr(f, "name", f) for f in files], progress=lambda f, m: progress(f, desc=m))
        return (render.results_html(results), *kb_views(), None)

    def delete(doc_ids):
        try:
            msg = render.status_html(library.delete(doc_ids or []))
        except RagError as e:
            msg = render.status_html(str(e), ok=False)
        return (msg, *kb_views())

    def rebuild(progress=gr.Progress()):
        try:
            msg = render.status_html(library.rebuild(lambda f, m: progress(f, desc=m)))
        except RagError as e:
            msg = render.status_html(str(e), ok=False)
        return (msg, *kb_views())

    def export(turns, scope, fmt):
        try:
            return export_file(turns, scope, fmt)
        except RagError as e:
            gr.Warning(str(e))
            return None

    def export_tab(turns, fmt):
        try:
            return export_table(turns, fmt)
        except RagError as e:
            gr.Warning(str(e))
            return None

    ch = library.choices()
    with gr.Blocks(title=TITLE) as demo:
        gr.HTML(f"<style>{CSS}</style>", elem_id="rq-style", js_on_load=JS_ON_LOAD)
        gr.Markdown(f"## {TITLE}\n答案逐句摘自报告原文，并标注来源 [n]（点击可跳到右侧原文）；资料中没有的内容会明确说明。")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("问答", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="对话", height=480, sanitize_html=True, elem_id="chat", buttons=["copy"])
                        box = gr.Textbox(
                            label="问题",
                            placeholder="例如：张店区2022年地区生产总值是多少？ 追问可以直接说“那临淄区呢？”",
                            elem_id="question",
                        )
                        with gr.Row():
                            send = gr.Button("提问", variant="primary", elem_id="ask-button")
                            clear = gr.Button("清空对话", elem_id="clear-button")
                        gr.Examples(EXAMPLES, inputs=box, label="示例问题")
                        with gr.Row():
                            f_region = gr.Dropdown(ch["regions"], multiselect=True, label="地区筛选", elem_id="filter-region")
                            f_year = gr.Dropdown(ch["years"], multiselect=True, label="年份筛选", elem_id="filter-year")
                            f_doc = gr.Dropdown(ch["docs"], multiselect=True, label="文档筛选", elem_id="filter-doc")
                        with gr.Accordion("设置", open=True):
                            with gr.Row():
                                k = gr.Slider(1, 20, value=DEFAULT_K, step=1, label="检索段落数 k", elem_id="setting-k")
                                mode = gr.Radio(
                                    [(m.label, m.key) for m in modes],
                                    value=DEFAULT_MODE,
                                    label="回答方式",
                                    info="；".join(m.hint for m in modes if m.hint) or None,
                                    elem_id="answer-mode",
                                )
                        with gr.Accordion("导出简报", open=False):
                            with gr.Row():
                                scope = gr.Radio([("整个对话", "all"), ("最后一个回答", "last")], value="all", label="范围")
                                md_btn = gr.Button("导出 Markdown", elem_id="export-md")
                                docx_btn = gr.Button("导出 Word（DOCX）", elem_id="export-docx")
                            with gr.Row():
                                csv_btn = gr.Button("最近的表格：导出 CSV", elem_id="export-csv")
                                xlsx_btn = gr.Button("最近的表格：导出 Excel", elem_id="export-xlsx")
                            download = gr.File(label="下载", elem_id="export-file", interactive=False)
                    with gr.Column(scale=2):
                        gr.Markdown("### 引用来源")
                        sources = gr.HTML(render.sources_panel([]), elem_id="sources")
            with gr.Tab("知识库", id="kb-tab"):
                summary = gr.Markdown(library.summary(), elem_id="kb-summary")
                docs_table = gr.HTML(render.documents_html(library.documents()), elem_id="docs-table")
                with gr.Row():
                    with gr.Column():
                        files = gr.File(
                            label=f"上传报告（{limits_text()}）",
                            file_count="multiple",
                            file_types=allowed_suffixes(),
                            elem_id="upload",
                        )
                        upload_btn = gr.Button("导入上传的文件", variant="primary", elem_id="upload-button")
                        upload_result = gr.HTML(elem_id="upload-result")
                    with gr.Column():
                        to_delete = gr.Dropdown(ch["docs"], multiselect=True, label="选择要删除的文档", elem_id="delete-docs")
                        delete_btn = gr.Button("删除所选文档", variant="stop", elem_id="delete-button")
                        rebuild_btn = gr.Button("重建索引", elem_id="rebuild-button")
                        kb_status = gr.HTML(elem_id="kb-status")

        chat_inputs = [box, chatbot, turns, f_region, f_year, f_doc, k, mode]
        chat_outputs = [chatbot, sources, box, turns]
        send.click(chat, chat_inputs, chat_outputs, api_visibility="private")
        box.submit(chat, chat_inputs, chat_outputs, api_visibility="private")
        clear.click(
            lambda: ([], render.sources_panel([]), "", []), None, [chatbot, sources, box, turns], api_visibility="private"
        )
        md_btn.click(lambda t, s: export(t, s, "md"), [turns, scope], download, api_visibility="private")
        docx_btn.click(lambda t, s: export(t, s, "docx"), [turns, scope], download, api_visibility="private")
        csv_btn.click(lambda t: export_tab(t, "csv"), [turns], download, api_visibility="private")
        xlsx_btn.click(lambda t: export_tab(t, "xlsx"), [turns], download, api_visibility="private")
        views = [docs_table, summary, f_region, f_year, f_doc, to_delete]
        kb = {"api_visibility": "private", "concurrency_limit": 1, "concurrency_id": "knowledge-base"}
        upload_btn.click(upload, files, [upload_result, *views, files], **kb)
        delete_btn.click(delete, to_delete, [kb_status, *views], **kb)
        rebuild_btn.click(rebuild, None, [kb_status, *views], **kb)
        demo.load(kb_views, None, views, api_visibility="private")

        def ask(question: str) -> dict:
            """Answer one question; returns the prediction object of `rag ask --json`."""
            return ask_api(assistant, question)

        gr.api(ask, api_name="ask")
    return demo
