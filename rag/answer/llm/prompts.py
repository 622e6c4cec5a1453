"""Prompt files (`prompts/*.txt`) -> LangChain `ChatPromptTemplate`s, and the
passages formatted as quoted, numbered data for the answer prompt.

A prompt file has a `### system` section and a `### human` section. The folder
is `prompts/` at the project root, or `$RAG_PROMPTS_DIR`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from ...types import Hit
from .config import LLMError

PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts"
_SECTION = re.compile(r"^###\s*(system|human)\s*$", re.M)
ANSWER_VARIABLES = {"passages", "question"}
CONDENSE_VARIABLES = {"history", "question"}


def prompts_dir() -> Path:
    return Path(os.environ.get("RAG_PROMPTS_DIR") or PROMPTS_DIR)


def parse_prompt(text: str, source: str = "prompt") -> list[tuple[str, str]]:
    """The (role, template) messages of a prompt file."""
    marks = list(_SECTION.finditer(text))
    if not marks:
        raise LLMError(f"提示词文件 {source} 缺少 “### system” 或 “### human” 段落标题。")
    messages = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end() : end].strip("\n")
        if body.strip():
            messages.append((m.group(1), body))
    return messages


def load_prompt(name: str, variables: set[str], folder: Path | None = None) -> ChatPromptTemplate:
    """Load `<folder>/<name>.txt`; its variables must be exactly `variables`."""
    path = (folder or prompts_dir()) / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise LLMError(f"无法读取提示词文件 {path}：{e.strerror}。请检查 prompts/ 目录或环境变量 RAG_PROMPTS_DIR。") from e
    try:
        template = ChatPromptTemplate.from_messages(parse_prompt(text, str(path)))
    except (ValueError, KeyError) as e:
        raise LLMError(f"提示词文件 {path} 格式有误（{e}）：字面的花括号请写成 {{{{ 或 }}}}。") from e
    found = set(template.input_variables)
    if found != variables:
        raise LLMError(f"提示词文件 {path} 的变量应为 {sorted(variables)}，实际为 {sorted(found)}。")
    return template


def answer_prompt(folder: Path | None = None) -> ChatPromptTemplate:
    return load_prompt("answer", ANSWER_VARIABLES, folder)


def condense_prompt(folder: Path | None = None) -> ChatPromptTemplate:
    return load_prompt("condense", CONDENSE_VARIABLES, folder)


def quote_data(text: str) -> str:
    """Passage text as inert data: it cannot open or close a <资料> tag."""
    return text.replace("<", "＜").replace(">", "＞")


def source_label(hit: Hit) -> str:
    """Where a passage comes from (region｜year｜type｜section), as the index header says."""
    return quote_data(hit.chunk.header.replace("\n", " ").replace('"', "＂"))


def format_passages(hits: list[Hit]) -> str:
    """Numbered passages for the answer prompt: <资料 编号="n" 出处="…">text</资料>."""
    blocks = []
    for n, hit in enumerate(hits, 1):
        body = quote_data(hit.chunk.text.strip())
        blocks.append(f'<资料 编号="{n}" 出处="{source_label(hit)}">\n{body}\n</资料>')
    return "\n".join(blocks)
