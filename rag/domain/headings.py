"""Numbered headings as reports write them: "一、" (a part) and "（一）" (a section within it)."""

from __future__ import annotations

import re

from .numbers import CN_COUNT

PART = re.compile(rf"^{CN_COUNT}+、")  # "一、2023年工作回顾"
SECTION = re.compile(rf"^[（(]{CN_COUNT}+[）)]")  # "（一）持续扩大有效需求"
NUMBERED = re.compile(rf"{PART.pattern}|{SECTION.pattern}")  # either, at the start of a line

# Notes a report carries after its closing words: a glossary heading ("名词解释", "注释") and numbered notes
# that explain a term ("［1］三个立法权：…", "26.治安“三张图”：…", "〔3〕…："). Read by the chunker, which puts
# them in a section of their own; they are the report's explanations, never its figures.
NOTES_HEADING = re.compile(r"^(?:附[:：]?\s*)?(?:名词解释|名词注释|注释|注解|附注|释义)[:：]?$")
NOTE_ITEM = re.compile(r"^(?:[［\[〔【(（]\d{1,3}[］\]〕】)）]|\d{1,3}[.．、])\s*[^，。；：:]{1,30}[：:]")
