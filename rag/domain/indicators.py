"""The indicator catalogue: the canonical indicators and how reports write them (`rag/domain/data/indicators.json`,
extendable through RAG_INDICATORS). Ingest reads records of them (`rag.ingest.records`); the question's table
ask names one (`rag.question.tables`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str  # 地区生产总值
    level: str  # unit family of the level: money, count, weight, percent …
    wordings: tuple[str, ...]  # how reports write it
    growth_wordings: tuple[str, ...] = ()  # wordings that mean its growth on their own ("经济增长")
    # Short wordings that go on with a topic named earlier in the sentence, no other indicator between:
    # "粮食播种面积4157万亩、产量1146.1万吨" (topic 粮食), "地区生产总值增长5.8%，总量达到60013亿元".
    continued: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def label(self, measure: str) -> str:
        """ "地区生产总值增长" for the growth, "地区生产总值" for the level."""
        return self.name + ("增长" if measure == "growth" and self.level != "percent" else "")


def _read(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["indicators"]


def catalogue(extra: str | None = None) -> tuple[Indicator, ...]:
    """The built-in indicators, with those of the RAG_INDICATORS file added (same id: replaced)."""
    return _catalogue(extra if extra is not None else os.environ.get("RAG_INDICATORS", ""))


@lru_cache(maxsize=4)
def _catalogue(extra: str) -> tuple[Indicator, ...]:
    entries = {d["id"]: d for d in _read(DATA / "indicators.json")}
    if extra:
        entries.update({d["id"]: d for d in _read(Path(extra))})
    return tuple(
        Indicator(
            d["id"],
            d["name"],
            d["level"],
            tuple(d["wordings"]),
            tuple(d.get("growth_wordings", ())),
            tuple(d.get("continued", {}).get("wordings", ())),
            tuple(d.get("continued", {}).get("after", ())),
        )  # fmt: skip
        for d in entries.values()
    )


def pairs(extra: str | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Wordings that name two indicators at once before 分别 ("城乡居民人均可支配收入分别增长5%和6%")."""
    return _pairs(extra if extra is not None else os.environ.get("RAG_INDICATORS", ""))


@lru_cache(maxsize=4)
def _pairs(extra: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries = json.loads((DATA / "indicators.json").read_text(encoding="utf-8")).get("pairs", [])
    if extra:
        entries += json.loads(Path(extra).read_text(encoding="utf-8")).get("pairs", [])
    return tuple((w, tuple(e["members"])) for e in entries for w in e["wordings"])
