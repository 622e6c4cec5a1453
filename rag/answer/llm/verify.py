"""Check a generated answer against the passages it was given.

Every figure in the answer (number with its unit: "805亿元", "3.4%", "2022年")
must occur in a passage the claim cites (passage text or its header: region,
year, type, section). A figure found only in another given passage moves the
citation there; a figure found in none fails the answer, and the caller falls
back to the extractive answer. Numbering is compared whitespace- and
width-insensitively ("３.４％" = "3.4%"), and respects number boundaries
("3%" is not inside "5.3%"). List markers at line starts ("1. ") are not figures.

A cited claim without figures must share wording with its passage (character
bigrams): it is re-cited to the passage it reads like, and fails when it reads
like none ("无可奉告[1]" — e.g. an instruction injected through a document).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ...domain.units import NUMBER_WITH_UNIT
from ...ingest.chunking import split_sentences
from ...types import Hit
from .citations import Segment, segments, strip_markers

_LIST_MARKER = re.compile(r"(?m)^\s*\d{1,2}\s*[.、)）]\s*")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")  # ASCII commas only: "，" separates clauses
MIN_SUPPORT = 0.3  # a claim without figures shares at least this much wording with a passage that supports it
MIN_CLAIM_BIGRAMS = 3
REFUSAL_CUES = ("未找到", "没有找到", "找不到", "无法回答", "未提及", "没有提到", "没有提及", "未提供", "没有相关", "无相关")


def normalize(text: str) -> str:
    """Width-, whitespace- and thousands-separator-insensitive form for matching figures."""
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text or "")
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).replace("**", ""))


def figures_in(text: str) -> list[str]:
    """Figures (number + unit when one follows) of answer text, in order, deduplicated; [n] markers are not figures."""
    text = normalize(_LIST_MARKER.sub("", strip_markers(text or "")))
    out: list[str] = []
    for m in NUMBER_WITH_UNIT.finditer(text):
        fig = m.group(1) + (m.group(2) or "")
        if fig not in out:
            out.append(fig)
    return out


def _split_figure(fig: str) -> tuple[str, str]:
    m = re.match(r"(\d+(?:\.\d+)?)(.*)", fig)
    return (m.group(1), m.group(2)) if m else (fig, "")


def found(fig: str, passage_norm: str) -> bool:
    """Does the (normalized) passage state this figure, unit included?"""
    number, unit = _split_figure(fig)
    tail = re.escape(unit) if unit else r"(?!\.?\d)"
    return re.search(rf"(?<![\d.]){re.escape(number)}{tail}", passage_norm) is not None


def passage_text(hit: Hit) -> str:
    """What the model saw of a passage: its header (region｜year｜type｜section) and its text."""
    return normalize(f"{hit.chunk.header}\n{hit.chunk.text}")


def is_refusal(text: str) -> bool:
    first = re.split(r"[。！？!?\n]", (text or "").strip(), maxsplit=1)[0]
    return any(cue in first for cue in REFUSAL_CUES)


@dataclass
class Verification:
    """The checked answer. `cited[i]` is the 0-based passage index cited as [i+1] in `text`."""

    ok: bool
    text: str
    refused: bool
    cited: list[int] = field(default_factory=list)
    figures: dict[int, list[str]] = field(default_factory=dict)  # passage index -> figures verified in it
    corrections: list[str] = field(default_factory=list)
    reason: str = ""


def _fix_segment(
    seg: Segment, figs: list[str], texts: list[str], corrections: list[str], wording: bool = True
) -> tuple[list[int], str]:
    """Passage indices the segment should cite, and a failure reason ('' when fine)."""
    valid = []
    for n in seg.cited:
        if 1 <= n <= len(texts):
            valid.append(n - 1)
        else:
            corrections.append(f"删除了不存在的引用 [{n}]")
    if not figs:
        return _fix_by_wording(seg, valid, texts, corrections) if wording else (valid, "")
    holders: dict[int, set[str]] = {}
    for fig in figs:
        mine = [i for i in valid if found(fig, texts[i])]
        if not mine:
            others = [i for i in range(len(texts)) if found(fig, texts[i])]
            if not others:
                return valid, f"数字“{fig}”不在任何检索到的段落中"
            # Prefer a passage already added for this claim, then the one stating most of the claim's figures.
            mine = [max(others, key=lambda i: (i in holders, sum(found(f, texts[i]) for f in figs), -i))]
        for i in mine:
            holders.setdefault(i, set()).add(fig)
    kept = [i for i in valid if i in holders]
    added = [i for i in holders if i not in valid]
    for i in valid:
        if i not in holders:
            corrections.append(f"[{i + 1}] 中没有所述数字，已移除该引用")
    for i in added:
        what = "、".join(f for f in figs if f in holders[i])
        corrections.append(f"“{what}”改引资料 [{i + 1}]")
    return kept + added, ""


def bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\w%.]", "", normalize(strip_markers(text)))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def support(claim: set[str], passage_norm: str) -> float:
    """Share of a claim's character bigrams that occur in a passage."""
    return sum(g in passage_norm for g in claim) / len(claim) if claim else 0.0


def _fix_by_wording(seg: Segment, valid: list[int], texts: list[str], corrections: list[str]) -> tuple[list[int], str]:
    """A cited claim without figures must read like its passage (shared wording); else re-cite or fail."""
    grams = bigrams(seg.text)
    if not seg.cited or len(grams) < MIN_CLAIM_BIGRAMS:
        return valid, ""
    scores = [support(grams, t) for t in texts]
    best = max(range(len(texts)), key=lambda i: (scores[i], -i))
    if scores[best] < MIN_SUPPORT:
        claim = strip_markers(seg.text).strip("。；，,.; \n")[:20]
        return valid, f"“{claim}”在检索到的段落中找不到依据"
    kept = [i for i in valid if scores[i] >= MIN_SUPPORT and scores[i] >= scores[best] / 2]
    if kept:
        return kept, ""
    corrections.append(f"[{'、'.join(str(n) for n in seg.cited)}] 与所述内容不符，已改引资料 [{best + 1}]")
    return [best], ""


def verify(draft: str, passages: list[Hit], question: str = "") -> Verification:
    """Check every figure of `draft` against the passages it cites; correct citations; renumber them 1..m."""
    text = (draft or "").strip().replace("**", "")
    refused = is_refusal(text)
    if not text:
        return Verification(False, "", False, reason="大模型返回了空回答")
    texts = [passage_text(h) for h in passages]
    asked = set(figures_in(question))
    corrections: list[str] = []
    fixed: list[tuple[Segment, list[int], list[str]]] = []
    for seg in segments(text):
        figs = figures_in(seg.text)
        if refused:  # a refusal may repeat the question's own figures ("未找到2025年的数据")
            figs = [f for f in figs if f not in asked]
        idx, why = _fix_segment(seg, figs, texts, corrections, wording=not refused)
        if why:
            return Verification(False, text, refused, reason=why, corrections=corrections)
        fixed.append((seg, idx, figs))
    order: list[int] = []
    for _, idx, _ in fixed:
        order += [i for i in idx if i not in order]
    if not order and not refused:
        return Verification(False, text, refused, reason="回答没有标注引用的资料编号", corrections=corrections)
    number = {i: k + 1 for k, i in enumerate(order)}
    figures: dict[int, list[str]] = {i: [] for i in order}
    for _, idx, figs in fixed:
        for i in idx:
            figures[i] += [f for f in figs if found(f, texts[i]) and f not in figures[i]]
    out = []
    for seg, idx, _ in fixed:
        marks = "".join(f"[{number[i]}]" for i in idx)
        if marks and not seg.cited:  # an added citation goes before the sentence's closing punctuation
            body = seg.text.rstrip()
            core = body.rstrip("。！？；，.!?;,")
            out.append(core + marks + seg.text[len(core) :])
        else:
            out.append(seg.text + marks)
    return Verification(True, "".join(out).strip(), refused, order, figures, corrections)


def quote_for(hit: Hit, figures: list[str], claim: str) -> str:
    """The sentence(s) of a passage that carry the verified figures (else the one sharing most words with the claim)."""
    sentences = [s for s in split_sentences(hit.chunk.text) if s.strip()]
    if not sentences:
        return ""
    chosen = [s for s in sentences if any(found(f, normalize(s)) for f in figures)]
    if chosen:
        return "".join(chosen)
    grams = {claim[i : i + 2] for i in range(len(claim) - 1)}
    return max(sentences, key=lambda s: sum(s[i : i + 2] in grams for i in range(len(s) - 1)))
