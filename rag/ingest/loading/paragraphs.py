"""Shared by the DOCX and PDF loaders: paragraphs -> one-paragraph-per-line text for the chunker.

The chunker re-joins a line to the previous one when that line is long (> 40
characters), does not end a sentence and the next line is not a heading: a
repair for text files whose paragraphs were cut at page breaks. DOCX and PDF
loaders already know where their paragraphs end, so a paragraph the chunker
would glue to the next one gets a closing "；". Table rows always end with
one: a short row ("地区生产总值  805亿元  3.4%") would otherwise read as a heading.
"""

from __future__ import annotations

import re

from ..chunking import SENTENCE_END, heading_kind

_GLUE_LEN = 40  # rag.ingest.chunking._paragraphs: "longer than any heading"
_STOPS = SENTENCE_END + "：:”"
SEAL = "；"


_CJK = "\u3400-\u9fff\uf900-\ufaff"
# "2023 年", "增长 5%左右", "达 14.2 万亿元": spacing a PDF (or a text copied out of one) puts around digits
_DIGIT_GAP = re.compile(rf"(?<=[\d%．.])[ \u00a0]+(?=[{_CJK}%])|(?<=[{_CJK}，（：])[ \u00a0]+(?=[\d])")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}，。、；：？！“”（）《》])[ \u00a0]+(?=[{_CJK}，。、；：？！“”（）《》])")


def close_gaps(text: str) -> str:
    """Spaces that line wrapping left between Chinese characters, and around digits inside Chinese text."""
    return _DIGIT_GAP.sub("", _CJK_GAP.sub("", text))


def close_line(line: str) -> str:
    """End a line with "；" unless it already ends a sentence: table rows are body text, never headings."""
    return line if not line or line[-1] in _STOPS else line + SEAL


def join_paragraphs(paragraphs: list[str]) -> str:
    """One paragraph per line; no paragraph is glued to the next by the chunker."""
    paras = [p.strip() for p in paragraphs if p.strip()]
    out = []
    for i, p in enumerate(paras):
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        if nxt is not None and len(p) > _GLUE_LEN and p[-1] not in _STOPS and heading_kind(nxt) is None:
            p += SEAL
        out.append(p)
    return "\n".join(out) + ("\n" if out else "")
