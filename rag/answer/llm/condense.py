"""Condense a follow-up ("那临淄区呢？") into a standalone question with the chat model.

Used in LLM mode only when the rule-based rewrite (`rag.question.followup`) leaves a
reference it cannot resolve ("它的增速呢？" -> "…它的增速是多少？"). The model's output is
accepted only when it looks like one question; otherwise the message is kept.
"""

from __future__ import annotations

import re

from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from .prompts import condense_prompt

# References the rule-based rewrite cannot resolve ("它的增速", "这些项目").
_UNRESOLVED = re.compile(r"它|其中|这个|那个|这些|那些|这项|该项|上述|以上")
MAX_CHARS = 120


def unresolved(question: str) -> bool:
    """Does the (rule-rewritten) question still point at something said before?"""
    return bool(_UNRESOLVED.search(question))


def condense_chain(model, prompt=None) -> Runnable:
    """LCEL: {"history", "question"} -> standalone question text."""
    return (prompt or condense_prompt()) | model | StrOutputParser()


def clean(output: str, message: str) -> str:
    """The first line of the model's output, without quotes or a leading label; `message` if unusable."""
    lines = [ln.strip() for ln in (output or "").strip().splitlines() if ln.strip()]
    if not lines:
        return message
    text = re.sub(r"^(?:改写后的问题|问题)[:：]\s*", "", lines[0]).strip("“”\"'「」 ")
    if not text or len(text) > MAX_CHARS or len(text) < 4:
        return message
    return text


def condense(model, previous: list[str], message: str, prompt=None) -> str:
    """Standalone form of `message` given the previous questions (oldest first).
    Any failure of the model keeps the message as asked."""
    if not previous:
        return message
    history = "\n".join(f"- {q}" for q in previous[-3:])
    try:
        out = condense_chain(model, prompt).invoke({"history": history, "question": message})
    except Exception:  # the endpoint is optional here: answering the message as asked is always possible
        return message
    return clean(out, message)
