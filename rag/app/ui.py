"""The Gradio page: 问答 (chat, filters, settings, export, sources) and 知识库
(`rag.app.kb_tab`: documents, upload, metadata, delete, rebuild), plus the named API endpoint `ask`
(question string in, the `rag ask --json` object out)."""

from __future__ import annotations

from ..errors import RagError
from ..pipeline import DEFAULT_K, Assistant
from . import briefings, kb_tab, render
from .chat import respond
from .library import Library
from .modes import DEFAULT_MODE, HOW_TO_CONFIGURE, answer_modes, llm_config
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


def build_app(assistant: Assistant):
    import gradio as gr

    library = Library(assistant.index_dir, assistant.embedder, store=assistant.store)
    modes = answer_modes()

    def warn(message: str) -> None:
        gr.Warning(message, title="提示")

    def chat(message, history, turns, regions, years, docs, k, mode):
        if not (message or "").strip():
            warn("问题为空。请输入一个完整的问题，例如：张店区2022年地区生产总值是多少？")
            yield history, gr.skip(), message, turns, gr.skip()
            return
        for hist, panel, new_turns in respond(assistant, message, history, turns, regions, years, docs, k, mode):
            yield hist, panel, "", new_turns, gr.skip()
        options, ticked = briefings.choices(new_turns)
        yield hist, panel, "", new_turns, gr.update(choices=options, value=ticked)

    def export(turns, selected, fmt):
        try:
            return briefings.export_file(turns, selected, fmt)
        except RagError as e:
            warn(str(e))
            return None

    def export_tab(turns, fmt):
        try:
            return briefings.export_table(turns, fmt)
        except RagError as e:
            warn(str(e))
            return None

    ch = library.choices()
    llm, _ = llm_config()
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
                            placeholder="例如：张店区2022年地区生产总值是多少？",
                            info="追问可以直接说“那临淄区呢？”",
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
                        with gr.Accordion("设置", open=False, elem_id="settings"):
                            mode = gr.Radio(
                                [(m.label, m.key) for m in modes],
                                value=DEFAULT_MODE,
                                label="回答方式",
                                info="；".join(m.hint for m in modes if m.hint) or None,
                                elem_id="answer-mode",
                            )
                            with gr.Accordion("高级设置", open=False, elem_id="advanced"):
                                k = gr.Slider(
                                    1,
                                    20,
                                    value=DEFAULT_K,
                                    step=1,
                                    label="检索段落数",
                                    info="每个问题先从报告中找出这么多个最相关的段落，再从中摘录答案；多则更全，少则更快。",
                                    elem_id="setting-k",
                                )
                                gr.Markdown(technical_facts(assistant, llm), elem_id="technical")
                        with gr.Accordion("导出简报", open=False, elem_id="export"):
                            picked = gr.CheckboxGroup(
                                [], label="选择要导出的回答", info="默认勾选所有找到答案的回答", elem_id="export-pick"
                            )
                            with gr.Row():
                                md_btn = gr.Button("导出 Markdown", elem_id="export-md")
                                docx_btn = gr.Button("导出 Word", elem_id="export-docx")
                            with gr.Row():
                                csv_btn = gr.Button("最近的表格：导出 CSV", elem_id="export-csv")
                                xlsx_btn = gr.Button("最近的表格：导出 Excel", elem_id="export-xlsx")
                            download = gr.File(label="下载", elem_id="export-file", interactive=False)
                    with gr.Column(scale=2):
                        gr.Markdown("### 引用来源")
                        sources = gr.HTML(render.sources_panel([]), elem_id="sources")
            with gr.Tab("知识库", id="kb-tab"):
                views, view_values = kb_tab.build(gr, library, [f_region, f_year, f_doc])

        chat_inputs = [box, chatbot, turns, f_region, f_year, f_doc, k, mode]
        chat_outputs = [chatbot, sources, box, turns, picked]
        send.click(chat, chat_inputs, chat_outputs, api_visibility="private")
        box.submit(chat, chat_inputs, chat_outputs, api_visibility="private")
        clear.click(
            lambda: ([], render.sources_panel([]), "", [], gr.update(choices=[], value=[])),
            None,
            chat_outputs,
            api_visibility="private",
        )
        md_btn.click(lambda t, s: export(t, s, "md"), [turns, picked], download, api_visibility="private")
        docx_btn.click(lambda t, s: export(t, s, "docx"), [turns, picked], download, api_visibility="private")
        csv_btn.click(lambda t: export_tab(t, "csv"), [turns], download, api_visibility="private")
        xlsx_btn.click(lambda t: export_tab(t, "xlsx"), [turns], download, api_visibility="private")
        demo.load(view_values, None, views, api_visibility="private")

        def ask(question: str) -> dict:
            """Answer one question; returns the prediction object of `rag ask --json`."""
            return ask_api(assistant, question)

        gr.api(ask, api_name="ask")
    return demo


def technical_facts(assistant: Assistant, llm) -> str:
    """The 高级设置 panel's facts for an administrator: the embedding model, the index, the model endpoint."""
    lines = [f"- 向量模型：`{assistant.embedder.name}`", f"- 索引目录：`{assistant.index_dir}`"]
    if llm is None:
        lines.append(f"- 大模型服务：未配置。{HOW_TO_CONFIGURE}")
    else:
        lines.append(f"- 大模型服务：`{llm.model}`（{llm.base_url}）")
    return "\n".join(lines)
