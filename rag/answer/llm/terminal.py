"""`rag ask --llm` in a terminal: print the generated text as it streams, then
what verification found (verified, citations corrected, or the fallback)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from ...types import Answer


def ask_streaming(answerer, question: str, k: int, format_answer: Callable[[Answer], str], out=None) -> Answer:
    out = out or sys.stdout
    draft = ""
    answer: Answer | None = None
    for event in answerer.stream(question, k=k):
        if isinstance(event, str):
            draft += event
            out.write(event)
            out.flush()
        else:
            answer = event
    assert answer is not None
    if draft:
        out.write("\n\n")
    out.write(status_line(answer) + "\n")
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


def fallback_summary(preds: list[dict]) -> tuple[dict, str]:
    """How often LLM mode fell back, and why (reasons grouped with their quoted specifics elided)."""
    n = len(preds)
    fell = [p for p in preds if p.get("fallback_reason")]
    reasons: dict[str, int] = {}
    for p in fell:
        key = re.sub(r"“[^”]*”", "“…”", p["fallback_reason"]).split("（")[0]
        reasons[key] = reasons.get(key, 0) + 1
    corrected = sum("已更正引用" in (p.get("notice") or "") for p in preds if p.get("mode") == "llm")
    stats = {
        "questions": n,
        "llm_answers": sum(p.get("mode") == "llm" for p in preds),
        "fallbacks": len(fell),
        "fallback_rate": round(len(fell) / max(1, n), 4),
        "citations_corrected": corrected,
        "fallback_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
    }
    lines = [
        f"LLM mode: {stats['llm_answers']}/{n} answers generated and verified; {len(fell)} fell back to the extractive "
        f"answer ({stats['fallback_rate']:.1%}); citations corrected in {corrected}.",
        *[f"- fallback: {why} × {c}" for why, c in stats["fallback_reasons"].items()],
    ]
    return stats, "\n".join(lines)
