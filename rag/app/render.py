"""HTML for the app. Document text is data, never markup: every string that
comes from a document, a file name or the user goes through `html.escape`
before our own tags are added around it."""

from __future__ import annotations

import html
import re

from ..domain.places import LEVEL_NAMES
from ..export.briefing import REFUSAL_MARK, BriefingItem, source_facts
from ..ingest.chunking import split_sentences
from ..types import Answer

_CITE = re.compile(r"\[(\d+)\]")
_PIECE = re.compile(r".+?(?:\[\d+\](?:[；;。]|\s)*|[。！？；\n]|$)", re.S)


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def source_id(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def highlight(text: str, quote: str) -> str:
    """Escaped passage with each quoted sentence wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    pieces = [quote.strip()] if quote.strip() in text else split_sentences(quote)
    for piece in pieces:
        piece = piece.strip().rstrip("；;，,")
        at = text.find(piece) if piece else -1
        if at >= 0 and not any(s < at + len(piece) and at < e for s, e in spans):
            spans.append((at, at + len(piece)))
    out, pos = [], 0
    for s, e in sorted(spans):
        out += [esc(text[pos:s]), "<mark>", esc(text[s:e]), "</mark>"]
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def cite_links(escaped: str, turn: int) -> str:
    """Turn the [n] markers of an (escaped) answer into links to the sources panel."""
    return _CITE.sub(lambda m: f'<a class="rq-cite" href="#{source_id(turn, int(m.group(1)))}">[{m.group(1)}]</a>', escaped)


def pieces(text: str) -> list[str]:
    """Prefixes of an answer that grow sentence by sentence (for streaming)."""
    ends = [m.end() for m in _PIECE.finditer(text) if m.group(0)]
    return [text[:e] for e in ends] or [text]


def source_meta(answer_citation) -> str:
    return "".join(f'<span class="rq-field"><b>{k}</b> {esc(v)}</span>' for k, v in source_facts(answer_citation))


def sources_html(answer: Answer, turn: int = 0) -> str:
    """Cited passages of one answer, escaped, the quoted sentence highlighted."""
    if not answer.citations:
        return '<p class="rq-empty">（无引用）</p>'
    parts = []
    for c in answer.citations:
        parts.append(
            f'<div class="rq-source" id="{source_id(turn, c.n)}">'
            f'<div class="rq-source-head"><span class="rq-num">[{c.n}]</span> {source_meta(c)}</div>'
            f'<div class="rq-source-id">{esc(c.chunk.doc_id)} · 第 {c.chunk.paragraph} 段</div>'
            f'<div class="rq-passage">{highlight(c.chunk.text, c.quote)}</div></div>'
        )
    return "\n".join(parts)


def sources_panel(items: list[BriefingItem]) -> str:
    """Sources of the latest answer on top; earlier answers folded below, so every [n] link resolves."""
    if not items:
        return (
            '<p class="rq-empty">提问后，这里显示每个引用 [n] 的原文段落、所在文档、地区、年份和章节，引用的句子以高亮标出。</p>'
        )
    out = []
    last = len(items)
    for turn in range(last, 0, -1):
        item = items[turn - 1]
        title = f"第 {turn} 问：{esc(item.understood or item.question)}"
        body = sources_html(item.answer, turn)
        if item.answer.refused and item.answer.citations:
            body = '<div class="rq-note">未找到答案；以下是最接近的段落，仅供核对。</div>' + body
        if turn == last:
            out.append(f'<div class="rq-turn"><div class="rq-turn-title">{title}</div>{body}</div>')
        else:
            out.append(f'<details class="rq-turn"><summary>{title}</summary>{body}</details>')
    return "\n".join(out)


def answer_html(turn: int, item: BriefingItem, shown: str | None = None, footer: str = "") -> str:
    """The assistant's chat message: what was understood, the filters, the answer (or refusal)."""
    head = ""
    if item.understood and item.understood != item.question:
        head += f'<div class="rq-understood">已理解为：{esc(item.understood)}</div>'
    if item.filters:
        head += f'<div class="rq-filters">筛选：{esc(item.filters)}</div>'
    answer = item.answer
    text = answer.text if shown is None else shown
    body = cite_links(esc(text), turn).replace("\n", "<br>")
    if answer.notice:
        head += f'<div class="rq-notice">{esc(answer.notice)}</div>'
    if answer.fallback_reason:
        what = "拒答说明" if answer.refused else "摘录原文的回答（逐句引用报告）"
        head += f'<div class="rq-fallback">〔未采用大模型回答〕{esc(answer.fallback_reason)}。以下为{what}。</div>'
    if answer.refused:
        label = f'<span class="rq-refusal-label">{REFUSAL_MARK}</span>'
        body = f'<div class="rq-refusal">{label}{body}</div>'
    elif answer.table is not None and shown is None:
        body = f'<div class="rq-headline"><b>{esc(answer.headline)}</b></div>' + table_html(answer, turn)
    else:
        lead = f'<div class="rq-headline"><b>{esc(answer.headline)}</b></div>' if answer.headline and shown is None else ""
        body = f'{lead}<div class="rq-answer">{body}</div>'
    if answer.note and shown is None:
        head += f'<div class="rq-note">{esc(answer.note)}</div>'
    foot = f'<div class="rq-meta">{esc(footer)}</div>' if footer and shown is None else ""
    if answer.mode == "llm" and answer.verified and shown is None:
        foot = '<div class="rq-verified">✓ 已核查：回答中的每个数字都出现在所引用的段落中</div>' + foot
    return f'<div class="rq-message">{head}{body}{foot}</div>'


def table_html(answer: Answer, turn: int) -> str:
    """A table answer: a table sortable by any column (a click on its head; numbers sort as numbers), each
    cell's [n] a link to its passage in the sources panel, and its chart beside it."""
    import base64

    from ..answer.table import KIND_NAMES
    from ..export.tables import chart_png

    head = "".join(f'<th title="点击排序">{esc(h)}</th>' for h in ("地区", "年份", "类型", "数值", "出处"))
    body = []
    for r in answer.table["rows"]:
        n = r.get("citation")
        value = esc(r["value"]) if r.get("value") else f'<span class="rq-missing">{esc(r.get("note") or "")}</span>'
        cite = f'<a class="rq-cite" href="#{source_id(turn, n)}">[{n}]</a>' if n else "—"
        number = "" if r.get("number") is None else str(r["number"])
        cells = [
            f"<td>{esc(r['region'])}</td>",
            f"<td>{esc(r['year'] or '')}</td>",
            f"<td>{esc(KIND_NAMES.get(r.get('kind') or '', ''))}</td>",
            f'<td data-sort="{esc(number)}">{value}</td>',
            f"<td>{cite}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        f'<table class="rq-table"><caption>{esc(answer.table.get("indicator", ""))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    png = chart_png(answer)
    chart = (
        f'<img class="rq-chart" alt="{esc(answer.table.get("indicator", ""))}图表" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        if png
        else ""
    )
    return f'<div class="rq-table-wrap"><div class="rq-table-box">{table}</div><div class="rq-chart-box">{chart}</div></div>'


def draft_html(item_question: str, understood: str, filters: str, draft: str) -> str:
    """The LLM's answer while it is being generated: plain escaped text, marked as not yet checked."""
    head = ""
    if understood != item_question:
        head += f'<div class="rq-understood">已理解为：{esc(understood)}</div>'
    if filters:
        head += f'<div class="rq-filters">筛选：{esc(filters)}</div>'
    body = esc(draft).replace("\n", "<br>")
    return (
        f'<div class="rq-message">{head}<div class="rq-answer rq-draft">{body}</div>'
        '<div class="rq-pending">正在生成…（数字尚未核查）</div></div>'
    )


def pending_html(item_question: str, understood: str, filters: str) -> str:
    head = ""
    if understood != item_question:
        head += f'<div class="rq-understood">已理解为：{esc(understood)}</div>'
    if filters:
        head += f'<div class="rq-filters">筛选：{esc(filters)}</div>'
    return f'<div class="rq-message">{head}<div class="rq-pending">正在检索资料…</div></div>'


def error_html(message: str) -> str:
    return f'<div class="rq-message"><div class="rq-error">〔出错〕{esc(message)}</div></div>'


def user_html(message: str) -> str:
    return f'<div class="rq-user">{esc(message)}</div>'


def documents_html(rows: list[dict]) -> str:
    """The knowledge-base table, each document by its title (region · year · type), its file name second
    (all cells escaped)."""
    if not rows:
        return '<p class="rq-empty">知识库是空的：请上传报告。</p>'
    head = "".join(f"<th>{h}</th>" for h in ("文档", "层级", "日期", "报告人", "段落数", "字数", "来源"))
    body = []
    for r in rows:
        file = r["doc_id"] + (f"（与 {r['duplicate_of']} 内容相同，未重复索引）" if r.get("duplicate_of") else "")
        title = (
            f'<td class="rq-doc-title"><b>{esc(r["label"])}</b><span class="rq-facts">{esc(r.get("facts", ""))}</span>'
            f'<span class="rq-file">{esc(file)}</span></td>'
        )
        cells = [
            LEVEL_NAMES.get(r["level"], "") if r["level"] else "", r["date"], r["speaker"], r["chunks"], r["chars"],
            r["origin"],
        ]  # fmt: skip
        body.append("<tr>" + title + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    return f'<table class="rq-docs"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def results_html(results) -> str:
    """Per-file upload results."""
    if not results:
        return ""
    items = []
    for r in results:
        cls = "rq-ok" if r.ok else "rq-fail"
        mark = "✓" if r.ok else "✗"
        items.append(f'<li class="{cls}"><b>{mark} {esc(r.name)}</b>：{esc(r.message)}</li>')
    return f'<ul class="rq-results">{"".join(items)}</ul>'


def status_html(message: str, ok: bool = True) -> str:
    return f'<div class="{"rq-ok" if ok else "rq-fail"}">{esc(message)}</div>'
