"""Answer modes offered in the settings. A mode is a name, a label, whether it
can run here, and how it answers; add one by appending to `answer_modes()`
(e.g. an LLM mode that is available when a model endpoint is configured)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..retrieval import Filters
from ..types import Answer

DEFAULT_MODE = "extractive"


def _extractive(assistant, question: str, k: int, filters: Filters | None) -> Answer:
    return assistant.ask(question, k=k, filters=filters)


@dataclass(frozen=True)
class AnswerMode:
    key: str
    label: str
    available: bool
    ask: Callable | None = None
    hint: str = ""


def answer_modes() -> list[AnswerMode]:
    return [
        AnswerMode("extractive", "抽取式（逐句引用原文）", True, _extractive),
        AnswerMode("llm", "LLM（未配置）", False, None, "生成式回答需要先配置本地大模型，目前不可用。"),
    ]


def get_mode(key: str | None) -> tuple[AnswerMode, str]:
    """The mode to run and a notice when the chosen one cannot run (falls back to the default)."""
    modes = {m.key: m for m in answer_modes()}
    mode = modes.get(key or DEFAULT_MODE)
    if mode is not None and mode.available:
        return mode, ""
    fallback = modes[DEFAULT_MODE]
    why = mode.hint if mode else f"未知的回答方式“{key}”。"
    return fallback, f"{why}已改用{fallback.label}。"
