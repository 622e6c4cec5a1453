"""The 知识库 tab: the documents by title, upload, metadata editing, delete (after a confirmation naming the
documents) and rebuild. Long actions show one progress display where they were started (`rag.app.jobs`);
every action that changes the list clears the other actions' messages, so no stale "已导入" stays."""

from __future__ import annotations

from ..domain.places import LEVEL_NAMES
from ..errors import RagError
from ..ingest.overrides import LABELS
from . import jobs, render
from .library import Library, allowed_suffixes, limits_text

LEVELS = [(name, code) for code, name in LEVEL_NAMES.items() if code]
# the form's fields, in order: (key of Library.edit's fields, label)
FIELDS = [(k, LABELS[k]) for k in ("title", "region", "level", "year", "doc_type", "date", "speaker_title", "speaker")]
ROW_KEYS = {"speaker": "speaker_name"}  # where a form field's value sits in a `Library.documents()` row


def build(gr, library: Library, filters: list):
    """The tab's components and events, inside an open `gr.Tab`; `filters` (the chat tab's region, year and
    document dropdowns) are refreshed whenever the list changes. Returns the components that show the list and
    the function that gives their values (for the page's load event)."""
    rows = library.documents()
    ch = library.choices(rows)
    summary = gr.Markdown(library.summary(rows), elem_id="kb-summary")
    table = gr.HTML(render.documents_html(rows), elem_id="docs-table")
    with gr.Row():
        with gr.Column():
            gr.Markdown(f"#### 上传报告\n{limits_text()}。")
            files = gr.File(
                label="选择文件",
                file_count="multiple",
                file_types=allowed_suffixes(),
                elem_id="upload",
            )
            upload_btn = gr.Button("导入上传的文件", variant="primary", elem_id="upload-button")
            upload_status = gr.HTML(elem_id="upload-result")
        with gr.Column():
            gr.Markdown("#### 修改文档信息\n报告里没写或读错的信息可在这里改正；修改会保留，重建索引后仍然有效。")
            edit_doc = gr.Dropdown(ch["docs"], label="选择文档", elem_id="edit-doc", value=None)
            with gr.Row():
                inputs = {}
                for key, label in FIELDS:
                    if key == "level":
                        inputs[key] = gr.Dropdown(LEVELS, label=label, elem_id=f"edit-{key}", value=None)
                    else:
                        inputs[key] = gr.Textbox(label=label, elem_id=f"edit-{key}", min_width=120)
            save_btn = gr.Button("保存修改", variant="primary", elem_id="edit-save")
            edit_status = gr.HTML(elem_id="edit-status")
        with gr.Column():
            gr.Markdown("#### 删除与重建")
            to_delete = gr.Dropdown(ch["docs"], multiselect=True, label="选择要删除的文档", elem_id="delete-docs")
            delete_btn = gr.Button("删除所选文档…", elem_id="delete-button")
            with gr.Group(visible=False, elem_id="delete-confirm") as confirm:
                confirm_text = gr.HTML(elem_id="delete-confirm-text")
                with gr.Row():
                    confirm_btn = gr.Button("确认删除", variant="stop", elem_id="delete-confirm-button")
                    cancel_btn = gr.Button("取消", elem_id="delete-cancel-button")
            rebuild_btn = gr.Button("重建索引", elem_id="rebuild-button")
            kb_status = gr.HTML(elem_id="kb-status")

    statuses = [upload_status, edit_status, kb_status]
    views = [table, summary, *filters, to_delete, edit_doc]

    def view_values():
        rows = library.documents()
        c = library.choices(rows)
        return [
            render.documents_html(rows),
            library.summary(rows),
            gr.update(choices=c["regions"]),
            gr.update(choices=c["years"]),
            gr.update(choices=c["docs"]),
            gr.update(choices=c["docs"], value=[]),
            gr.update(choices=c["docs"]),
        ]

    def messages(mine: int, html: str):
        """The three message areas: this action's message, the others cleared."""
        return [html if i == mine else "" for i in range(len(statuses))]

    def waiting(mine: int, html: str):
        return [*[gr.skip()] * len(views), *[html if i == mine else gr.skip() for i in range(len(statuses))]]

    def long_action(mine: int, action: str, work, done):
        """Run `work(tracker)` with its progress shown in message area `mine`; `done(result)` -> final html."""
        try:
            for display, result, finished in jobs.run(action, work):
                if not finished:
                    yield waiting(mine, display)
                else:
                    yield [*view_values(), *messages(mine, done(result))]
        except RagError as e:
            yield [*view_values(), *messages(mine, render.status_html(str(e), ok=False))]

    def upload(paths):
        if not paths:
            yield [*view_values(), *messages(0, render.status_html(f"请先选择要上传的文件（{limits_text()}）。", ok=False))]
            return
        names = [getattr(f, "name", f) for f in paths]
        yield from long_action(0, "导入", lambda t: library.upload(names, tracker=t), render.results_html)

    def show_doc(doc_id):
        row = next((r for r in library.documents() if r["doc_id"] == doc_id), None)
        if row is None:
            return [gr.update(value=None if k == "level" else "") for k, _ in FIELDS]
        values = []
        for key, _ in FIELDS:
            value = row.get(ROW_KEYS.get(key, key))
            values.append(value or None if key == "level" else "" if value is None else str(value))
        return values

    def save(doc_id, *values):
        fields = dict(zip([k for k, _ in FIELDS], values, strict=True))
        yield from long_action(
            1, f"修改 {doc_id or ''}".strip(), lambda t: library.edit(doc_id, fields, tracker=t), render.status_html
        )

    def ask_delete(doc_ids):
        try:
            text = library.delete_preview(doc_ids or [])
        except RagError as e:
            return gr.update(visible=False), "", render.status_html(str(e), ok=False)
        return gr.update(visible=True), f'<div class="rq-confirm">{render.esc(text)}</div>', ""

    def delete(doc_ids):
        try:
            html = render.status_html(library.delete(doc_ids or []))
        except RagError as e:
            html = render.status_html(str(e), ok=False)
        return [gr.update(visible=False), *view_values(), *messages(2, html)]

    def rebuild():
        yield from long_action(2, "重建索引", lambda t: library.rebuild(tracker=t), render.status_html)

    kb = {"api_visibility": "private", "concurrency_limit": 1, "concurrency_id": "knowledge-base", "show_progress": "hidden"}
    upload_btn.click(upload, files, [*views, *statuses], **kb).then(lambda: None, None, files, api_visibility="private")
    edit_doc.change(show_doc, edit_doc, list(inputs.values()), api_visibility="private", show_progress="hidden")
    save_btn.click(save, [edit_doc, *inputs.values()], [*views, *statuses], **kb)
    delete_btn.click(ask_delete, to_delete, [confirm, confirm_text, kb_status], api_visibility="private")
    cancel_btn.click(lambda: (gr.update(visible=False), ""), None, [confirm, kb_status], api_visibility="private")
    confirm_btn.click(delete, to_delete, [confirm, *views, *statuses], **kb)
    rebuild_btn.click(rebuild, None, [*views, *statuses], **kb)
    return views, view_values
