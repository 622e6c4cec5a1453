"""How a report speaks of itself: the congress and meeting it is delivered to, the address that opens it, who
delivers it (the office before the name). Read by the title block, the metadata and the chunker."""

from __future__ import annotations

import re

from .numbers import CN_COUNT

CONGRESS = re.compile(rf"第{CN_COUNT}+届\s*(全国)?\s*人民代表大会")  # "第十四届全国人民代表大会"
# "甘肃省第十四届人民代表大会第四次会议", "第十四届全国人民代表大会第二次会议"
MEETING = re.compile(rf"((?:[\u4e00-\u9fff]{{2,12}}?(?=第))?第{CN_COUNT}+届\s*(?:全国)?\s*人民代表大会\s*第{CN_COUNT}+次\s*会议)")
ADDRESS = re.compile(r"^\s*各位代表")  # the speech opens here: what comes before is its title block
OFFICES = "省长|市长|区长|县长|州长|盟长|旗长|主席"  # the head of a government, as the title block names it

_SPACES = "[ \t\u3000\xa0\u2002\u2003]"
# a space before a character that stands alone: "市长 马 军" → "市长马军", "政 府 工 作 报 告" → "政府工作报告"
_LETTER_SPACE = re.compile(rf"(?<=[\u4e00-\u9fff]){_SPACES}+(?=[\u4e00-\u9fff](?:{_SPACES}|$))")


def despace(line: str) -> str:
    """Undo the letter-spacing of a title block (names and titles spaced out for layout)."""
    return _LETTER_SPACE.sub("", line)
