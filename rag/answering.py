"""Step 7: the default extractive answer.

Pick the sentence(s) of the retrieved passages that carry what is asked,
quote them verbatim with [n] after each, and cite the passages. Nothing is
paraphrased, so every number in an answer is in its cited passage.

Refusal does not use similarity thresholds (GUIDE §1: answerable and
unanswerable questions score alike). It checks the asked slots instead:
- the sentence must cover the question's key terms (the indicator);
- a "多少" question needs a figure next to the indicator, not only its name;
- a named region or year must agree with the passage (its text, or the
  region/period its document and section report on).
When that fails the answer says so, and what the passages do say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .chunking import split_sentences
from .question import Question, region_aliases
from .retrieval import chunk_years
from .types import Answer, Citation, Hit

# A figure: digits (or Chinese numerals) with a unit/classifier, or a percentage.
UNITS = "亿元|万元|千元|元|亿美元|万美元|美元|万吨|吨|万千瓦|千瓦|万平方米|平方米|平方公里|公里|千米|米|亩|万亩|万人|人次|人|户|家|个|项|座|所|条|处|张|台|辆|套|件|次|倍|名|位|间|批|类|种|年|天|小时|分钟|岁|床"
_FIGURE = re.compile(rf"(?<![\d.])\d+(?:\.\d+)?\s*(?:%|‰|(?:{UNITS})|(?:亿|万)(?:{UNITS})?)|[一二三四五六七八九十百千万两]+(?:{UNITS})|\d+(?:\.\d+)?")
_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}\s*年")
_ENUM = re.compile(r"[、]")
_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}年")
TOP_PASSAGES = 6
MIN_COVERAGE = 0.45


class Answerer(Protocol):
    def answer(self, question: str, q: Question, hits: list[Hit]) -> Answer: ...


def figures(text: str) -> list[str]:
    """Figures in a text, years excluded ("2022年" is a date, not an amount)."""
    return [m.group(0) for m in _FIGURE.finditer(_YEAR_TOKEN.sub(" ", text)) if m.group(0).strip()]


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\W\d_]+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass
class Candidate:
    hit_rank: int
    hit: Hit
    sentence: str
    score: float
    coverage: float
    has_slot: bool


def _coverage(q: Question, sentence: str, context: str) -> float:
    """Share of the question's key terms found in the sentence (context counts half)."""
    terms = [t for t in dict.fromkeys(q.terms) if not t.isdigit()]
    if not terms:
        return 1.0
    total = got = 0.0
    for t in terms:
        weight = 1.0 if len(t) >= 2 else 0.3
        total += weight
        if t in sentence:
            got += weight
        elif t in context:
            got += weight * 0.5
    return got / total if total else 1.0


def _indicator_pos(q: Question, sentence: str) -> int:
    """Where the asked indicator sits: the end of the longest question term found."""
    best, pos = 0, -1
    for t in q.terms:
        i = sentence.find(t)
        if i >= 0 and len(t) > best:
            best, pos = len(t), i + len(t)
    return pos


def has_slot(q: Question, sentence: str) -> bool:
    """Does the sentence carry the kind of thing the question asks for?"""
    if q.asked == "number":
        pos = _indicator_pos(q, sentence)
        window = sentence[pos:] if pos >= 0 else sentence
        clauses = re.split(r"[，,；;。]", window)
        near = "，".join(clauses[:2]) if pos >= 0 else window
        return bool(figures(near))
    if q.asked == "list":
        return len(_ENUM.findall(sentence)) >= 1 or bool(figures(sentence))
    if q.asked == "date":
        return bool(_DATE.search(sentence))
    return True


def _agrees(q: Question, hit: Hit, sentence: str) -> tuple[bool, str]:
    """Region/year agreement between the question and a passage; reason if not."""
    chunk = hit.chunk
    if q.regions and chunk.meta.region not in q.regions:
        if not any(a in sentence for r in q.regions for a in region_aliases(r)):
            return False, f"只找到{chunk.meta.region}的相关内容"
    years = chunk_years(chunk, q)
    if years and q.years:
        mentioned = {int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", sentence)}
        if mentioned and not mentioned & years:
            return False, f"只找到{'、'.join(str(y) for y in sorted(mentioned))}年的相关内容"
        if not mentioned and chunk.period is not None and chunk.period not in years:
            doc_years = {chunk.meta.year, *chunk.meta.review_years, *chunk.meta.plan_years}
            if chunk.period_kind and not (years & doc_years and chunk.period_kind == ""):
                return False, f"只找到{chunk.period}年的相关内容"
    return True, ""


class ExtractiveAnswerer:
    """Quote the best sentence(s); refuse when the asked slot is missing."""

    def __init__(self, top_passages: int = TOP_PASSAGES, min_coverage: float = MIN_COVERAGE):
        self.top_passages = top_passages
        self.min_coverage = min_coverage

    def candidates(self, q: Question, hits: list[Hit]) -> list[Candidate]:
        qgrams = _bigrams(q.text)
        out = []
        top = max((h.score for h in hits), default=1.0) or 1.0
        for rank, hit in enumerate(hits[: self.top_passages]):
            context = hit.chunk.header
            for sentence in split_sentences(hit.chunk.text):
                s = sentence.strip()
                if len(s) < 4:
                    continue
                cov = _coverage(q, s, context)
                grams = _bigrams(s)
                overlap = len(qgrams & grams) / (len(qgrams) or 1)
                slot = has_slot(q, s)
                score = cov + 0.5 * overlap + 0.35 * (hit.score / top) + (0.3 if slot else -0.5)
                score -= 0.002 * max(0, len(s) - 120)  # prefer the sentence, not the paragraph
                out.append(Candidate(rank, hit, s, score, cov, slot))
        out.sort(key=lambda c: -c.score)
        return out

    def answer(self, question: str, q: Question, hits: list[Hit]) -> Answer:
        cands = self.candidates(q, hits)
        if not cands:
            return refusal(question, hits, "检索结果中没有可用的段落")
        if q.other_places and not q.regions:
            missing = [p for p in q.other_places if not any(p in h.chunk.text for h in hits)]
            if missing:
                return refusal(question, hits, f"已导入的文档中没有关于{'、'.join(missing)}的内容")
        best = cands[0]
        ok, why = _agrees(q, best.hit, best.sentence)
        if not ok:
            alt = next((c for c in cands[1:8] if c.has_slot and c.coverage >= self.min_coverage and _agrees(q, c.hit, c.sentence)[0]), None)
            if alt is None:
                return refusal(question, hits, why, best)
            best = alt
        if best.coverage < self.min_coverage:
            return refusal(question, hits, "资料中没有与问题要点对应的表述", best)
        if not best.has_slot:
            what = {"number": "具体数额", "date": "具体时间", "list": "具体清单"}.get(q.asked, "相关信息")
            return refusal(question, hits, f"资料只提到相关内容，未给出{what}", best)
        chosen = [best]
        for c in cands[1:6]:
            if len(chosen) >= 2:
                break
            if c.sentence in best.sentence or best.sentence in c.sentence:
                continue
            adds = set(t for t in q.terms if t in c.sentence) - set(t for t in q.terms if t in best.sentence)
            if c.score >= best.score * 0.9 and c.has_slot and adds and _agrees(q, c.hit, c.sentence)[0]:
                chosen.append(c)
        return compose(question, hits, chosen)


def display(sentence: str) -> str:
    """A quote as shown: Markdown bold markers and trailing separators dropped."""
    return sentence.replace("**", "").strip().rstrip("；;，,")


def compose(question: str, hits: list[Hit], chosen: list[Candidate]) -> Answer:
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    parts = []
    for c in chosen:
        cid = c.hit.chunk.chunk_id
        if cid not in numbers:
            numbers[cid] = len(numbers) + 1
            citations.append(Citation(numbers[cid], c.hit.chunk, c.sentence))
        else:
            cit = citations[numbers[cid] - 1]
            cit.quote = cit.quote + c.sentence
        parts.append(f"“{display(c.sentence)}”[{numbers[cid]}]")
    return Answer(question=question, text="；".join(parts), refused=False, citations=citations, retrieved=hits)


def refusal(question: str, hits: list[Hit], why: str, near: Candidate | None = None) -> Answer:
    text = f"资料中未找到能回答该问题的内容（{why}）。"
    citations = []
    if near is not None:
        text += f"最接近的表述是：“{display(near.sentence)}”[1]"
        citations.append(Citation(1, near.hit.chunk, near.sentence))
    return Answer(question=question, text=text, refused=True, citations=citations, retrieved=hits)
