"""`rag ask` in a terminal: an answer as it is produced (`rag.answer.base.Response`)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..answer.base import Response
from ..types import Answer


def print_response(response: Response, format_answer: Callable[[Answer], str], out=None) -> Answer:
    """Print a `Response` as it comes: the generated text piece by piece (LLM mode), what verification found
    (verified, citations corrected, or why the extractive answer replaced it), then the answer and its sources."""
    out = out or sys.stdout
    for piece in response:
        out.write(piece)
        out.flush()
    answer, draft = response.answer(), response.draft()
    if draft:
        out.write("\n\n")
    status = status_line(answer)
    if status:
        out.write(status + "\n")
    if answer.mode == "llm" and answer.text.strip() == draft.strip() and draft:
        # The streamed text is the answer: show the notice and the sources only.
        full = format_answer(answer)
        head = (f"（{answer.notice}）\n" if answer.notice else "") + answer.text
        rest = full[len(head) :] if full.startswith(head) else full
        if answer.notice:
            out.write(f"（{answer.notice}）\n")
        out.write(rest.strip("\n") + "\n")
    else:
        out.write(format_answer(answer) + "\n")
    out.flush()
    return answer


def status_line(answer: Answer) -> str:
    if answer.fallback_reason:
        what = "拒答说明" if answer.refused else "抽取式回答（逐句引用原文）"
        return f"〔未采用大模型回答〕{answer.fallback_reason}。以下为{what}："
    if answer.mode == "llm" and answer.verified:
        fixed = "（引用已更正）" if "已更正引用" in (answer.notice or "") else ""
        return f"〔已核查〕回答中的每个数字都出现在所引用的段落中{fixed}。"
    return ""
