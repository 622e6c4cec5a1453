"""One chat turn: understand a follow-up, apply filters, answer, stream it.

`respond` is a generator over (chat history, sources panel, turns): first the
question with a "正在检索" placeholder, then the answer growing sentence by
sentence (in LLM mode: the generated text token by token, marked as not yet
checked), then the final message (LLM mode: a verified badge or why the
extractive answer replaced the generated one). `turns` (a list of `BriefingItem`) is the
conversation the follow-ups and the export read from.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from ..errors import RagError
from ..export.briefing import BriefingItem
from ..pipeline import DEFAULT_K
from ..retrieval import Filters
from . import render
from .modes import get_mode

STREAM_DELAY = 0.04  # seconds between streamed sentences


def make_filters(regions, years, docs) -> tuple[Filters | None, str]:
    """Filters from the UI selections, and their description for the answer."""
    regions = tuple(r for r in (regions or []) if r)
    years_int = []
    for y in years or []:
        try:
            years_int.append(int(str(y).rstrip("年")))
        except ValueError:
            continue
    docs = tuple(d for d in (docs or []) if d)
    if not (regions or years_int or docs):
        return None, ""
    words = []
    if regions:
        words.append("地区 " + "、".join(regions))
    if years_int:
        words.append("年份 " + "、".join(f"{y}年" for y in years_int))
    if docs:
        words.append("文档 " + "、".join(docs))
    return Filters(regions=regions, years=tuple(years_int), docs=docs), "；".join(words)


def answer_footer(mode, answer) -> str:
    """The line under an answer, for a reader: how it was answered, from how many passages, how fast."""
    how = mode.name if answer.mode == mode.key else f"{mode.name}未通过核查，改用摘录原文"
    took = f"{answer.latency_ms / 1000:.2f} 秒" if answer.latency_ms >= 10 else "不到 0.01 秒"
    return f"{how} · 参考了 {len(answer.retrieved)} 个段落 · 用时 {took}"


def previous_question(turns: list[BriefingItem]) -> str | None:
    for item in reversed(turns):
        if item.answer is not None:
            return item.understood or item.question
    return None


def respond(
    assistant,
    message: str,
    history: list | None,
    turns: list[BriefingItem] | None,
    regions=(),
    years=(),
    docs=(),
    k: int = DEFAULT_K,
    mode: str | None = None,
    delay: float = STREAM_DELAY,
) -> Iterator[tuple[list, str, list[BriefingItem]]]:
    history = list(history or [])
    turns = list(turns or [])
    message = (message or "").strip()
    history.append({"role": "user", "content": render.user_html(message)})
    chosen, notice = get_mode(mode)
    try:
        reading = assistant.read(message, previous=previous_question(turns))
    except RagError as e:
        history.append({"role": "assistant", "content": render.error_html(str(e))})
        yield list(history), render.sources_panel(turns), turns
        return
    understood = reading.text
    filters, described = make_filters(regions, years, docs)
    history.append({"role": "assistant", "content": render.pending_html(message, understood, described)})
    yield list(history), render.sources_panel(turns), turns
    if chosen.condense and previous_question(turns):  # LLM mode: the model resolves what rules could not
        previous = [t.understood or t.question for t in turns if t.answer is not None]
        condensed = chosen.condense(previous, message, understood)
        if condensed != understood:
            understood = condensed
            reading = None  # (read anew by the answer chain)
            history[-1] = {"role": "assistant", "content": render.pending_html(message, understood, described)}
            yield list(history), render.sources_panel(turns), turns
    k = max(1, int(k or DEFAULT_K))
    try:
        response = chosen.answerer(assistant).respond(understood, k=k, filters=filters, reading=reading)
        for _ in response:
            history[-1] = {"role": "assistant", "content": render.draft_html(message, understood, described, response.draft())}
            yield list(history), render.sources_panel(turns), turns
        answer = response.answer()
    except RagError as e:
        history[-1] = {"role": "assistant", "content": render.error_html(str(e))}
        yield list(history), render.sources_panel(turns), turns
        return
    streamed = bool(response.draft())
    if notice:
        answer.notice = "；".join(n for n in (answer.notice, notice) if n)
    item = BriefingItem(question=message, answer=answer, understood=understood, filters=described)
    turns.append(item)
    turn = len(turns)
    panel = render.sources_panel(turns)
    for shown in [] if streamed or answer.table is not None else render.pieces(answer.text)[:-1]:
        history[-1] = {"role": "assistant", "content": render.answer_html(turn, item, shown)}
        yield list(history), panel, turns
        time.sleep(delay)
    footer = answer_footer(chosen, answer)
    history[-1] = {"role": "assistant", "content": render.answer_html(turn, item, footer=footer)}
    yield list(history), panel, turns
