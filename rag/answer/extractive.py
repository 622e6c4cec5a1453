"""Step 7: the default extractive answer.

Pick the sentence(s) of the retrieved passages that carry what is asked,
quote them verbatim with [n] after each, and cite the passages. Nothing is
paraphrased, so every number in an answer is in its cited passage.

Refusal does not use similarity thresholds (answerable and unanswerable
questions score alike: top cosine 0.91–0.94 for both on the bundled reports). It checks the asked slots instead:
- the sentence must cover the question's key terms (the indicator);
- a "多少" question needs a figure next to the indicator, not only its name;
- a named region or year must agree with the passage (its text, or the
  region/period its document and section report on).
When that fails the answer says so, and what the passages do say.
"""

from __future__ import annotations

import re
from itertools import zip_longest

from ..domain.figures import passage_year
from ..domain.periods import YEAR_WORD
from ..ingest.chunking import NOTE, split_sentences
from ..question.model import Question
from ..question.scope import year_note
from ..types import Answer, Citation, Hit
from .base import Candidate
from .features import is_title_block
from .outline import heading_text
from .refusal import BEFORE_CHOICE, ON_CHOICE, TOPICAL_POOL, Decision, first_refusal
from .rerank import Context, LinearScorer, default_scorer, featurize
from .short import headline, value_of

TOP_PASSAGES = 6
# Asked kinds that need their slot in the quoted sentence (a figure, a date, an enumeration).
SECOND_MARGIN = 0.15
TIE = 0.05  # reranker scores this close are a tie (ties go to the sentence that writes the asked phrase out)  # a second sentence is quoted when it scores nearly as well and adds terms
_YEAR_ASK = ("哪一年", "哪年", "何时", "什么时候")
_LEAD_YEAR = re.compile(rf"\s*{YEAR_WORD.pattern}[，,：:]")


class ExtractiveAnswerer:
    """Quote the best sentence(s) by the reranker; refuse when the asked slot is
    missing, the region/year/kind disagree, or the reranker is not confident."""

    def __init__(self, top_passages: int = TOP_PASSAGES, scorer: LinearScorer | None = None):
        self.top_passages = top_passages
        self.scorer = scorer or default_scorer()

    def candidates(self, q: Question, hits: list[Hit]) -> list[Candidate]:
        ctx = Context.of(q, hits)
        out = []
        for rank, hit in enumerate(hits[: self.top_passages]):
            if hit.chunk.period_kind == NOTE and q.asked in ("number", "date"):
                continue  # a glossary explains a term: its figures are not the report's (名词解释, ［1］…)
            position = 0
            for sentence in _units_of(hit.chunk.text, q, hit.chunk.section == ("标题",)):
                s = sentence.strip()
                if len(s) < 4:
                    continue
                feats = featurize(ctx, hit, rank, s, position)
                out.append(Candidate(rank, hit, s, feats, self.scorer.score(feats)))
                position += 1
        out.sort(key=lambda c: -c.score)
        return out

    def naming(self, q: Question, hits: list[Hit], names: dict[str, str], top: int = 5) -> tuple[str, Answer] | None:
        """For a bridge question: the first of the best sentences that names one of
        `names` (alias -> name), as (name, the answer quoting it)."""
        for c in self.candidates(q, hits)[:top]:
            found = [(c.sentence.find(a), n) for a, n in names.items() if a in c.sentence]
            if found:
                return min(found)[1], compose(q, hits, [c])
        return None

    def answer(self, question: str, q: Question, hits: list[Hit]) -> Answer:
        cands = self.candidates(q, hits)
        d = Decision(q, hits, cands, None, self.scorer.min_coverage)
        refused = first_refusal(d, BEFORE_CHOICE)
        if refused is not None:
            return refusal(question, hits, *refused)
        if q.outline:
            return outline_answer(q, hits)
        d.best = self.choose(d)
        d.dated = _passage_year(q, d.best) if not d.best.has_slot else None
        refused = first_refusal(d, ON_CHOICE)
        if refused is not None:
            return refusal(question, hits, *refused)
        if d.dated is not None:
            year, source = d.dated
            return compose(q, hits, [d.best], lead=f"{year}年（据{source}）：")
        return compose(q, hits, self.with_second(d))

    def choose(self, d: Decision) -> Candidate:
        """The sentence to quote: the reranker's best, or the best agreeing one with the asked slot
        when the best disagrees on place/year/kind; a definition of a quoted term wins."""
        best = d.cands[0]
        if not best.agrees:
            best = next(
                (c for c in d.cands[1:8] if c.agrees and c.has_slot and c.coverage >= d.min_coverage),
                best,  # none: the disagreement check refuses, quoting the best
            )
        tied = [c for c in d.cands[:TOP_PASSAGES] if c.score >= best.score - TIE and c.agrees and c.has_slot]
        if len(tied) > 1 and d.q.phrases:  # a near tie: the sentence that writes the asked words out wins
            phrase = d.q.phrases[0]
            best = max(tied, key=lambda c: (phrase in c.sentence, c.score))
        d.glossary = definition(d.q, d.cands[: TOPICAL_POOL * 2])
        if d.q.about_report:  # who delivered it, when, where: its title block says
            block = next((c for c in d.cands if is_title_block(c.hit.chunk) and c.agrees and c.has_slot), None)
            if block is not None:
                return block
        return d.glossary or best

    def with_second(self, d: Decision) -> list[Candidate]:
        """A second sentence is quoted when it scores nearly as well and adds asked terms."""
        best, q = d.best, d.q
        chosen = [best]
        for c in d.cands[1:6]:
            if len(chosen) >= 2:
                break
            if c.sentence in best.sentence or best.sentence in c.sentence:
                continue
            adds = set(t for t in q.terms if t in c.sentence) - set(t for t in q.terms if t in best.sentence)
            if c.score >= best.score - SECOND_MARGIN and c.coverage >= d.min_coverage and c.has_slot and adds and c.agrees:
                chosen.append(c)
        return chosen


_QUOTED = re.compile(r"[“\"]([^”\"]{2,12})[”\"]")
DEFINED_ASKS = ("list", "summary", "entity")


def definition(q: Question, cands: list[Candidate]) -> Candidate | None:
    """For a list/summary question about a quoted term ("“五长制”…包括哪几个？"): a sentence
    that defines the term — a report's notes list them as "23. 五长制：河长制、湖长制…" or
    "15. 齐鲁化工区“一区十园”：…" — answers it, whatever the reranker preferred."""
    if q.asked not in DEFINED_ASKS:
        return None
    for term in _QUOTED.findall(q.text):
        head = re.compile(rf"^\s*(?:\d+\s*[.、．]\s*)?[^：:，,。]{{0,12}}?[“\"]?{re.escape(term)}[”\"]?\s*[：:]\s*\S")
        found = next((c for c in cands if c.agrees and head.match(c.sentence)), None)
        if found is not None:
            return found
    return None


_FULL_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”’」』）)]*|$)")


_SENTENCE_END = re.compile(r"[。！？!?]")
TITLE_BLOCK_MAX = 400  # characters; a title page (title, date and meeting line, speaker) is short


def _units_of(text: str, q: Question, title: bool = False) -> list[str]:
    """Candidate sentences of a passage. For list and summary questions, a whole
    sentence whose clauses are joined by "；" or led by "：" is a candidate too:
    an enumeration ("主要是：A；B；C。") is answered as one quote. A short block of
    unpunctuated lines (a report's title page: title, "——2021年1月13日在…会议上",
    the speaker; a news byline) is one statement, so it is a candidate as a whole."""
    units = split_sentences(text)
    if "\n" in text.strip() and len(text) <= TITLE_BLOCK_MAX and (title or not _SENTENCE_END.search(text)):
        units.append(text.strip())
    if q.asked in ("list", "summary"):
        for m in _FULL_SENTENCE.finditer(text):
            s = m.group(0)
            if s.strip() and s not in units and ("；" in s or "：" in s):
                units.append(s)
    return units


def _passage_year(q: Question, c: Candidate) -> tuple[int, str] | None:
    """For "哪一年" questions whose sentence names no year: the year its passage is
    about, when the passage says so itself — its section heading names the year, or
    the passage opens with it ("2021年，全区…") — with where it was read."""
    if q.asked != "date" or not any(w in q.text for w in _YEAR_ASK):
        return None
    chunk = c.hit.chunk
    year = passage_year(chunk)
    if year is not None and f"{year}年" in chunk.section_path:
        return year, f"所在章节“{chunk.section_path}”"
    lead = _LEAD_YEAR.match(chunk.text)
    return (int(lead.group(1)), "所在段落开头") if lead else None


def display(sentence: str) -> str:
    """A quote as shown: Markdown bold markers and trailing separators dropped, lines joined."""
    return " ".join(sentence.replace("**", "").split("\n")).strip().rstrip("；;，,")


def compose(q: Question, hits: list[Hit], chosen: list[Candidate], lead: str = "") -> Answer:
    """Quote the chosen sentences, each with [n] after it; lead with the asked value(s)."""
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
    # The passages that answer come first in the ranking (sentence-level reranking).
    first = {c.hit.chunk.chunk_id: c.hit for c in chosen}
    retrieved = list(first.values()) + [h for h in hits if h.chunk.chunk_id not in first]
    best = chosen[0]
    value = value_of(q, best.sentence, best.hit.chunk)
    place = (
        next((p.name for p in q.scope.places), "")
        if q.scope is not None and q.scope.role(best.hit.chunk.doc_id) == "higher"
        else ""
    )
    return Answer(
        question=q.text,
        text=lead + "；".join(parts),
        refused=False,
        citations=citations,
        retrieved=retrieved,
        short=value,
        headline=headline(q, value, best.sentence, best.hit.chunk, place),
        note=year_note(q, q.scope, best.hit.chunk.meta, best.hit.chunk.doc_id),
    )


def outline_answer(q: Question, hits: list[Hit]) -> Answer:
    """The areas of a report's work, as its numbered headings, each cited where it stands."""
    chosen = [Candidate(0, Hit(chunk, 1.0), heading, {}, 0.0) for heading, chunk in q.outline]
    answer = compose(q, hits, chosen)
    answer.short = "；".join(heading_text(h) for h, _ in q.outline)
    answer.headline = answer.headline.split("：", 1)[0] + "：" + answer.short if "：" in answer.headline else answer.short
    return answer


def refusal(question: str, hits: list[Hit], why: str, near: Candidate | None = None) -> Answer:
    """ "资料中未找到能回答该问题的内容（<why>）。", quoting the closest sentence when there is one."""
    text = f"资料中未找到能回答该问题的内容（{why}）。"
    citations = []
    if near is not None:
        text += f"最接近的表述是：“{display(near.sentence)}”[1]"
        citations.append(Citation(1, near.hit.chunk, near.sentence))
    return Answer(question=question, text=text, refused=True, citations=citations, retrieved=hits)


PART_MARKS = "①②③④⑤⑥"  # not digits: part labels must not read as figures


def _renumber(text: str, mapping: dict[int, int]) -> str:
    return re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text)


def interleave(rankings: list[list[Hit]]) -> list[Hit]:
    """One ranking from several (the parts of a compound question): round-robin, first seen kept."""
    seen, out = set(), []
    for group in zip_longest(*rankings):
        for h in group:
            if h is not None and h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                out.append(h)
    return out


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
    retrieved = interleave([p.retrieved for p in parts])
    refused = all(p.refused for p in parts)
    answered_citations = citations if not refused else citations[:1]
    notice = "已拆分为：" + "；".join(f"{mark} {p.question}" for mark, p in zip(PART_MARKS, parts, strict=False))
    marked = list(zip(PART_MARKS, parts, strict=False))
    short = "；".join(f"{m} {p.short or '未找到'}" for m, p in marked) if not refused else ""
    lead = "；".join(f"{m} {p.headline or '未找到'}" for m, p in marked) if not refused else ""
    note = "；".join(dict.fromkeys(p.note for p in parts if p.note))
    return Answer(
        question, "\n".join(lines), refused, answered_citations, retrieved, notice=notice, short=short, headline=lead, note=note
    )
