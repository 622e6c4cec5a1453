"""LLM endpoint configuration, read only at the edges (CLI flags, environment, app).

Any OpenAI-compatible server works: vLLM, Ollama, llama.cpp's `llama_cpp.server`,
or a hosted Qwen/DeepSeek API. The API key is read from the environment
variable `RAG_LLM_API_KEY` when the chat model is built; it is never a field
of the config, never logged and never part of a repr.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...errors import RagError

ENV_BASE_URL = "RAG_LLM_BASE_URL"
ENV_MODEL = "RAG_LLM_MODEL"
ENV_TIMEOUT = "RAG_LLM_TIMEOUT"
ENV_API_KEY = "RAG_LLM_API_KEY"
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"
DEFAULT_TIMEOUT = 60.0
# Local servers ignore the key but the OpenAI client requires one.
NO_KEY = "not-needed"


class LLMError(RagError):
    """Bad LLM configuration (shown to users as a plain message)."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str = DEFAULT_MODEL
    timeout: float = DEFAULT_TIMEOUT  # seconds: per request read, and for the whole generation
    max_tokens: int = 400
    temperature: float = 0.0
    passages: int = 4  # numbered passages shown to the model (prompt evaluation dominates latency on CPU)

    def __post_init__(self):
        if not self.base_url.startswith(("http://", "https://")):
            raise LLMError(f"大模型地址无效：“{self.base_url}”。应以 http:// 或 https:// 开头，例如 http://127.0.0.1:8000/v1。")
        if not self.model.strip():
            raise LLMError("大模型名称为空：请用 --llm-model 或环境变量 RAG_LLM_MODEL 指定。")
        if not 0 < self.timeout <= 3600:
            raise LLMError(f"大模型超时时间必须在 0 到 3600 秒之间（收到 {self.timeout}）。")
        if self.passages < 1:
            raise LLMError(f"提供给大模型的段落数必须至少为 1（收到 {self.passages}）。")

    @property
    def label(self) -> str:
        return f"{self.model} @ {self.base_url}"


def _timeout(value: str | float | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise LLMError(f"大模型超时时间不是数字：“{value}”。请用秒数，例如 --llm-timeout 60。") from None


def config_from(
    base_url: str | None = None, model: str | None = None, timeout: str | float | None = None, environ=None
) -> LLMConfig | None:
    """Flags override the environment; None when no endpoint is configured."""
    env = os.environ if environ is None else environ
    url = (base_url or env.get(ENV_BASE_URL, "")).strip()
    if not url:
        return None
    seconds = _timeout(timeout)
    if seconds is None:
        seconds = _timeout(env.get(ENV_TIMEOUT)) or DEFAULT_TIMEOUT
    return LLMConfig(base_url=url.rstrip("/"), model=(model or env.get(ENV_MODEL) or DEFAULT_MODEL).strip(), timeout=seconds)


def api_key(environ=None) -> str:
    env = os.environ if environ is None else environ
    return env.get(ENV_API_KEY) or NO_KEY
