"""Typed records that flow through the pipeline.

A `Chunk` keeps its full provenance (document id, section path, paragraph
index, character span, document metadata) so that every citation points back
to an exact place in the source file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DocMeta:
    """Metadata read from a document's own text (see `rag.ingest.metadata`)."""

    region: str = ""
    doc_type: str = ""
    title: str = ""
    year: int | None = None  # year the document was delivered / published
    review_years: tuple[int, ...] = ()
    plan_years: tuple[int, ...] = ()
    region_code: str = ""  # 行政区划代码 of the region ("" when the place data does not hold it)
    level: str = ""  # national | province | city | county | ""
    date: str = ""  # delivery date, ISO ("2025-01-15")
    meeting: str = ""  # "上海市第十六届人民代表大会第三次会议"
    speaker: str = ""  # "龚正"
    speaker_title: str = ""  # "市长", "国务院总理"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["review_years"] = list(self.review_years)
        d["plan_years"] = list(self.plan_years)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> DocMeta:
        return cls(
            region=d.get("region", ""),
            doc_type=d.get("doc_type", ""),
            title=d.get("title", ""),
            year=d.get("year"),
            review_years=tuple(d.get("review_years", ())),
            plan_years=tuple(d.get("plan_years", ())),
            region_code=d.get("region_code", ""),
            level=d.get("level", ""),
            date=d.get("date", ""),
            meeting=d.get("meeting", ""),
            speaker=d.get("speaker", ""),
            speaker_title=d.get("speaker_title", ""),
        )


@dataclass(frozen=True)
class Document:
    doc_id: str  # the file name; used in citations and QA sets
    text: str
    source: str = ""  # path it was loaded from
    sha256: str = ""


@dataclass(frozen=True)
class Chunk:
    """One paragraph (or part of a long paragraph) with its provenance.

    `text` is what is quoted to the user; `header` (region, year, type,
    section) is indexed together with it but never quoted.
    """

    chunk_id: str
    doc_id: str
    text: str
    header: str
    section: tuple[str, ...]
    paragraph: int
    start: int  # character span in the normalised document text
    end: int
    period: int | None  # year the passage reports on, when the section says
    period_kind: str  # "review", "plan" or "" (unknown)
    meta: DocMeta = field(default_factory=DocMeta)

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    @property
    def indexed_text(self) -> str:
        return f"{self.header}\n{self.text}"

    def to_dict(self) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "text": self.text,
            "header": self.header,
            "section": list(self.section),
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "period": self.period,
            "period_kind": self.period_kind,
            "meta": self.meta.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        return cls(
            chunk_id=d["chunk_id"],
            doc_id=d["doc_id"],
            text=d["text"],
            header=d["header"],
            section=tuple(d["section"]),
            paragraph=d["paragraph"],
            start=d["start"],
            end=d["end"],
            period=d.get("period"),
            period_kind=d.get("period_kind", ""),
            meta=DocMeta.from_dict(d.get("meta", {})),
        )


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score (higher is better)."""

    chunk: Chunk
    score: float


@dataclass
class Citation:
    n: int
    chunk: Chunk
    quote: str  # the quoted sentence(s) inside chunk.text


def _hits(hits: list[Hit]) -> list[dict]:
    return [
        {"doc": h.chunk.doc_id, "chunk_id": h.chunk.chunk_id, "text": h.chunk.text, "score": round(float(h.score), 4)}
        for h in hits[:10]
    ]


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation]
    retrieved: list[Hit]
    latency_ms: float = 0.0
    notice: str = ""  # e.g. "问题过长，已截断"
    mode: str = "extractive"  # what produced `text`: "extractive" or "llm"
    verified: bool | None = None  # LLM mode: every figure checked against the cited passages (None: not checked)
    fallback_reason: str | None = None  # LLM mode: why the extractive answer replaced the generated one
    short: str = ""  # the asked value(s) alone ("805亿元", "① 5%左右；② 5.5%左右"), "" when refused
    headline: str = ""  # the short answer with its region, year and kind: "广西壮族自治区 · 2025年 · 目标：5.5%左右"
    note: str = ""  # how the question's years/places were read ("“去年”按…最新的报告理解为2024年")
    ranking: list[Hit] = field(default_factory=list)  # the retriever's own order, before the answer step
    # A question across regions or years (`rag.answer.table`): {"columns", "rows": [{"region", "year", "kind",
    # "indicator", "value", "number", "unit", "citation", …}], "answer_regions", "chart", …}; None otherwise.
    table: dict | None = None

    def to_prediction(self, qid: str | None = None) -> dict:
        """The prediction object of `docs/contracts.md` (`rag ask --json`, predictions.jsonl)."""
        pred = {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [
                {
                    "n": c.n,
                    "doc": c.chunk.doc_id,
                    "chunk_id": c.chunk.chunk_id,
                    # the passage as indexed: its header (region｜year｜type｜section) then its text
                    "text": f"{c.chunk.header}\n{c.chunk.text}",
                    "quote": c.quote,
                    "section": c.chunk.section_path,
                    "region": c.chunk.meta.region,
                    "year": c.chunk.meta.year,
                }
                for c in self.citations
            ],
            "short_answer": self.short,
            "headline": self.headline,
            "retrieved": _hits(self.retrieved),
            "retriever": _hits(self.ranking or self.retrieved),
            "latency_ms": round(self.latency_ms, 1),
            "mode": self.mode,
            "verified": self.verified,
            "fallback_reason": self.fallback_reason,
        }
        if qid is not None:
            pred = {"id": qid, **pred}
        if self.table is not None:
            pred["table"] = self.table
        if self.notice:
            pred["notice"] = self.notice
        if self.note:
            pred["note"] = self.note
        return pred
