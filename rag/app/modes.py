"""Answer modes offered in the settings. A mode is a name, a label, whether it
can run here, what answers in it (an `rag.answer.base.Answerer`: its `Response` yields text pieces, then
the `Answer`) and `condense` (rewrites a follow-up). The LLM mode is available when a
model endpoint is configured: `rag serve --llm-base-url …` (`configure_llm`)
or the environment (RAG_LLM_BASE_URL, RAG_LLM_MODEL, RAG_LLM_TIMEOUT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ..answer.base import Answerer

DEFAULT_MODE = "extractive"
_FROM_ENV = object()
_llm_config = _FROM_ENV  # set by `configure_llm`; read from the environment until then
UNCONFIGURED = "大模型生成目前不可用：需要管理员先配置大模型服务（见“高级设置”）。"
# For the 高级设置 panel: how an administrator configures the model endpoint.
HOW_TO_CONFIGURE = (
    "启动时加 `--llm-base-url` 参数，或设置环境变量 `RAG_LLM_BASE_URL`（以及 `RAG_LLM_MODEL`、`RAG_LLM_TIMEOUT`）。"
)


def configure_llm(config) -> None:
    """Use this endpoint config for the LLM mode (None: no LLM mode)."""
    global _llm_config
    _llm_config = config


def llm_config():
    """(config or None, why it is unavailable)."""
    from ..answer.llm.config import LLMError, config_from

    if _llm_config is not _FROM_ENV:
        return (
            _llm_config,
            "" if _llm_config else UNCONFIGURED,
        )
    try:
        config = config_from()
    except LLMError as e:
        return None, f"大模型配置有误：{e}"
    return config, "" if config else UNCONFIGURED


def _extractive(assistant) -> Answerer:
    return assistant


def _llm_answerer(config, assistant) -> Answerer:
    from ..answer.llm import LLMAnswerer, chat_model

    return LLMAnswerer(assistant, chat_model(config), config)


def _llm_condense(config, previous: list[str], message: str, understood: str) -> str:
    """The model's standalone question when the rule-based rewrite left a reference unresolved."""
    from ..answer.llm import chat_model
    from ..answer.llm.condense import condense, unresolved

    return condense(chat_model(config), previous, message) if unresolved(understood) else understood


@dataclass(frozen=True)
class AnswerMode:
    key: str
    label: str
    available: bool
    answerer: Callable[..., Answerer] | None = None  # the assistant -> what answers in this mode
    hint: str = ""
    condense: Callable | None = None

    @property
    def name(self) -> str:
        """The label without its explanation ("摘录原文"), for the line under an answer."""
        return self.label.split("（")[0]


def answer_modes() -> list[AnswerMode]:
    extractive = AnswerMode("extractive", "摘录原文（逐句引用报告）", True, _extractive)
    config, why = llm_config()
    if config is None:
        return [extractive, AnswerMode("llm", "大模型生成（未配置）", False, None, why)]
    llm = AnswerMode(
        "llm",
        "大模型生成（数字经核查）",
        True,
        partial(_llm_answerer, config),
        "大模型生成：回答中的每个数字都与所引段落核对，未通过时改用摘录原文的回答",
        partial(_llm_condense, config),
    )
    return [extractive, llm]


def get_mode(key: str | None) -> tuple[AnswerMode, str]:
    """The mode to run and a notice when the chosen one cannot run (falls back to the default)."""
    modes = {m.key: m for m in answer_modes()}
    mode = modes.get(key or DEFAULT_MODE)
    if mode is not None and mode.available:
        return mode, ""
    fallback = modes[DEFAULT_MODE]
    why = mode.hint if mode else f"未知的回答方式“{key}”。"
    return fallback, f"{why}已改用{fallback.label}。"
