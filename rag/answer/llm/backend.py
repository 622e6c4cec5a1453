"""The chat model: `ChatOpenAI` pointed at any OpenAI-compatible endpoint, and
the Chinese reason shown when the endpoint fails (dead, slow, wrong key/model)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pydantic import SecretStr

from .config import LLMConfig, api_key


@lru_cache(maxsize=8)
def _cached(config: LLMConfig, key_digest: str):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        api_key=SecretStr(api_key()),
        timeout=config.timeout,
        max_retries=0,  # a dead endpoint must fail fast: the extractive answer is the fallback
        temperature=config.temperature,
        max_tokens=config.max_tokens,
    )


def chat_model(config: LLMConfig):
    """A `ChatOpenAI` for the config (cached; the key comes from RAG_LLM_API_KEY only)."""
    # Cached per config and key (by digest: a changed RAG_LLM_API_KEY builds a new client).
    return _cached(config, hashlib.sha256(api_key().encode()).hexdigest())


def describe_error(exc: BaseException, config: LLMConfig | None) -> str:
    """What went wrong with the endpoint, in Chinese, without secrets."""
    import openai

    where = config.base_url if config else "大模型服务"
    timeout = f"{config.timeout:g}" if config else "?"
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        return f"大模型服务响应超时（超过 {timeout} 秒：{where}）"
    if isinstance(exc, openai.APIConnectionError | ConnectionError):
        return f"无法连接大模型服务（{where}）"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return "大模型服务拒绝了访问：请检查环境变量 RAG_LLM_API_KEY"
    if isinstance(exc, openai.NotFoundError):
        model = config.model if config else "?"
        return f"大模型服务找不到模型或接口（模型“{model}”，地址 {where}）：请检查 --llm-model 与 --llm-base-url"
    if isinstance(exc, openai.APIStatusError):
        return f"大模型服务返回错误（HTTP {exc.status_code}）"
    return f"大模型调用失败（{type(exc).__name__}）"
