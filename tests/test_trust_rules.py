"""The rules that keep an answer to the asked place, year and indicator (issue: trust across many
reports), each on hand-made passages or the two fake reports."""

from dataclasses import replace

import numpy as np
from test_answer_rules import _hit, _q

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.features import has_slot
from rag.answer.indicator import other_indicator
from rag.answer.short import value_of
from rag.pipeline import Assistant
from rag.question.parts import split_question
from rag.question.reading import analyse
from rag.retrieval import HybridRetriever
from rag.stores.files import load_index
from rag.types import DocMeta


def _answer(question: str, *hits):
    q = _q(question)
    return ExtractiveAnswerer().answer(q.text, q, list(hits))


def test_the_figure_must_sit_in_the_clause_that_writes_out_the_indicator():
    targets = "主要预期目标：地区生产总值增长5%左右，居民收入增长与经济增长同步，单位地区生产总值能耗降低2.5%。"
    a = _answer(
        "甲山区2023年居民收入增长的具体目标是百分之几？", _hit(targets, section=("2023年目标任务",), period=2023, kind="plan")
    )
    assert a.refused  # 居民收入 has no figure; the next clause is another indicator's
    b = _answer("甲山区2023年地区生产总值增长目标是多少？", _hit(targets, section=("2023年目标任务",), period=2023, kind="plan"))
    assert not b.refused and b.short == "5%左右"


def test_a_clause_may_go_on_with_the_indicator_and_the_asked_year_wins():
    text = "经过经济普查，各市地区生产总值都有所增加，全省共增加2702亿元，2021年达到13.09万亿元，再上新台阶。"
    a = _answer("甲山区2021年地区生产总值是多少？", _hit(text))
    assert not a.refused and a.short == "13.09万亿元"


def test_another_indicator_with_the_same_head_is_no_answer():
    text = "数字经济核心产业增加值同比增长8%，“上云”企业突破2万家。"
    q = _q("甲山区2022年规模以上工业增加值增长了多少？")
    assert other_indicator(q, text)
    a = _answer(q.text, _hit(text))
    assert a.refused and "其他指标" in a.text
    assert not other_indicator(_q("甲山区2022年数字经济核心产业增加值增长了多少？"), text)


def test_a_share_is_no_growth_rate():
    text = "“四强”产业增加值占规上工业比重54%。"
    assert not has_slot(_q("甲山区2022年“四强”产业增加值增长了多少？"), text)
    assert has_slot(_q("甲山区2022年“四强”产业增加值占规上工业比重是多少？"), text)


def test_a_figure_over_several_years_does_not_answer_one_year():
    text = "近3年全社会研发经费投入年均增长12.8%，企业研发经费占比超过80%。"
    assert not has_slot(_q("甲山区2022年全社会研发投入强度是多少？"), text)
    assert has_slot(_q("甲山区近3年研发经费投入年均增长多少？"), text)


def test_an_amount_question_is_not_answered_with_a_rate():
    text = "跨境电商进出口增长20.1%，民营企业出口占全省的50.6%。"
    assert not has_slot(_q("甲山区2022年外贸进出口总额是多少？"), text)
    assert has_slot(_q("甲山区2022年进出口增长了多少？"), text)
    assert _q("甲山区2023年地区生产总值目标是多少？").units == ("money", "usd", "percent")  # a target is usually a rate


def test_a_report_speaks_only_of_its_own_years():
    """A passage without a year in a report delivered in 2023 (reviewing 2022) is no answer about 2019."""
    text = "粮食产量280.76亿斤。"
    a = _answer("甲山区2019年粮食产量是多少？", _hit(text, section=("工作回顾",), period=None, kind=""))
    assert a.refused and "只涉及" in a.text
    b = _answer("甲山区2022年粮食产量是多少？", _hit(text, section=("工作回顾",), period=None, kind=""))
    assert not b.refused


def test_a_multi_word_indicator_may_be_written_apart():
    text = "全年粮食播种面积1.1亿亩、产量825亿斤以上。"
    a = _answer("甲山区2023年粮食产量要达到多少？", _hit(text, section=("2023年目标任务",), period=2023, kind="plan"))
    assert not a.refused and a.short == "825亿斤以上"


def test_a_piece_of_an_absent_word_does_not_place_the_indicator():
    text = "社会消费品零售总额增长4.4%，出口增长5.3%。"
    a = _answer("甲山区2022年外贸进出口总额增长了多少？", _hit(text))
    assert a.refused


def test_title_block_answers_who_and_when():
    title = "2023年甲山区政府工作报告\n来源：甲山日报\n2023年1月10日在甲山区第一届人民代表大会第二次会议上甲山区区长王小明作政府工作报告。"
    meta = DocMeta(region="甲山区", doc_type="政府工作报告", year=2023, date="2023-01-10", meeting="甲山区第一届人民代表大会第二次会议",
                   speaker="王小明", speaker_title="区长")  # fmt: skip
    hit = _hit(title, section=("标题",), period=None, kind="")
    hit = replace(hit, chunk=replace(hit.chunk, meta=meta))
    who = _answer("甲山区2023年政府工作报告是谁作的？", hit)
    assert not who.refused and who.short == "王小明"
    when = _answer("甲山区2023年政府工作报告是哪天作的？", hit)
    assert not when.refused and when.short == "2023年1月10日"


def test_outline_answers_which_areas(tmp_path, fake_embedder):
    from rag.ingest.run import ingest

    report = (
        "政府工作报告\n——2023年1月10日在甲山区第一届人民代表大会第二次会议上\n各位代表：\n现在我代表区人民政府向大会报告工作。\n"
        "一、2023年工作安排\n"
        "（一）扩大有效需求\n全力扩大有效投资，新开工项目100个。\n（二）发展新质生产力\n培育新兴产业集群5个。\n"
        "（三）保障改善民生\n新增城镇就业1万人。\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "jia.txt").write_text(report, encoding="utf-8")
    ingest([tmp_path / "docs"], tmp_path / "idx", fake_embedder)
    a = Assistant(tmp_path / "idx", embedder=fake_embedder).ask("甲山区2023年重点工作有哪些方面？")
    assert not a.refused and a.short == "扩大有效需求；发展新质生产力；保障改善民生"
    assert len(a.citations) == 3 and all(c.quote in c.chunk.header for c in a.citations)


def test_compound_questions_split_on_suffixless_places_and_indicators():
    places = ["江西省", "湖南省", "湖北省", "全国"]
    assert split_question("江西和湖南2025年规模以上工业增加值增长目标分别是多少？", places) == [
        "江西2025年规模以上工业增加值增长目标是多少？",
        "湖南2025年规模以上工业增加值增长目标是多少？",
    ]  # the year written once after the second place belongs to both
    assert split_question("湖南和湖北2024年地区生产总值分别增长多少？谁更快？", places) == [
        "湖南2024年地区生产总值增长多少？",
        "湖北2024年地区生产总值增长多少？",
    ]  # the comparison is answered by the figures
    assert split_question("2024年中央财政的赤字率和赤字规模分别按多少安排？", places) == [
        "2024年中央财政的赤字率按多少安排？",
        "2024年中央财政的赤字规模按多少安排？",
    ]
    assert split_question("甘肃2024年原煤、原油、天然气产量分别是多少？", places) == [
        "甘肃2024年原煤、原油、天然气产量分别是多少？"
    ]


def test_indicator_phrases():
    assert analyse("黑龙江2025年城镇调查失业率控制目标是多少？").phrases == ["城镇调查失业率"]
    assert analyse("内蒙古2024年防沙治沙和风电光伏一体化工程建设了多少风电光伏装机？").phrases[0] == "风电光伏装机"
    assert analyse("淄博市2023年规模以上工业增加值增长了多少？").phrases == ["规模以上工业增加值"]
    assert analyse("2024年淄博市经济增速定了多少？").phrases[0] == "经济增速"  # a known paraphrase is one phrase


def test_context_places_do_not_widen_the_scope(fake_index, fake_embedder):
    r = HybridRetriever(load_index(fake_index)[0], fake_embedder)
    q = r.analyse("2023年临沂市入选山东省第二批产业集群的是哪个？")
    assert [p.name for p in q.scope.places] == ["临沂市"] and not q.scope.missing


def test_a_report_word_the_asked_place_never_uses_weighs_like_its_rarest(fake_index, fake_embedder):
    """甲山区's report never says 粮食 (临沂's does not either here); 外贸 is used by 甲山区 only: asked about
    临沂, it is an indicator 临沂's report lacks and carries weight, not none."""
    r = HybridRetriever(load_index(fake_index)[0], fake_embedder)
    q = r.analyse("临沂市2023年外贸进出口总额是多少？")
    mask = r.doc_mask(frozenset(q.scope.own))
    assert r.index.idf("外贸", mask) == 0.0 and q.weights["外贸"] > 0
    assert q.weights["外贸"] == max(q.weights.values())
    assert np.isclose(q.weights["外贸"], r.term_weight("进出口", mask)) or "进出口" not in q.weights


def test_short_answer_of_a_list_and_a_number():
    q = _q("甲山区提请票决的民生实事具体是哪些项目？")
    assert value_of(q, "提请票决的民生实事项目有：老旧小区改造、背街小巷整治、社区食堂建设。", _hit("x").chunk).startswith(
        "老旧小区改造"
    )
