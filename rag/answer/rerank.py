"""Sentence reranking: a small linear model over what a candidate sentence
carries, fitted on part of the QA set (`rag.evaluation.fit`) and shipped as
`rerank_weights.json`.

Each feature is cheap and explainable (term coverage, the asked slot next to
the indicator, agreement of region/year/kind, the passage's retrieval score,
…). The model only orders the candidate sentences of one question; the
refusal checks in `rag.answer.extractive` then look at the chosen one (its coverage
against the fitted `min_coverage`, its slot, its agreement). No feature
names a question, a document or a figure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.figures import TARGET_CUE
from ..question.model import Question
from ..types import Hit
from .features import ENUM, agrees, has_slot, title_slot
from .indicator import bigrams, coverage, figures, found, term_weight

WEIGHTS_FILE = Path(__file__).with_name("rerank_weights.json")
_LEAD_CUE = re.compile(r"主要是|主要表现在|主要有|一是|包括|分别是|[：:]")

FEATURES = (
    "coverage",  # IDF-weighted share of the question's terms in the sentence (header counts half)
    "soft_coverage",  # the same, with partial credit for terms whose characters mostly appear
    "overlap",  # character-bigram overlap with the question
    "retrieval",  # the passage's fused retrieval score relative to the best passage
    "rank",  # 1 / (1 + passage rank)
    "slot",  # the sentence carries the asked kind of thing (figure, list, date, name)
    "slot_number",
    "slot_list",
    "slot_date",
    "slot_person",
    "agree",  # region / year / target-vs-actual agree with the passage
    "top_term",  # the rarest question term (the indicator's head) is in the sentence
    "top_term_context",  # … or only in the passage header / section
    "length",  # sentence length / 100
    "too_long",  # characters beyond 120, / 100
    "enum",  # enumeration marks (、), capped, for list questions
    "title",  # the sentence is from the document's front matter
    "first",  # first sentence of its passage
    "lead_cue",  # "主要是…：" style lead-in, for summary/list questions
    "has_figure",  # any figure at all
    "year_named",  # the sentence names one of the asked years
    "kind_cue",  # target wording when a target is asked (+1), when an actual is asked (-1)
)


def _soft_coverage(q: Question, sentence: str) -> float:
    total = got = 0.0
    for t in dict.fromkeys(q.terms):
        w = q.weights.get(t, 1.0) or 0.5
        total += w
        if found(t, sentence, q):
            got += w
        elif len(t) >= 2:
            got += w * 0.5 * sum(ch in sentence for ch in t) / len(t)
    return got / total if total else 0.0


def top_term(q: Question) -> str | None:
    terms = [t for t in dict.fromkeys(q.terms) if not t.isdigit()]
    return max(terms, key=lambda t: term_weight(q, t), default=None)


@dataclass
class Context:
    """What the features need from the question, once per question."""

    q: Question
    qgrams: set[str]
    top_term: str | None
    top_score: float
    years: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, q: Question, hits: list[Hit]) -> Context:
        top = max((h.score for h in hits), default=1.0) or 1.0
        return cls(q, bigrams(q.text), top_term(q), top, tuple(str(y) for y in q.years))


def featurize(ctx: Context, hit: Hit, rank: int, sentence: str, position: int) -> dict[str, float]:
    q = ctx.q
    header = hit.chunk.header
    title = hit.chunk.section == ("标题",)
    cov = coverage(q, sentence + header if title else sentence, header)
    slot = has_slot(q, sentence) or title_slot(q, hit.chunk, sentence)
    is_target = bool(TARGET_CUE.search(sentence))
    f = {
        "coverage": cov,
        "soft_coverage": _soft_coverage(q, sentence),
        "overlap": len(ctx.qgrams & bigrams(sentence)) / (len(ctx.qgrams) or 1),
        "retrieval": hit.score / ctx.top_score,
        "rank": 1.0 / (1 + rank),
        "slot": float(slot),
        "slot_number": float(slot and q.asked == "number"),
        "slot_list": float(slot and q.asked == "list"),
        "slot_date": float(slot and q.asked == "date"),
        "slot_person": float(slot and q.asked in ("person", "entity")),
        "agree": float(agrees(q, hit, sentence)[0]),
        "top_term": float(bool(ctx.top_term) and found(ctx.top_term, sentence, q)),
        "top_term_context": float(bool(ctx.top_term) and found(ctx.top_term, header, q)),
        "length": len(sentence) / 100,
        "too_long": max(0, len(sentence) - 120) / 100,
        "enum": min(4, len(ENUM.findall(sentence))) / 4 if q.asked == "list" else 0.0,
        "title": float(title),
        "first": float(position == 0),
        "lead_cue": float(bool(_LEAD_CUE.search(sentence)) and q.asked in ("summary", "list", "other")),
        "has_figure": float(bool(figures(sentence))),
        "year_named": float(any(y in sentence for y in ctx.years)),
        "kind_cue": (1.0 if q.kind == "target" else -1.0 if q.kind == "actual" else 0.0) * is_target,
    }
    return f


@dataclass
class LinearScorer:
    """score = bias + Σ wᵢ·fᵢ, compared between the candidates of one question."""

    weights: dict[str, float]
    bias: float = 0.0
    min_coverage: float = 0.35  # refuse when the chosen sentence covers less of the question
    info: dict = field(default_factory=dict)

    def score(self, feats: dict[str, float]) -> float:
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": self.weights,
            "bias": self.bias,
            "min_coverage": self.min_coverage,
            **self.info,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = WEIGHTS_FILE) -> LinearScorer:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        unknown = set(data["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"{path}: unknown reranker features {sorted(unknown)}; refit with `make fit`.")
        info = {k: v for k, v in data.items() if k not in ("features", "weights", "bias", "min_coverage")}
        return cls(dict(data["weights"]), float(data["bias"]), float(data["min_coverage"]), info)


# Hand-set weights (the rule this model replaced: coverage + overlap/2 +
# retrieval/3 + a slot bonus, long sentences and disagreement penalised).
# The fit starts from them and is pulled towards them (a prior), and they are
# used when no fitted file exists.
PRIOR = LinearScorer(
    {"coverage": 1.0, "overlap": 0.5, "retrieval": 0.35, "slot": 0.8, "too_long": -0.2, "enum": 0.2, "agree": 0.3},
)


def default_scorer() -> LinearScorer:
    return LinearScorer.load() if WEIGHTS_FILE.exists() else PRIOR
