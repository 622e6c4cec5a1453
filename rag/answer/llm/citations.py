"""Citation markers in generated text.

Models write `[1]`, `【1】`, `［1］`, `[资料1]`, `[1, 2]` or `[1][2]`. `segments`
cuts an answer into claims, each with the passage numbers that follow it;
`render` writes the claims back with plain `[n]` markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OPEN = r"[\[【［]"
_CLOSE = r"[\]】］]"
_ONE = rf"{_OPEN}\s*(?:资料|来源|段落|编号)?\s*(\d{{1,2}}(?:\s*[,，、]\s*(?:资料)?\s*\d{{1,2}})*)\s*{_CLOSE}"
MARKER = re.compile(_ONE)
GROUP = re.compile(rf"(?:{_ONE}\s*)+")
_NUM = re.compile(r"\d+")


@dataclass
class Segment:
    """A piece of the answer and the passage numbers cited right after it (1-based, as the model wrote them)."""

    text: str
    cited: list[int] = field(default_factory=list)


def numbers_of(group: str) -> list[int]:
    out: list[int] = []
    for m in MARKER.finditer(group):
        for n in _NUM.findall(m.group(1)):
            if int(n) not in out:
                out.append(int(n))
    return out


def segments(text: str) -> list[Segment]:
    """Split at each citation group: the text before a group is the claim it supports.
    Trailing text without a group is the last segment, with no citations."""
    out: list[Segment] = []
    pos = 0
    for m in GROUP.finditer(text):
        group_text = m.group(0)
        trailing_ws = group_text[len(group_text.rstrip()) :]
        out.append(Segment(text[pos : m.start()], numbers_of(group_text)))
        pos = m.end() - len(trailing_ws)
    if pos < len(text) or not out:
        out.append(Segment(text[pos:], []))
    return out


def strip_markers(text: str) -> str:
    return GROUP.sub("", text)


def render(parts: list[Segment]) -> str:
    """Claims with their citations as `[n][m]` (numbers as given)."""
    return "".join(seg.text + "".join(f"[{n}]" for n in seg.cited) for seg in parts)
