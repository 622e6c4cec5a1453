"""Conversation follow-ups: rewrite "那临淄区呢？" into a standalone question.

A follow-up changes some slots of the previous (already standalone) question
and keeps the rest. Two general shapes:

- slot-only follow-ups carry no topic words of their own ("那临淄区呢？",
  "去年呢？", "那2023年的目标呢？", "和上一年比呢？"): the previous question is
  edited in place — its region replaced, its year replaced (relative years such
  as 上一年 are counted from the previous question's year), a comparison turns
  one year into two ("2022年和2021年…分别是多少"), 目标/实际 switches the kind;
- topic follow-ups bring their own indicator ("一般公共预算收入呢？",
  "具体有哪些项目？"): their text is kept and the region and year they do not
  name are carried over from the previous question; "X呢？" borrows the
  previous question's ending ("是多少？").

A question that names its own slots, or that does not look like a follow-up,
is returned unchanged. Rules use general Chinese question vocabulary only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.periods import CURRENT_YEAR_WORDS, RELATIVE_YEARS, YEAR_LOOSE
from ..domain.places import Gazetteer, region_aliases
from ..domain.vocabulary import ACTUAL_WORDS, CHANGE_WORDS, TARGET_WORDS
from .model import Question
from .reading import analyse

# Words that open a follow-up ("那…呢", "还有…", "具体…").
_LEADING_CUE = re.compile(r"^(?:那么|那个|那|还有|另外|再看看|再问一下|其中|具体)")
_OPENER = re.compile(r"^(?:那么|那个|那|还有|另外|再看看|再问一下)")  # dropped when the text is kept
_TRAILING_CUE = re.compile(r"(?:的情况|情况)?(?:呢|怎么样|如何)[？?。!！]*$")
# Relative years in a follow-up are counted from the previous question's year (`rag.domain.periods`).
# "今年" names the current year, not an offset from the previous question's.
RELATIVE = {w: off for w, off in RELATIVE_YEARS.items() if w not in CURRENT_YEAR_WORDS}
_RELATIVE_RE = re.compile("|".join(sorted(RELATIVE, key=len, reverse=True)))
_COMPARE = re.compile(r"比|相比|对比|比较|增减|变化")
# Where the asking part of a question starts ("是多少？", "有哪些？", "多少？").
_ASK_TAIL = re.compile(r"(?:是|为|有|达到|完成了?|实现了?|增长了?)?(?:多少|几|哪些|哪几|什么|怎样|怎么样|如何|吗|是否)[^，,。]*$")
# Tokens that belong to the follow-up form, not to its topic.
FORM_WORDS = frozenset(
    {"比", "相比", "对比", "比较", "一年", "情况", "的话", "怎么样", "如何", "变化", "增减", "同比"} | set(RELATIVE)
)
# Questions about the whole place ("全市…") must not inherit a district.
_WHOLE_PLACE = re.compile(r"全[国省市区县]")


@dataclass(frozen=True)
class Rewrite:
    """A question as asked and as understood (the standalone form)."""

    original: str
    text: str

    @property
    def changed(self) -> bool:
        return self.text != self.original


def _strip_cue(message: str) -> str:
    return _OPENER.sub("", message).lstrip("，, ")


def _topic_terms(q: Question) -> list[str]:
    """The question's own topic words (slot, kind and form words removed: "那2023年的目标呢？" has none)."""
    places = [a for r in q.regions for a in region_aliases(r)] + q.other_places
    kinds = set(TARGET_WORDS) | set(ACTUAL_WORDS) | CHANGE_WORDS
    return [
        t
        for t in q.terms
        if t not in FORM_WORDS
        and t not in kinds
        and not any(t in p for p in places)
        and not YEAR_LOOSE.fullmatch(t)
        and not t.isdigit()
    ]


def _places(q: Question) -> list[str]:
    return q.regions + [p for p in q.other_places if not _WHOLE_PLACE.fullmatch(p)]


def _place_group(text: str, q: Question) -> re.Match | None:
    """The span naming the previous question's place(s), e.g. "张店区" or "张店区和临淄区"."""
    names = [a for r in q.regions for a in region_aliases(r)] + q.other_places
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.search(rf"(?:{alt})(?:(?:和|与|及|、)(?:{alt}))*", text)


def _year_span(text: str, year: int) -> re.Match | None:
    return re.search(rf"{year}\s*年?", text)


def _period_span(text: str, q: Question) -> re.Match | None:
    """A five-year-plan mention ("“十三五”期间"), replaced when a single year is asked instead."""
    names = [p for p in q.periods if p != "past-five-years"]
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in names)
    return re.search(rf"[“\"]?(?:{alt})[”\"]?(?:期间|时期|以来)?", text)


def _resolve_relative(message: str, prev: Question) -> int | None:
    m = _RELATIVE_RE.search(message)
    if not m or len(prev.years) != 1:
        return None
    return prev.years[0] + RELATIVE[m.group(0)]


def _insert_before_tail(text: str, word: str) -> str:
    body = text.rstrip("？?")
    m = _ASK_TAIL.search(body)
    end = text[len(body) :] or "？"
    if not m:
        return body + word + end
    return body[: m.start()] + word + body[m.start() :] + end


def _switch_kind(text: str, kind: str) -> str:
    """Turn the question into a target ("目标") or an actual ("实际") one."""
    if kind not in ("target", "actual"):
        return text
    keep, drop, word = (TARGET_WORDS, ACTUAL_WORDS, "目标") if kind == "target" else (ACTUAL_WORDS, TARGET_WORDS, "实际")
    if any(w in text for w in keep):
        return text
    for w in sorted(drop, key=len, reverse=True):
        text = text.replace(w, "")
    return _insert_before_tail(text, word)


def _set_place(text: str, prev: Question, places: list[str]) -> str:
    new = "和".join(places)
    m = _place_group(text, prev)
    if m:
        return text[: m.start()] + new + text[m.end() :]
    return new + text


def _set_year(text: str, prev: Question, year: int, compare: bool) -> str:
    old = prev.years[0] if prev.years else None
    m = _year_span(text, old) if old is not None else _period_span(text, prev)
    if m is None:
        place = _place_group(text, prev)
        at = place.end() if place else 0
        return text[:at] + f"{year}年" + text[at:]
    if compare and old is not None and old != year:
        text = text[: m.start()] + f"{old}年和{year}年" + text[m.end() :]
        return text if "分别" in text else _insert_before_tail(text, "分别")
    return text[: m.start()] + f"{year}年" + text[m.end() :]


def _edit_previous(message: str, cur: Question, previous: str, prev: Question) -> str:
    """Slot-only follow-up: change the previous question's slots."""
    text = previous
    places = _places(cur)
    if places:
        text = _set_place(text, prev, places)
    year = cur.years[0] if cur.years else _resolve_relative(message, prev)
    if year is not None:
        text = _set_year(text, prev, year, bool(_COMPARE.search(message)))
    if cur.kind and cur.kind != prev.kind:
        text = _switch_kind(text, cur.kind)
    return text


def _carry_slots(message: str, cur: Question, previous: str, prev: Question) -> str:
    """Topic follow-up: keep the new question, add the place and year it does not name."""
    body = _strip_cue(message)
    if _TRAILING_CUE.search(body):
        stem = _TRAILING_CUE.sub("", body)
        tail = _ASK_TAIL.search(previous.rstrip("？?"))
        body = stem + (tail.group(0) if tail else "") + "？"
    prefix = ""
    if not _places(cur) and not _WHOLE_PLACE.search(body):
        m = _place_group(previous, prev)
        prefix += m.group(0) if m else ""
    if not cur.years and not cur.periods:
        year = _resolve_relative(body, prev)
        if year is not None:
            body = _RELATIVE_RE.sub(f"{year}年", body, count=1)
        elif not cur.relative and len(prev.years) == 1:
            prefix += f"{prev.years[0]}年"
    return prefix + body


def _is_followup(message: str, cur: Question, topic: list[str]) -> bool:
    if _LEADING_CUE.match(message) or _TRAILING_CUE.search(message):
        return True
    if _COMPARE.search(message) and not topic:
        return True
    # A short indicator question naming no place or time ("一般公共预算收入是多少？").
    no_slots = not (cur.regions or cur.other_places or cur.years or cur.relative or cur.periods)
    return no_slots and len(message) <= 20 and cur.asked in ("number", "list") and not _WHOLE_PLACE.search(message)


def rewrite(
    message: str,
    previous: str | None,
    places: Gazetteer | list[str] | tuple[str, ...] = (),
    slots: Callable[[str], Question] | None = None,
) -> Rewrite:
    """Rewrite a follow-up into a standalone question using the previous (standalone) question. `places`:
    the knowledge base's place model (or its regions' names); `slots`: how a text is parsed (the reader's
    memo, which holds the previous question's parse)."""
    message = message.strip()
    if not previous or not message:
        return Rewrite(message, message)
    slots = slots or (lambda text: analyse(text, places))
    cur = slots(_strip_cue(message))
    topic = _topic_terms(cur)
    if not _is_followup(message, cur, topic):
        return Rewrite(message, message)
    prev = slots(previous)
    if topic:
        text = _carry_slots(message, cur, previous, prev)
    else:
        text = _edit_previous(message, cur, previous, prev)
    if text in (previous, _strip_cue(message)) and not _places(cur) and not cur.years:
        # Nothing could be carried over (e.g. "和上一年比呢" after a question without a year).
        return Rewrite(message, message)
    return Rewrite(message, text)
