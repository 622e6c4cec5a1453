"""The one reading of a chat turn. `Reader.read` turns the text a user typed into one `Question` that every
later step reads — the follow-up resolved against the previous turn's reading, the table ask, the bridge, the
parts of a compound question, each part's place, years, kind, indicator and scope — with one place model (the
knowledge base's gazetteer) and one catalogue of its reports.

Each text is parsed once (`Reader.slots` keeps the parses of recent texts): a follow-up reads the previous
question's parse, not the previous text again, and the LLM answer's checks read the turn's `Question`.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from ..domain.comparisons import year_comparison
from ..domain.places import Gazetteer
from ..domain.targets import asks_completion, completion_base
from ..errors import QuestionError
from .followup import rewrite
from .model import Question
from .parts import bridge_question, split_question
from .reading import analyse
from .scope import Catalog, resolve
from .tables import table_query

MAX_QUESTION_CHARS = 500
_EXAMPLE = "请输入一个完整的问题，例如：张店区2022年地区生产总值是多少？"


def clean_question(text: str) -> tuple[str, str]:
    """Normalise a question; return (question, notice). Raises QuestionError if empty."""
    if not isinstance(text, str):
        raise QuestionError("问题必须是文本。")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise QuestionError(f"问题为空。{_EXAMPLE}")
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError(f"问题为空：只有标点或符号（“{cleaned[:20]}”），没有文字。{_EXAMPLE}")
    notice = ""
    if len(cleaned) > MAX_QUESTION_CHARS:
        notice = f"问题过长（{len(cleaned)} 字），已截取前 {MAX_QUESTION_CHARS} 字作答。"
        cleaned = cleaned[:MAX_QUESTION_CHARS]
    return cleaned, notice


class Reader:
    """How one knowledge base reads questions. `prepare` adds what the retrieval stage computes per question
    (term weights over the asked place's reports, the outline of a report's areas of work)."""

    def __init__(
        self,
        places: Gazetteer,
        catalog: Catalog,
        provinces: list[str],
        prepare: Callable[[Question], None] | None = None,
        memo: int = 256,
    ):
        self.places = places
        self.catalog = catalog
        self.provinces = provinces
        self._prepare = prepare
        self._parsed: OrderedDict[str, Question] = OrderedDict()
        self._memo = memo
        self._lock = Lock()

    def slots(self, text: str) -> Question:
        """The parse of `text` alone (place, years, kind, indicator; no scope). Shared: never mutate it."""
        with self._lock:
            q = self._parsed.get(text)
            if q is not None:
                self._parsed.move_to_end(text)
                return q
        q = analyse(text, self.places)
        with self._lock:
            self._parsed[text] = q
            if len(self._parsed) > self._memo:
                self._parsed.popitem(last=False)
        return q

    def question(self, text: str) -> Question:
        """The parse of `text` with its scope (which reports may answer, its years made absolute) and what
        retrieval needs of it: a question of its own, which later steps may annotate."""
        q = copy.copy(self.slots(text))  # (scope resolution reassigns fields, it does not edit them)
        q.scope = resolve(q, self.catalog)
        if self._prepare is not None:
            self._prepare(q)
        return q

    def read(self, text: str, previous: str | None = None, bridged: bool = False, tables: bool = True) -> Question:
        """The turn's `Question`. `previous`: the previous turn's question as understood (a follow-up such as
        "那临淄区呢？" is made standalone against its parse, which `slots` still holds); `bridged`: the text is the filled-in rest of a bridge question (it is
        neither a table ask nor another bridge); `tables=False`: read it as an ordinary question (a table ask
        none of whose regions has a report is answered, and refused by name, that way)."""
        understood = text
        if previous:
            understood = rewrite(text, previous, self.places, slots=self.slots).text
        bridge = None if bridged else bridge_question(understood)
        table = None
        if tables and not bridged and bridge is None and year_comparison(understood) is None:  # (two times: parts)
            table = table_query(understood, self.places, self.provinces)
        q = self.question(understood)
        q.table = table  # across regions or years: answered from the indicator records, nothing to search
        if table is None:
            if bridge is not None:  # (its parts answer it when the described place is not found)
                q.bridge, q.bridge_ask = bridge, self.question(bridge.ask)
            texts = split_question(understood, self.places, slots=self.slots)
            if len(texts) > 1:
                q.parts = [self.question(t) for t in texts]
            self._completion(q, understood)
            if not q.completion:
                self._comparison(q, understood)
        return q

    def _comparison(self, q: Question, text: str) -> None:
        """ "四川今年的粮食产量目标比去年高还是低": the figure at each time, asked as two parts (each from the report
        that speaks of its time), ordered together by the answer step."""
        asked = year_comparison(text)
        if asked is None or not self.slots(asked.first).phrases:
            return
        q.parts = [self.question(f"{asked.first}是多少？"), self.question(f"{asked.second}是多少？")]
        q.comparison = asked

    def _completion(self, q: Question, text: str) -> None:
        """ "江苏去年经济增长目标完成了吗": the year's target and its result, asked as two parts (each from the
        report that speaks of it, `rag.question.scope`), judged together by the answer step."""
        if not asks_completion(text):
            return
        base = completion_base(text)
        about = self.slots(base) if base else None
        if about is None or not about.phrases or not (about.years or about.relative or about.periods):
            return  # no indicator or no time to judge: answered as asked
        q.parts = [self.question(f"{base}目标是多少？"), self.question(f"{base}实际是多少？")]
        q.completion = True
