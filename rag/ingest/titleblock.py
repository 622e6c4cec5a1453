"""A report's title block: the lines before "各位代表", or the first line when a text runs title, date
and speaker together ("政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上国务院总理 李强").

Read from it: the title, the delivery date, the meeting, and the speaker with their office. General
patterns of Chinese work reports (offices: 国务院总理, 省长, 市长, 区长, 县长, 自治区主席, with 代/代理).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.periods import FULL_DATE
from ..domain.reports import ADDRESS, MEETING, OFFICES, despace
from ..domain.tokenize import tag

MAX_LINES = 12
_DATE = FULL_DATE
_ROLE = rf"(?:国务院总理|总理|(?:人民政府)?(?:代理|代)?(?:{OFFICES}))"
_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,9}?"
# "省长 王予波", "国务院总理 李强", "主席王莉霞在", "区长　苏振华"; or "龚正市长在", "日海南省省长 刘小明在"
_ROLE_NAME = re.compile(rf"(?P<role>{_ROLE})[\s\u2002\u3000]*(?P<name>{_NAME})(?=同志|作|在|[\s\u2002\u3000；;。，,）)]|$)")
_NAME_ROLE = re.compile(r"(?:^|[日\s\u2002\u3000])(?P<name>[\u4e00-\u9fff]{2,3})(?P<role>(?:代理|代)?(?:省长|市长|区长|县长))在")
_NOT_NAMES = ("人民政府", "同志", "作政府", "政府工作")
_LONE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@dataclass(frozen=True)
class TitleBlock:
    title: str = ""
    date: str = ""  # ISO date of delivery: "2025-01-15"
    meeting: str = ""
    speaker: str = ""
    speaker_title: str = ""


def header_lines(text: str) -> list[str]:
    """The non-empty lines before "各位代表" (at most 12): title, source, date and meeting, speaker."""
    lines = []
    for ln in text.splitlines():
        if not ln.strip():
            continue
        if ADDRESS.match(ln) or len(lines) >= MAX_LINES:
            break
        lines.append(ln.strip())
    return lines


def _speaker(head: str) -> tuple[str, str]:
    for m in _ROLE_NAME.finditer(head):
        name = m.group("name").strip()
        if not any(w in name for w in _NOT_NAMES):
            return name, m.group("role").replace("人民政府", "")
    m = _NAME_ROLE.search(head)
    if m:
        return m.group("name"), m.group("role")
    last = head.rsplit("\n", 1)[-1]  # a name alone on the line before the address ("毛伟明")
    if _LONE_NAME.match(last) and any(flag == "nr" for _, flag in tag(last)):
        return last, ""
    return "", ""


def read_title_block(text: str) -> TitleBlock:
    # a text that runs its title block into the address: the block ends where "各位代表" begins
    lines = [despace(ln.split("各位代表")[0]) for ln in header_lines(text)]
    if not lines:
        return TitleBlock()
    head = "\n".join(lines)
    title = re.split(r"[—\-]{2,}", lines[0])[0].strip().lstrip("#").strip()
    if _DATE.search(title) and not title.startswith(("20", "19")):
        title = ""
    date = ""
    m = _DATE.search(head)
    if m:
        date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    meeting = ""
    m = MEETING.search(head.replace("\n", ""))
    if m:
        meeting = re.sub(r"^.*在", "", re.sub(r"\s+", "", m.group(1)))  # "日龚正市长在上海市第…" → "上海市第…"
    speaker, role = _speaker(head)
    return TitleBlock(title, date, meeting, speaker, role)
