"""The one reading of a question that every later step reads (`Question`, made by `rag.question.reading`),
and which reports may answer it (`Scope`, resolved by `rag.question.scope`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain.named_sets import NamedSet
from ..domain.places import Mention, Place
from ..types import Chunk, DocMeta
from .tables import TableQuery


@dataclass
class Question:
    text: str
    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    report_years: list[int] = field(default_factory=list)  # "2024年政府工作报告": which report, not which period
    relative: list[int] = field(default_factory=list)  # offsets from the document's year
    periods: list[str] = field(default_factory=list)  # 十三五, …
    kind: str = ""  # target | actual | ""
    asked: str = "other"
    terms: list[str] = field(default_factory=list)
    other_places: list[str] = field(default_factory=list)  # places named that no report is about
    mentions: list[Mention] = field(default_factory=list)  # every place named, as recognised
    place_text: str = ""  # the text the mentions' offsets refer to
    units: tuple[str, ...] = ()  # unit families a figure answer may have ("" = any)
    aliases: dict[str, list[str]] = field(default_factory=dict)  # term -> report wordings
    weights: dict[str, float] = field(default_factory=dict)  # term -> IDF in the corpus (set by the retriever)
    phrases: list[str] = field(default_factory=list)  # the indicator as written, most important first
    named_set: NamedSet | None = None  # a named set whose members are asked ("三大先导产业是哪三个")
    residents: str | None = None  # the resident group asked about: rural | urban | combined (`asked_residents`)
    counted: bool = False  # the indicator is the noun counted after 多少 ("建设了多少风电光伏装机")
    about_report: bool = False  # who delivered the report, when, at which meeting
    outline: list = field(default_factory=list)  # (sub-heading, chunk) when the areas of a report's work are asked
    scope: Scope | None = None  # which reports may answer (`rag.question.scope`; None: the question names no place)
    # The turn as a whole (`rag.question.read`): how it is answered. `text` is the standalone question (a
    # follow-up such as "那临淄区呢？" made whole).
    table: TableQuery | None = None  # a question across regions or years: answered from the indicator records
    bridge: Bridge | None = None  # a place described, not named: found first by `bridge_ask`
    bridge_ask: Question | None = None
    parts: list[Question] = field(default_factory=list)  # a compound question's parts ([]: answered whole)
    completion: bool = False  # "目标完成了吗": parts are the target and the result, judged together
    comparison: object = None  # "今年的目标比去年高还是低": parts are one figure at two times (`YearComparison`)

    @property
    def answered_as(self) -> list[Question]:
        """The questions answered one by one: the parts, or the question itself."""
        return self.parts or [self]

    def search_text(self) -> str:
        """The question plus the report wordings of its paraphrased terms (for BM25)."""
        extra = [a for forms in self.aliases.values() for a in forms]
        return self.text + (" " + " ".join(extra) if extra else "")

    def years_for(self, chunk: Chunk) -> set[int]:
        """The years the question could mean in this chunk's report (今年/去年 counted from its year)."""
        years = set(self.years)
        if chunk.meta.year:
            years.update(chunk.meta.year + off for off in self.relative)
        return years


@dataclass(frozen=True)
class Bridge:
    ask: str  # the question that identifies the place
    kind: str  # 区 / 县 / 市 …: what the place must be
    rest: str  # the question about the place, without its name

    def fill(self, place: str) -> str:
        """The rest as a standalone question about `place` ("在其…" -> "临淄区在…")."""
        rest = re.sub(r"^(在)?其", lambda m: m.group(1) or "", self.rest)
        return place + rest


@dataclass(frozen=True)
class Report:
    doc_id: str
    meta: DocMeta
    place: Place | None

    @property
    def label(self) -> str:
        return report_label(self.meta)


def report_label(m: DocMeta) -> str:
    """The name of a report in notes: 张店区2023年政府工作报告, 国务院2024年政府工作报告."""
    who = "国务院" if m.level == "national" else m.region
    return f"{who}{m.year or ''}{'年' if m.year else ''}{m.doc_type or '材料'}"


@dataclass
class Scope:
    own: set[str] = field(default_factory=set)  # doc ids about the asked places
    higher: set[str] = field(default_factory=set)  # doc ids of places above them (must name the place)
    places: list[Place] = field(default_factory=list)  # the asked places
    missing: list[str] = field(default_factory=list)  # asked places with no report, none above either
    missing_time: list[str] = field(default_factory=list)  # why no report of an asked place speaks of the asked time
    latest: set[str] = field(default_factory=set)  # own reports of the latest year (preferred without a year)
    years: set[int] = field(default_factory=set)  # the years of the own reports
    note: str = ""  # how years were read ("“去年”按…最新的报告理解为2024年")

    @property
    def docs(self) -> set[str]:
        return self.own | self.higher

    def role(self, doc_id: str) -> str:
        """ "own", "higher" or "" (outside the scope)."""
        return "own" if doc_id in self.own else "higher" if doc_id in self.higher else ""
