"""Step 6: hybrid retrieval — BM25 and dense search fused by reciprocal rank,
then re-weighted by what the question asks (see `slot_weight`). Filters
chosen by the user restrict both searches before ranking (a boolean mask
over the chunks, see `Filters.mask`), so ranks count allowed chunks only.

Why the slot weights: a passage rarely names its region or year, the
document does (`docs/design.md`). Each chunk carries its document's region and the
year its section reports on (工作回顾 = that year's results, 目标任务 = that
year's plan). When the question names a region or a year, passages from
another region or period are pushed down (never filtered out: the answer
step decides whether what remains carries the asked slot).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import numpy as np

from .answer.outline import asks_areas, outline
from .domain.figures import passage_year
from .domain.places import mainland_provinces, place_model
from .domain.tokenize import tokenize
from .embedding import Embedder
from .ingest.records import RecordBook, extract
from .question.meaning import IndicatorMeaning, add_meaning
from .question.model import Question
from .question.read import Reader
from .question.scope import Catalog
from .stores.index import HybridIndex
from .types import Chunk, Hit

log = logging.getLogger(__name__)

CANDIDATES = 50


@dataclass(frozen=True)
class Filters:
    """Hard filters chosen by the user (UI); empty means no filter."""

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    docs: tuple[str, ...] = ()

    def allows(self, chunk: Chunk) -> bool:
        if self.regions and chunk.meta.region not in self.regions:
            return False
        if self.docs and chunk.doc_id not in self.docs:
            return False
        if self.years:
            years = {chunk.meta.year, chunk.period, *chunk.meta.review_years, *chunk.meta.plan_years}
            if not years & set(self.years):
                return False
        return True

    def mask(self, index: HybridIndex) -> np.ndarray:
        """`allows` for every chunk at once, as a boolean array: one Python step per
        document (region, doc id, document years), numpy for the chunks."""
        codes, firsts, periods = index.doc_table()
        doc_ok = np.ones(len(firsts), dtype=bool)
        if self.regions:
            doc_ok &= np.array([c.meta.region in self.regions for c in firsts], dtype=bool)
        if self.docs:
            doc_ok &= np.array([c.doc_id in self.docs for c in firsts], dtype=bool)
        ok = doc_ok[codes]
        if self.years:
            wanted = set(self.years)
            doc_years = np.array(
                [bool(wanted & {c.meta.year, *c.meta.review_years, *c.meta.plan_years}) for c in firsts], dtype=bool
            )
            ok &= doc_years[codes] | np.isin(periods, list(wanted))
        return ok


def slot_weight(chunk: Chunk, q: Question) -> float:
    """Multiplier in (0, 1.6] from scope, year and target/actual agreement. Reports outside the scope
    are not searched at all (see `HybridRetriever.search`); inside it, a report of the asked place ranks
    above a higher level's, and without a year the place's latest report first."""
    w = 1.0
    scope = q.scope
    if scope is not None:
        if chunk.doc_id in scope.own:
            w *= 1.2
            if not q.years and not q.relative and not q.periods and chunk.doc_id in scope.latest:
                w *= 1.1
    years = q.years_for(chunk)
    if years:
        year = passage_year(chunk)
        if year in years:
            w *= 1.25
        elif any(str(y) in chunk.text for y in years):
            w *= 1.1
        elif year is not None:
            w *= 0.6
        elif not years & {chunk.meta.year, *chunk.meta.review_years, *chunk.meta.plan_years}:
            w *= 0.7
    if q.periods and chunk.period_kind == "review" and chunk.meta.review_years and len(chunk.meta.review_years) >= 5:
        w *= 1.15
    if q.kind == "target" and chunk.period_kind == "plan":
        w *= 1.15
    elif q.kind == "actual" and chunk.period_kind == "review":
        w *= 1.15
    return w


class LRU:
    """A small thread-safe least-recently-used memo: `get(key, compute)` returns the cached
    value or computes, stores and returns it (the oldest entry goes past `size`)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key, compute):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                return value
        value = compute()
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class HybridRetriever:
    def __init__(self, index: HybridIndex, embedder: Embedder, cache_size: int = 1024):
        self.index = index
        self.embedder = embedder
        firsts = index.doc_table()[1]
        self.regions = sorted({c.meta.region for c in firsts if c.meta.region})
        self.places = place_model(firsts)
        self.catalog = Catalog(firsts, self.places)
        self.provinces = [p.name for p in mainland_provinces(self.places)]
        self.reader = Reader(self.places, self.catalog, self.provinces, prepare=self._prepare)
        self.report_years: dict[str, list[int]] = {}  # region -> the years of its reports
        for c in firsts:
            if c.meta.region and c.meta.year:
                self.report_years.setdefault(c.meta.region, []).append(c.meta.year)
        self.latest_report_year = {region: max(years) for region, years in self.report_years.items()}
        self._doc_years = {c.doc_id: c.meta.year for c in firsts}
        self._book = None
        self.query_cache = LRU(cache_size)  # query text -> vector: independent of the index, kept across reloads
        self.meaning = IndicatorMeaning.for_embedder(embedder, self.query_vector)  # everyday names of indicators
        self._masks = LRU(64)  # filters / scopes -> chunk mask: belongs to this index

    @property
    def book(self):
        """The index's indicator records, by indicator and region (built on first use). Records read with
        another indicator catalogue or extraction version are read again here, in memory, until an ingest
        writes them (`rag ingest` with no new files does)."""
        if self._book is None:
            records = self.index.records
            if self.index.records_stale:
                log.warning(
                    "指标目录或抽取规则已更新：正在从 %d 个段落重新读取指标记录（运行 rag ingest 可写入索引）", len(self.index)
                )
                records = extract(self.index.chunks)
            self._book = RecordBook(records, self._doc_years)
        return self._book

    def prefetch(self, texts: list[str]) -> None:
        """Embed the `texts` not cached yet in one batch (the parts of a compound question: a batch of two
        costs about 0.7 of two single calls). Not on a background thread: on two cores the engine's own
        threads use them both, and overlapping the analysis with it made answers slower, not faster."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.query_cache]
        if len(missing) > 1:
            for t, vec in zip(missing, self.embedder.embed_queries(missing), strict=True):
                self.query_cache.get(t, lambda vec=vec: vec)

    def query_vector(self, text: str) -> np.ndarray:
        """Embed a query, cached by text (repeated questions cost nothing)."""
        return self.query_cache.get(text, lambda: self.embedder.embed_queries([text])[0])

    def analyse(self, text: str) -> Question:
        """A question of its own for `text`: its slots, its scope and its term weights (`Reader.question`)."""
        return self.reader.question(text)

    def read(self, text: str, previous: str | None = None) -> Question:
        """The turn's one reading (`rag.question.read`)."""
        return self.reader.read(text, previous)

    def _prepare(self, q: Question) -> None:
        """What retrieval adds to a read question: term weights over the asked place's own reports (those above
        it when it has none) — the same whatever other reports the knowledge base holds (see
        `HybridIndex.idf`) — the indicator an everyday name means (`rag.question.meaning`), and the outline of
        its latest work report when the areas of work are asked."""
        texts: list[str] = []  # the asked place's reports, read once for all the phrases checked

        def written(phrase: str) -> bool:
            if not texts:
                texts.append(self._reports_text(q))
            return phrase in texts[0]

        # (the words' vector and the question's in one batch: about 0.7 of two calls)
        add_meaning(q, self.meaning, written, lambda words: self.prefetch([q.text, words]))
        terms = set(q.terms) | {t for forms in q.aliases.values() for f in forms for t in tokenize(f)} | set(q.aliases)
        basis = (q.scope.own or q.scope.higher) if q.scope is not None else set()
        mask = self.doc_mask(frozenset(basis)) if basis else None
        q.weights = {t: self.term_weight(t, mask) for t in terms}
        if asks_areas(q) and q.scope is not None and q.scope.own:
            report = self.catalog.work_report(q.scope.latest or q.scope.own)
            q.outline = outline(q, self.index.doc_chunks(report)) if report else []

    def _reports_text(self, q: Question) -> str:
        """The text of the asked place's reports (those above it when it has none), a line per passage."""
        docs = (q.scope.own or q.scope.higher) if q.scope is not None else set()
        return "\n".join(c.text for d in sorted(docs) for c in self.index.doc_chunks(d))

    def term_weight(self, token: str, mask: np.ndarray | None) -> float:
        """IDF over the chunks `mask` keeps. A word the reports use elsewhere but the asked place's reports
        never do ("失业率" in a report without one) is an indicator they lack: it weighs as much as the rarest
        word of those reports, so a sentence without it covers little of the question. A word no report
        uses (everyday wording: "经济总量") weighs nothing until one of its report wordings is found."""
        weight = self.index.idf(token, mask)
        if weight == 0.0 and mask is not None and self.index.idf(token) > 0.0:
            n = int(mask.sum())
            return float(np.log(1 + (n - 1 + 0.5) / 1.5))
        return weight

    def search(
        self, text: str, k: int = 10, filters: Filters | None = None, q: Question | None = None, vector_text: str | None = None
    ) -> list[Hit]:
        q = q or self.analyse(text)
        n = min(len(self.index), CANDIDATES)
        mask = self.filter_mask(filters) if filters and (filters.regions or filters.years or filters.docs) else None
        if q.scope is not None:
            if not q.scope.docs:
                return []  # no report about the asked place, nor above it
            scoped = self.doc_mask(frozenset(q.scope.docs))
            mask = scoped if mask is None else mask & scoped
        fused = self.index.hybrid(self.query_vector(vector_text or text), tokenize(q.search_text()), n, mask)
        hits = []
        for i, score in fused.items():
            chunk = self.index.chunks[i]
            hits.append(Hit(chunk, score * 60 * slot_weight(chunk, q)))
        hits.sort(key=lambda h: -h.score)
        if q.about_report and q.scope is not None:
            hits = self.title_blocks(q, hits) + hits
        return hits[:k]

    def title_blocks(self, q: Question, hits: list[Hit]) -> list[Hit]:
        """The title blocks of the asked place's reports (of the asked report year when one is named), first, the
        latest report's before older ones: who delivered a report, when and at which meeting is written there."""
        top = hits[0].score if hits else 1.0
        out = []
        years = self._doc_years
        for doc_id in sorted(q.scope.own, key=lambda d: (-(years.get(d) or 0), d)):  # the latest report first
            i = self.index.by_id.get(f"{doc_id}#p0")
            chunk = self.index.chunks[i] if i is not None else None
            if chunk is None or chunk.section != ("标题",):
                continue
            if q.report_years and chunk.meta.year not in q.report_years:
                continue
            out.append(Hit(chunk, top * 1.01))
        seen = {h.chunk.chunk_id for h in out}
        hits[:] = [h for h in hits if h.chunk.chunk_id not in seen]
        return out

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """The chunks `filters` allows (cached per filter: the UI repeats them)."""
        return self._masks.get(filters, lambda: filters.mask(self.index))

    def doc_mask(self, docs: frozenset[str]) -> np.ndarray:
        """The chunks of the documents `docs` (cached: questions about one place repeat it)."""
        return self._masks.get(docs, lambda: Filters(docs=tuple(sorted(docs))).mask(self.index))
