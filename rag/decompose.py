"""Compound questions become parts answered one by one, each part cited.

- "长者食堂2021年达到多少家？2023年的目标是什么？" -> two questions; a part
  that names no region inherits the region of the first part.
- "张店区2021年和2022年到位省外资金分别是多少？" -> one question per year
  (likewise two regions joined by 和/与/及), when the question asks for each
  ("分别", "各", or a comparison such as "哪个…更高").

Bridge questions name a place by a description ("…与临淄区一同跻身百强区的那个区，
2022年地区生产总值是多少？"): `bridge_question` splits them into the question that
identifies the place ("…的是哪个区？") and the rest, which `fill_bridge` completes
with the place once it is found (rag.chain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INTERROGATIVE = re.compile(r"多少|几|什么|哪|谁|何|吗|怎么|如何|是否|有没有")
_YEAR_PAIR = re.compile(r"((?:19|20)\d{2}年)(?:和|与|及|、)((?:19|20)\d{2}年)")
_TIME = r"(?:19|20)\d{2}年|今年|去年|明年"
_EACH = re.compile(r"分别|各自|各是|哪个|哪一个|较高|较低|更高|更低|相比|比较")
MAX_PARTS = 4


def _region_pair(text: str, regions: list[str]) -> re.Match | None:
    names = "|".join(re.escape(r) for r in sorted(regions, key=len, reverse=True))
    if not names:
        return None
    return re.search(rf"({names})((?:19|20)\d{{2}}年)?(?:和|与|及|、)({names})((?:19|20)\d{{2}}年)?", text)


def _subject(first: str) -> str:
    """What the first part is about: its text before the first year or question word."""
    m = re.search(_TIME + "|" + _INTERROGATIVE.pattern, first)
    return first[: m.start()] if m else ""


def _parts(text: str) -> list[str]:
    parts = [p.strip(" ，,；;") for p in re.split(r"[？?]", text) if p.strip(" ，,；;")]
    parts = [p for p in parts if _INTERROGATIVE.search(p)]
    if len(parts) >= 2:
        return parts
    clauses = [c.strip() for c in re.split(r"[，,；;]", text.rstrip("？?")) if c.strip()]
    asking = [c for c in clauses if _INTERROGATIVE.search(c) and re.search(_TIME, c)]
    return asking if len(asking) >= 2 and len(asking) == len(clauses) else []


def split_question(text: str, regions: list[str] = ()) -> list[str]:
    """Return the parts of a compound question, or [text] when it is simple."""
    parts = _parts(text)
    if parts:
        subject = _subject(parts[0])
        out = [parts[0] + "？"]
        for p in parts[1:]:
            if subject and not any(r in p or r[:-1] in p for r in regions) and _subject(p) in ("", "又"):
                p = subject + p
            out.append(p + "？")
        return out[:MAX_PARTS]
    if not _EACH.search(text):
        return [text]
    m = _YEAR_PAIR.search(text)
    if m:
        return [text[: m.start()] + y + text[m.end() :] for y in (m.group(1), m.group(2))]
    m = _region_pair(text, list(regions))
    if m:
        firsts = (m.group(1) + (m.group(2) or ""), m.group(3) + (m.group(4) or ""))
        return [text[: m.start()] + f + text[m.end() :] for f in firsts]
    return _phrase_pair(text, list(regions)) or [text]


def _phrase_pair(text: str, regions: list[str]) -> list[str]:
    """Split "临淄区2020年技改投资增速和张店区2023年技改投资增长目标分别是多少？" -> one question
    per phrase: two phrases, each opening with a region or a time, joined before 分别."""
    m = re.search(r"分别|各自|各是", text)
    if not m:
        return []
    head, rest = text[: m.start()], text[m.end() :]
    opener = "|".join([re.escape(r) for r in sorted(regions, key=len, reverse=True)] + [_TIME])
    for j in re.finditer(r"和|与|及", head):
        left, right = head[: j.start()], head[j.end() :]
        if re.match(rf"(?:{opener})", right) and re.match(rf"(?:{opener})", left) and len(right) >= 4:
            return [left + rest, right + rest]
    return []


# "<description>的那个区，<rest>": a place described instead of named (general question form).
_BRIDGE = re.compile(r"^(?P<clause>.{4,}?)的那个(?P<kind>区|县|市|镇|街道)[，,]\s*(?P<rest>.+)$")


@dataclass(frozen=True)
class Bridge:
    ask: str  # the question that identifies the place
    kind: str  # 区 / 县 / 市 …: what the place must be
    rest: str  # the question about the place, without its name

    def fill(self, place: str) -> str:
        """The rest as a standalone question about `place` ("在其…" -> "临淄区在…")."""
        rest = re.sub(r"^(在)?其", lambda m: m.group(1) or "", self.rest)
        return place + rest


def bridge_question(text: str) -> Bridge | None:
    m = _BRIDGE.match(text.strip())
    if not m or not _INTERROGATIVE.search(m.group("rest")):
        return None
    return Bridge(f"{m.group('clause')}的是哪个{m.group('kind')}？", m.group("kind"), m.group("rest"))
