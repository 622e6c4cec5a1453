"""Numbered headings as reports write them: "一、" (a part) and "（一）" (a section within it)."""

from __future__ import annotations

import re

from .numbers import CN_COUNT

PART = re.compile(rf"^{CN_COUNT}+、")  # "一、2023年工作回顾"
SECTION = re.compile(rf"^[（(]{CN_COUNT}+[）)]")  # "（一）持续扩大有效需求"
NUMBERED = re.compile(rf"{PART.pattern}|{SECTION.pattern}")  # either, at the start of a line
