"""Optional LLM answer mode over OpenAI-compatible endpoints (vLLM, Ollama,
llama.cpp, hosted Qwen/DeepSeek): prompts from `prompts/*.txt`, an LCEL chain,
and verification of every figure against the cited passages, with the
extractive answer as the fallback."""

from .answerer import LLMAnswerer
from .backend import chat_model, describe_error
from .config import LLMConfig, LLMError, config_from
from .verify import verify

__all__ = ["LLMAnswerer", "LLMConfig", "LLMError", "chat_model", "config_from", "describe_error", "verify"]
