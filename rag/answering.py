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
from itertools import zip_longest
from typing import Protocol

from .chunking import split_sentences
from .question import Question, region_aliases, unit_family
from .retrieval import chunk_years, passage_year
from .tokenize import tag, tokenize
from .types import Answer, Citation, Hit

# A figure: digits (or Chinese numerals) with a unit/classifier, or a percentage.
UNITS = "亿元|万元|千元|元|亿美元|万美元|美元|万吨|吨|万千瓦|千瓦|万平方米|平方米|平方公里|公里|千米|米|亩|万亩|万人|人次|人|户|家|个|项|座|所|条|处|张|台|辆|套|件|次|倍|名|位|间|批|类|种|年|天|小时|分钟|岁|床"
_FIGURE = re.compile(
    rf"(?<![\d.])\d+(?:\.\d+)?\s*(?:%|‰|(?:余|多)?(?:亿|万)?(?:余|多)?(?:{UNITS})|(?:亿|万))|[一二三四五六七八九十百千万两]+(?:{UNITS})|\d+(?:\.\d+)?"
)
_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}\s*年")
_ENUM = re.compile(r"[、]")
_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日")
_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}年")
# Words that mark a planned figure (general report vocabulary).
_TARGET_CUE = re.compile(r"力争|目标|预期|计划|确保|争取|以上|左右|突破|达到|控制在|不低于")
TOP_PASSAGES = 6
MIN_COVERAGE = 0.35


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


def _found(term: str, text: str, q: Question) -> bool:
    return term in text or any(form in text for form in q.aliases.get(term, ()))


def _coverage(q: Question, sentence: str, context: str) -> float:
    """IDF-weighted share of the question's terms found in the sentence.

    Terms the corpus never uses (paraphrase words such as 经济总量) carry no
    weight unless one of their report wordings is found; a term found only
    in the passage header/section counts half.
    """
    total = got = 0.0
    for t in dict.fromkeys(q.terms):
        if t.isdigit():
            continue
        w = q.weights.get(t, 1.0)
        forms = q.aliases.get(t, ())
        if w == 0.0 and forms:
            w = max(q.weights.get(f, 0.0) for f in forms) or 2.0
        if w == 0.0:
            continue
        total += w
        if _found(t, sentence, q):
            got += w
        elif _found(t, context, q):
            got += w * 0.5
    return got / total if total else 0.0


def _term_weight(q: Question, t: str) -> float:
    """IDF of a term; a paraphrase with a known report wording ranks above plain words."""
    forms = q.aliases.get(t, ())
    if forms:
        return max((q.weights.get(tok, 0.0) for f in forms for tok in (f, *tokenize(f))), default=0.0) + 1.0
    return q.weights.get(t, 1.0)


def _indicator_positions(q: Question, sentence: str, top: int = 2) -> list[int]:
    """Where the asked indicator may sit: ends of the rarest question terms found."""
    found = []
    for t in dict.fromkeys(q.terms):
        for form in (t, *q.aliases.get(t, ())):
            i = sentence.find(form)
            if i >= 0:
                found.append((_term_weight(q, t) + len(form) * 0.01, i + len(form)))
    found.sort(reverse=True)
    return [pos for _, pos in found[:top]]


def _unit_ok(q: Question, figure: str) -> bool:
    if not q.units:
        return True
    unit = re.sub(r"^[\d.\s一二三四五六七八九十百千万两余多]+", "", figure)
    if not unit:  # a bare number ("1455") may be followed by a classifier the unit list lacks
        return "count" in q.units
    family = unit_family(unit) or unit_family(unit.lstrip("亿万余多"))
    if not family and unit in ("亿", "万"):
        family = "count"
    return family in q.units


def has_slot(q: Question, sentence: str) -> bool:
    """Does the sentence carry the kind of thing the question asks for?"""
    if q.asked == "number":
        return any(_unit_ok(q, f) for f in figures(_near_indicator(q, sentence)))
    if q.asked == "list":
        return len(_ENUM.findall(sentence)) >= 1 or sentence.count("；") >= 2
    if q.asked == "date":
        if any(w in q.text for w in ("哪天", "哪一天", "几月", "日期")):
            return bool(_DAY.search(sentence))
        return bool(_DATE.search(sentence))
    if q.asked == "person":
        return any(flag == "nr" and len(w) >= 2 for w, flag in tag(sentence))
    return True


def _near_indicator(q: Question, sentence: str) -> str:
    """The clauses that name the asked indicator, each with the clause after it
    (Chinese puts the figure before or after the noun: "41家企业", "收入完成44.9亿元")."""
    positions = _indicator_positions(q, sentence)
    if not positions:
        return sentence
    bounds = [0] + [m.end() for m in re.finditer(r"[，,；;。：:]", sentence)] + [len(sentence)]
    windows = []
    for pos in positions:
        for a, b in zip(bounds, bounds[1:], strict=False):
            if a < pos <= b:
                nxt = next((c for c in bounds if c > b), len(sentence))
                windows.append(sentence[a:nxt])
                break
    return "，".join(windows) or sentence


def _agrees(q: Question, hit: Hit, sentence: str) -> tuple[bool, str]:
    """Region/year/kind agreement between the question and a passage; reason if not."""
    chunk = hit.chunk
    if q.regions and chunk.meta.region not in q.regions:
        if not any(a in sentence for r in q.regions for a in region_aliases(r)):
            return False, f"只找到{chunk.meta.region}的相关内容"
    years = chunk_years(chunk, q)
    if years:
        mentioned = {int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", sentence)}
        year = passage_year(chunk)
        if mentioned and not mentioned & years and year not in years:
            return False, f"只找到{'、'.join(str(y) for y in sorted(mentioned))}年的相关内容"
        if not mentioned and year is not None and year not in years:
            return False, f"只找到{year}年的相关内容"
    is_target = bool(_TARGET_CUE.search(sentence))
    if q.kind == "actual" and chunk.period_kind == "plan" and is_target:
        return False, "资料只给出了目标，没有实际完成数"
    if q.kind == "target" and chunk.period_kind == "review" and not is_target:
        return False, "资料只给出了实际完成数，没有目标"
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
            title = hit.chunk.section == ("标题",)  # the front matter speaks for the whole document
            for sentence in split_sentences(hit.chunk.text):
                s = sentence.strip()
                if len(s) < 4:
                    continue
                cov = _coverage(q, s + context if title else s, context)
                grams = _bigrams(s)
                overlap = len(qgrams & grams) / (len(qgrams) or 1)
                slot = has_slot(q, s)
                score = cov + 0.5 * overlap + 0.35 * (hit.score / top) + (0.3 if slot else -0.5)
                score -= 0.002 * max(0, len(s) - 120)  # prefer the sentence, not the paragraph
                if q.asked == "list":
                    score += 0.05 * min(4, len(_ENUM.findall(s)))
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
            alt = next(
                (c for c in cands[1:8] if c.has_slot and c.coverage >= self.min_coverage and _agrees(q, c.hit, c.sentence)[0]),
                None,
            )
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


PART_MARKS = "①②③④⑤⑥"  # not digits: part labels must not read as figures


def _renumber(text: str, mapping: dict[int, int]) -> str:
    return re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text)


def merge_answers(question: str, parts: list[Answer]) -> Answer:
    """One answer for a compound question: each part's answer on its own line,
    citations renumbered; refused only when every part is."""
    if len(parts) == 1:
        return parts[0]
    citations: list[Citation] = []
    lines = []
    parts = parts[: len(PART_MARKS)]
    for mark, part in zip(PART_MARKS, parts, strict=False):
        mapping = {}
        for c in part.citations:
            same = next((x for x in citations if x.chunk.chunk_id == c.chunk.chunk_id), None)
            if same is None:
                same = Citation(len(citations) + 1, c.chunk, c.quote)
                citations.append(same)
            elif c.quote not in same.quote:
                same.quote += c.quote
            mapping[c.n] = same.n
        lines.append(f"{mark} {_renumber(part.text, mapping)}")
    seen, retrieved = set(), []
    for group in zip_longest(*(p.retrieved for p in parts)):
        for h in group:
            if h is not None and h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                retrieved.append(h)
    refused = all(p.refused for p in parts)
    answered_citations = citations if not refused else citations[:1]
    notice = "已拆分为：" + "；".join(f"{mark} {p.question}" for mark, p in zip(PART_MARKS, parts, strict=False))
    return Answer(question, "\n".join(lines), refused, answered_citations, retrieved, notice=notice)
