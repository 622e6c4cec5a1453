"""Named groups: "三大先导产业是哪三个", "“五大任务”指的是哪五个方面", "六大优势产业包括哪些".

Reports name a group by a count and a noun ("三大先导产业") and give its members in one of three ways:
- an enumeration right before the name: "以集成电路、生物医药、人工智能三大先导产业为引领";
- an enumeration right after it: "三大工程：A、B、C" / "“三大工程”，即A、B、C" / "包括A、B和C";
- one clause per member right after it, each naming the group's head noun: "深入实施三大先导产业新一轮
  方案，优化集成电路产业空间布局，全链条加速生物医药产业创新发展，加快推进人工智能产业创新高地建设".
`members` reads them (as many as the count says) from a sentence; a sentence that only mentions the group
has none, and is no answer to the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import CN_NUMERAL, cn_number
from .tokenize import tag

_GROUP = re.compile(
    rf"(?<!第)(?P<open>[“\"])?(?P<count>{CN_NUMERAL}{{1,3}}|\d{{1,2}})(?P<measure>大|个|项|类|种|条|张|支|座)?(?P<noun>[\u4e00-\u9fff]{{1,8}}?)[”\"]?"
    r"(?=(?:具体|分别|都|各)?(?:是|指|为|包括|包含|有)?(?:的是)?(?:哪|什么|指的))"
)
_SPLIT = re.compile(r"[、，,；;]|以及|和|及|与")
_NOUNISH = ("n", "nz", "nr", "ns", "nt", "eng", "j", "l", "an", "b")
MAX_MEMBER = 12


@dataclass(frozen=True)
class NamedSet:
    text: str  # as the question writes it, without quotes: "三大先导产业"
    count: int
    head: str  # the noun the members share: "产业", "任务"


def asked_set(question: str) -> NamedSet | None:
    m = _GROUP.search(question)
    if not m:
        return None
    raw = m.group("count")
    count = int(raw) if raw.isdigit() else cn_number(raw)
    noun = m.group("noun")
    if re.match(CN_NUMERAL, noun) or re.search(r"十[一二三四五]五", m.group(0)):
        return None  # "十四五规划" is a plan, not a group of fourteen
    if not count or count < 2 or count > 12 or not (m.group("measure") or m.group("open")):
        return None  # a group is named with a measure ("三大…", "五个…") or in quotes
    text = raw + (m.group("measure") or "") + noun
    return NamedSet(text, int(count), noun[-2:] if len(noun) >= 2 else noun)


def _items(text: str) -> list[str]:
    return [i.strip(' “”"：:。') for i in _SPLIT.split(text) if 1 < len(i.strip(' “”"：:。')) <= MAX_MEMBER * 2]


def _clause_member(clause: str, head: str) -> str:
    """The words right before the head noun, as long as they are nouns: "优化集成电路产业空间布局" → 集成电路."""
    i = clause.find(head)
    if i <= 0:
        return ""
    words = tag(clause[:i])
    out: list[str] = []
    for w, flag in reversed(words):
        if flag[:2] in _NOUNISH or flag in _NOUNISH:
            out.insert(0, w)
        else:
            break
    member = "".join(out)
    return member if 2 <= len(member) <= MAX_MEMBER else ""


def members(group: NamedSet, sentence: str) -> list[str]:
    """The group's members as the sentence gives them ([] when it only mentions the group)."""
    plain = sentence.replace("“", "").replace("”", "").replace('"', "")
    at = plain.find(group.text)
    if at < 0:
        return []
    before = re.split(r"[，,；;。：:]", plain[:at])[-1]
    for lead in ("以", "围绕", "聚焦", "推动", "做强", "发展", "实施", "打造"):
        if before.startswith(lead):
            before = before[len(lead) :]
    items = _items(before)
    if len(items) >= group.count:
        return items[-group.count :]
    after = plain[at + len(group.text) :]
    m = re.match(r"\s*(?:[：:]|[，,]?\s*(?:即|就是|分别是|包括|是))\s*(.+?)(?:[。；;]|$)", after)
    if m:
        items = _items(m.group(1))
        if len(items) >= group.count:
            return items[: group.count]
    clauses = [c for c in re.split(r"[，,；;。]", after) if c.strip()]
    found = [x for x in (_clause_member(c, group.head) for c in clauses[1 : group.count + 2]) if x]
    return found[: group.count] if len(found) >= group.count else []
