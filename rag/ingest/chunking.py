"""Step 3: split a document into paragraph chunks with provenance.

- Paragraphs are non-empty lines. A line that continues a sentence broken by
  a page break (the previous paragraph does not end a sentence) is joined to it.
- Headings (Markdown `#`, "一、", "（一）", or a short line without sentence
  punctuation) build the section path. Heading styles nest in the order they
  first appear, so "一、…" sits under a plain heading in one report and at the
  top in another.
- A paragraph that opens with a short topic sentence ("经济运行稳中提质。")
  adds it to its section path.
- Long paragraphs are cut at sentence boundaries with one sentence of overlap;
  runs of short paragraphs in one section are merged.
- The header (region, year, type, period, section) is indexed with the chunk
  but never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.headings import NOTE_ITEM, NOTES_HEADING, PART, SECTION
from ..domain.periods import FIVE_YEAR_PLANS, years_in
from ..domain.reports import ADDRESS
from ..types import Chunk, DocMeta, Document

CHUNKER_VERSION = "para-v2"
MAX_TITLE_LINES = 12
TITLE_SECTION = ("标题",)  # the section of the title block's chunk (title, date and meeting, speaker)
MAX_CHARS = 320
SHORT_PARAGRAPH = 80
SENTENCE_END = "。！？!?；;"
_NO_HEADING_END = SENTENCE_END + "，,：:、"
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』）)]*|$)")
_MARKDOWN = re.compile(r"^(#{1,6})\s+")
_LAST_YEAR = re.compile(r"过去一年|去年|上一年|上年")
_LEAD = re.compile(r"^([^，,。；：\d]{4,16})。")


def split_sentences(text: str) -> list[str]:
    """Chinese sentence split that keeps punctuation (and closing quotes) attached."""
    return [s for s in (m.group(0) for m in _SENTENCE.finditer(text)) if s.strip()]


@dataclass
class _Para:
    text: str
    start: int
    end: int
    joins: tuple[tuple[int, int], ...] = ()  # (offset in text, offset in document) of joined lines

    def doc_offset(self, i: int) -> int:
        """Map an offset in `text` to an offset in the document text."""
        base_text, base_doc = 0, self.start
        for t, d in self.joins:
            if i >= t:
                base_text, base_doc = t, d
        return base_doc + (i - base_text)


def _paragraphs(text: str) -> list[_Para]:
    paras: list[_Para] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            paras.append(_Para(stripped, pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    merged: list[_Para] = []
    for p in paras:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and len(prev.text) > 40  # longer than any heading
            and prev.text[-1] not in SENTENCE_END + "：:”"
            and heading_kind(p.text) is None
            and not ADDRESS.match(p.text)  # the address to the congress always opens a paragraph
        ):
            merged[-1] = _Para(prev.text + p.text, prev.start, p.end, prev.joins + ((len(prev.text), p.start),))
        else:
            merged.append(p)
    return merged


def heading_kind(line: str) -> str | None:
    """Return the heading style of a line, or None for body text."""
    m = _MARKDOWN.match(line)
    if m:
        return f"md{len(m.group(1))}"
    if len(line) > 40 or line[-1] in _NO_HEADING_END:
        return None
    if PART.match(line):
        return "numbered"
    if SECTION.match(line):
        return "paren"
    if len(line) <= 30 and not line.startswith("各位代表"):
        return "plain"
    return None


def _clean_heading(line: str) -> str:
    return _MARKDOWN.sub("", line).replace("**", "").strip()


def section_period(section: tuple[str, ...], meta: DocMeta) -> tuple[int | None, str, str]:
    """Which year a section reports on, whether it reviews or plans, and a label.

    "2022年政府工作回顾" -> (2022, review, ""); "今年…目标任务" -> (delivered
    year, plan, "2024年目标任务"); "“十三五”时期工作回顾" -> (2020, review,
    "十三五时期（2016—2020年）工作回顾"): the last year of a reviewed period
    is the one whose single-year figures such a section reports.
    """
    for heading in section:
        kind = "review" if "回顾" in heading else ("plan" if re.search(r"目标|任务|安排|重点|要求|思路", heading) else "")
        if not kind and "工作" in heading and meta.year and (meta.year in years_in(heading) or "今年" in heading):
            kind = "plan"  # "三、关于2026年工作", "2024年主要工作建议": a report's own year's work is its plan
        if not kind:
            continue
        word = "工作回顾" if kind == "review" else "目标任务"
        years = years_in(heading)
        if years:
            return max(years), kind, ""
        if "今年" in heading and meta.year:
            return meta.year, kind, f"{meta.year}年{word}"
        if _LAST_YEAR.search(heading) and meta.year:  # "过去一年工作回顾"
            return meta.year - 1, kind, f"{meta.year - 1}年{word}"
        for name, (start, end) in FIVE_YEAR_PLANS.items():
            if name in heading:
                return end, kind, f"{name}时期（{start}—{end}年）{word}"
    return None, "", ""


_REVIEW_OPENING = re.compile(r"(?:(\d{4})年是|过去的?一年|一年来)")


def unlabelled_reviews(chunks: list[Chunk]) -> dict[str, int]:
    """chunk id -> reviewed year, for the chunks of a work report's top-level part whose heading names no year
    ("一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效") but whose opening reviews the year before the report's
    ("2024年是…", "过去一年", "一年来"). Chunks in document order."""
    out: dict[str, int] = {}
    opened: dict[tuple[str, str], int | None] = {}
    for c in chunks:
        y = c.meta.year
        if c.period is not None or not c.section or c.section == TITLE_SECTION or c.meta.doc_type != "政府工作报告" or not y:
            continue
        key = (c.doc_id, c.section[0])
        if key not in opened:
            m = _REVIEW_OPENING.match(c.text.strip())
            opened[key] = y - 1 if m and (m.group(1) is None or int(m.group(1)) == y - 1) else None
        if opened[key] is not None:
            out[c.chunk_id] = opened[key]
    return out


def make_header(meta: DocMeta, section: tuple[str, ...], label: str) -> str:
    parts = [meta.region, f"{meta.year}年" if meta.year else "", meta.doc_type, label, " > ".join(section)]
    return "｜".join(p for p in parts if p)


TITLE_BLOCK_MAX = 400  # characters: a title block (title, source, date and meeting, speaker) is short


def _front_matter_end(paras: list[_Para]) -> int:
    """Number of leading title lines: those before "各位代表" (a work report's address to the congress)
    when they are few and short — a line may run title, date, meeting and speaker together — else the
    short plain lines before the first body paragraph."""
    for n, p in enumerate(paras[:MAX_TITLE_LINES]):
        if ADDRESS.match(p.text):
            return n if 0 < n and sum(len(x.text) for x in paras[:n]) <= TITLE_BLOCK_MAX else 0
    n = 0
    while n < len(paras) and heading_kind(paras[n].text) == "plain":
        n += 1
    return n if n < len(paras) else 0


def _pieces(text: str) -> list[tuple[int, int]]:
    """Cut a long paragraph at sentence boundaries, one sentence of overlap."""
    if len(text) <= MAX_CHARS:
        return [(0, len(text))]
    spans, pos = [], 0
    for s in split_sentences(text):
        idx = text.find(s, pos)
        spans.append((idx, idx + len(s)))
        pos = idx + len(s)
    pieces: list[tuple[int, int]] = []
    i, last = 0, -1
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= MAX_CHARS:
            j += 1
        if j == last:  # only the overlap sentence fits: start after it
            i = j + 1
            continue
        pieces.append((spans[i][0], spans[j][1]))
        last = j
        if j + 1 >= len(spans):
            break
        i = j if j > i else j + 1  # overlap one sentence when the piece has several
    return pieces


NOTES = ("名词解释",)  # the section of a report's glossary and numbered notes
NOTE = "note"  # their period kind: explanations, not the report's figures
MIN_NOTES = 3  # numbered notes in a row that make a glossary without a heading


def _notes_start(paras: list[_Para]) -> int:
    """Index of the paragraph where a report's notes begin (len(paras) if it has none): a glossary heading, or a
    run of MIN_NOTES numbered term notes, after the report's last address to the congress ("各位代表！…")."""
    closing = max((i for i, p in enumerate(paras) if ADDRESS.match(p.text)), default=len(paras))
    for i in range(closing + 1, len(paras)):
        text = paras[i].text.lstrip("#").strip()
        if NOTES_HEADING.match(text):
            return i
        if (
            all(NOTE_ITEM.match(p.text) for p in paras[i : i + 2 * MIN_NOTES : 2])
            and len(paras[i : i + 2 * MIN_NOTES : 2]) == MIN_NOTES
        ):
            return i
        if sum(bool(NOTE_ITEM.match(p.text)) for p in paras[i : i + MIN_NOTES]) == MIN_NOTES:
            return i
    return len(paras)


def chunk_document(doc: Document, meta: DocMeta) -> list[Chunk]:
    stack: list[tuple[str, str]] = []  # (heading kind, heading text)
    chunks: list[Chunk] = []
    pending: list[tuple[int, _Para, tuple[str, ...]]] = []

    def emit(idx: int, text: str, start: int, end: int, section: tuple[str, ...], part: int | None) -> None:
        period, kind, label = (None, NOTE, NOTES[0]) if section == NOTES else section_period(section, meta)
        cid = f"{doc.doc_id}#p{idx}" + (f".{part}" if part is not None else "")
        chunks.append(
            Chunk(
                chunk_id=cid,
                doc_id=doc.doc_id,
                text=text,
                header=make_header(meta, section, label),
                section=section,
                paragraph=idx,
                start=start,
                end=end,
                period=period,
                period_kind=kind,
                meta=meta,
            )
        )

    def flush() -> None:
        if pending:
            idx, first, section = pending[0]
            last = pending[-1][1]
            emit(idx, "\n".join(p.text for _, p, _ in pending), first.start, last.end, section, None)
            pending.clear()

    paras = _paragraphs(doc.text)
    notes = _notes_start(paras)
    front = _front_matter_end(paras)
    if front:
        emit(0, "\n".join(p.text for p in paras[:front]), paras[0].start, paras[front - 1].end, TITLE_SECTION, None)
    for idx, para in enumerate(paras):
        if idx < front:
            continue
        if idx >= notes:
            if idx == notes:
                flush()
                stack = [("notes", NOTES[0])]
            if idx == notes and NOTES_HEADING.match(para.text.lstrip("#").strip()):
                continue
            kind = None
        else:
            kind = heading_kind(para.text)
        if kind is not None:
            flush()
            kinds = [k for k, _ in stack]
            if kind in kinds:
                del stack[kinds.index(kind) :]
            stack.append((kind, _clean_heading(para.text)))
            continue
        section = tuple(t for _, t in stack)
        lead = _LEAD.match(para.text)
        if lead:
            section = section + (lead.group(1),)
        if len(para.text) < SHORT_PARAGRAPH and (kind is not None or idx == 0 or not lead):
            if pending and (pending[0][2] != section or sum(len(p.text) for _, p, _ in pending) + len(para.text) > MAX_CHARS):
                flush()
            pending.append((idx, para, section))
            continue
        flush()
        pieces = _pieces(para.text)
        for n, (a, b) in enumerate(pieces):
            start, end = para.doc_offset(a), para.doc_offset(b - 1) + 1
            emit(idx, para.text[a:b], start, end, section, n if len(pieces) > 1 else None)
    flush()
    return chunks
