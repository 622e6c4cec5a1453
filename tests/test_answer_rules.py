"""Answer rules on hand-made passages: title blocks, the year a passage opens
with, compound indicators, "哪些" lists that only count, ratio figures, and
bridge questions (a place described instead of named)."""

from dataclasses import replace

from rag.answer.extractive import ExtractiveAnswerer, _units_of
from rag.answer.features import asked_compounds, has_slot, names_compounds
from rag.question.parts import bridge_question
from rag.question.reading import analyse
from rag.types import Chunk, DocMeta, Hit


def _hit(text: str, section=("2022年政府工作回顾",), period=2022, kind="review", n=1, region="甲山区") -> Hit:
    meta = DocMeta(
        region=region, doc_type="政府工作报告", title="政府工作报告", year=2023, review_years=(2022,), plan_years=(2023,)
    )
    chunk = Chunk(
        chunk_id=f"a.txt#p{n}",
        doc_id="a.txt",
        text=text,
        header=f"{region}｜2023年｜政府工作报告｜{section[-1] if section else ''}",
        meta=meta,
        section=section,
        paragraph=n,
        start=0,
        end=len(text),
        period=period,
        period_kind=kind,
    )
    return Hit(chunk, 1.0)


def _q(text: str, weight: float = 2.0):
    q = analyse(text, ["甲山区", "乙水区"])
    q.weights = {t: weight for t in q.terms}
    return q


def test_title_block_is_one_candidate_and_is_shown_on_one_line():
    title = "政府工作报告\n——2023年1月10日在甲山区第一届人民代表大会第二次会议上\n甲山区人民政府区长 张三"
    q = _q("甲山区这份政府工作报告是在哪一天的人代会上作的？")
    assert title in _units_of(title, q)
    a = ExtractiveAnswerer().answer(q.text, q, [_hit(title, section=(), period=None, kind="")])
    assert not a.refused and "1月10日" in a.text and "\n" not in a.text
    assert a.citations[0].quote in a.citations[0].chunk.text  # highlightable in its passage
    prose = "全区经济平稳。\n社会大局稳定。"
    assert prose not in _units_of(prose, q)  # punctuated paragraphs are split as usual


def test_year_question_answered_from_the_year_the_passage_opens_with():
    text = "2021年，全区上下攻坚克难。“十四五”实现良好开局，经济稳中向好。"
    q = _q("甲山区“十四五”实现良好开局的是哪一年？")
    a = ExtractiveAnswerer().answer(q.text, q, [_hit(text, section=("五年工作回顾",), period=None)])
    assert not a.refused and a.text.startswith("2021年（据所在段落开头）")
    undated = "全区上下攻坚克难。“十四五”实现良好开局，经济稳中向好。"
    b = ExtractiveAnswerer().answer(q.text, q, [_hit(undated, section=("五年工作回顾",), period=None)])
    assert b.refused  # no year anywhere: say so instead of guessing


def test_compound_indicator_must_be_named_by_the_answer():
    q = _q("甲山区2022年税收收入同比增长了多少？")
    assert asked_compounds(q) == ["税收收入"]
    assert not names_compounds(q, "城乡居民人均可支配收入同比增长5%。")
    a = ExtractiveAnswerer().answer(q.text, q, [_hit("城乡居民人均可支配收入同比增长5%，均高于经济增长。")])
    assert a.refused and "税收收入" in a.text
    # a compound that only modifies the head noun is not required
    q2 = _q("甲山区今年电动汽车充电桩总数达到多少？")
    assert asked_compounds(q2) == []


def test_which_list_needs_an_enumeration_of_the_asked_things():
    q = _q("甲山区提请票决的民生实事具体是哪些项目？")
    counts = "经过策划论证、广泛征求意见，遴选了12件民生项目，提请各位代表票决。"
    lists = "民生项目包括：老旧小区改造、口袋公园建设、长者食堂建设。"
    assert not has_slot(q, counts)
    assert has_slot(q, lists)


def test_on_topic_sentence_without_the_slot_beats_a_loosely_related_one():
    q = _q("甲山区提请票决的民生实事具体是哪些项目？")
    on_topic = _hit("经过策划论证、广泛征求意见，遴选了12件民生实事项目，提请各位代表票决。", n=1)
    loose = _hit("每年办好一批惠民、解难、暖心实事，让群众更满意。", n=2)
    a = ExtractiveAnswerer().answer(q.text, q, [on_topic, loose])
    assert a.refused and "未给出具体清单" in a.text and "12件" in a.text


def test_ratio_chain_answers_a_share_question():
    q = _q("甲山区第三产业在三次产业结构中占比多少？")
    assert has_slot(q, "三次产业占比调整为0.23∶31.13∶68.64。")
    assert not has_slot(q, "三次产业结构持续优化。")


def test_bridge_question_splits_and_fills_the_place():
    b = bridge_question("乙水区报告中与甲山区一同入选百强区的那个区，在其2021年报告中提出的增长目标是多少？")
    assert b is not None and b.kind == "区"
    assert b.ask == "乙水区报告中与甲山区一同入选百强区的是哪个区？"
    assert b.fill("丙湖区") == "丙湖区在2021年报告中提出的增长目标是多少？"
    assert bridge_question("甲山区2022年地区生产总值是多少？") is None
    assert bridge_question("那个区的情况怎么样") is None  # no description before it


def test_naming_finds_the_described_place():
    q = _q("市报告中与甲山区一同入选百强区的是哪个区？")
    hit = _hit("统筹区县发展，甲山区、丙湖区跻身全国百强区，丁县入选百强县。", region="全市")
    hit = replace(hit, chunk=replace(hit.chunk, chunk_id="m.txt#p3"))
    named = ExtractiveAnswerer().naming(q, [hit], {"丙湖区": "丙湖区", "丙湖": "丙湖区"})
    assert named is not None and named[0] == "丙湖区" and "[1]" in named[1].text
    assert ExtractiveAnswerer().naming(q, [hit], {"戊山区": "戊山区"}) is None


def test_figure_must_sit_by_the_indicator_not_by_a_change_word():
    targets = "主要预期目标为：地区生产总值增长6%左右，外贸进出口总额增长5%左右，实际使用外资量稳质升。"
    q = _q("甲山区实际使用外资的增长目标是多少？")
    assert not has_slot(q, targets)  # 增长 sits by other indicators' figures; 外资 has none
    assert has_slot(_q("甲山区外贸进出口总额增长目标是多少？"), targets)
    a = ExtractiveAnswerer().answer(q.text, q, [_hit(targets, section=("2023年工作安排",), period=2023, kind="plan")])
    assert a.refused


def test_size_of_an_amount_is_not_answered_with_its_growth_rate():
    growth = "全年预计地区生产总值同比增长7%，一般公共预算收入同比增长23.1%。"
    q = _q("甲山区2022年经济总量有多大？")
    assert "percent" not in q.units
    assert not has_slot(q, growth)
    assert has_slot(q, "全年地区生产总值完成805亿元，同比增长3.4%。")
    assert has_slot(_q("甲山区2022年地区生产总值增长多少？"), growth)


def test_quoted_term_is_answered_from_its_definition_in_the_notes():
    notes = "23. 五长制：河长制、湖长制、林长制、路长制、街长制。\n24. 一懂两爱：懂农业、爱农村、爱农民。"
    body = "完善巡查检查体系，深入推行“五长制”，畅通环境投诉举报渠道、保持高压态势、提升治污水平。"
    q = _q("甲山区要深入推行的“五长制”包括哪几个？")
    hits = [_hit(body, n=1), _hit(notes, section=("注释",), period=None, kind="", n=2)]
    a = ExtractiveAnswerer().answer(q.text, q, hits)
    assert not a.refused and "林长制" in a.text and "一懂两爱" not in a.text
    other = _q("甲山区要深入推行的“三长制”包括哪几个？")  # a term the notes do not define
    assert "林长制" not in ExtractiveAnswerer().answer(other.text, other, hits).text


def test_a_figure_for_another_resident_group_does_not_answer():
    total = "城乡居民人均可支配收入达39351元，提前一年实现比2010年翻一番。"
    q = _q("甲山区2022年农民人均可支配收入是多少元？")
    a = ExtractiveAnswerer().answer(q.text, q, [_hit(total)])
    assert a.refused and "城乡居民" in a.text
    both = "城镇和农村居民人均可支配收入分别增长5%、5.8%。"
    b = ExtractiveAnswerer().answer(
        "甲山区2022年农村居民人均可支配收入增长多少？", _q("甲山区2022年农村居民人均可支配收入增长多少？"), [_hit(both)]
    )
    assert not b.refused and "5.8%" in b.text
    c = _q("甲山区2022年城乡居民人均可支配收入是多少元？")
    assert not ExtractiveAnswerer().answer(c.text, c, [_hit(total)]).refused


def test_a_share_answers_only_when_the_sentence_names_the_part():
    share = "20条重点产业链营业收入同比增长10%，“四强”产业增加值占规上工业比重54%。"
    q = _q("甲山区2022年全社会研发投入占GDP比重是多少？")
    a = ExtractiveAnswerer().answer(q.text, q, [_hit(share)])
    assert a.refused and "研发投入" in a.text
    ok = _q("甲山区2022年“四强”产业增加值占规上工业的比重是多少？")
    assert "54%" in ExtractiveAnswerer().answer(ok.text, ok, [_hit(share)]).text


def test_a_rate_asked_with_duoda_is_still_a_rate():
    assert _q("甲山区2022年营业收入同比涨幅有多大？").units == ("percent",)
    assert "percent" not in _q("甲山区2022年营业收入规模有多大？").units


def test_a_rank_is_asked_and_read_as_a_rank():
    from rag.domain.vocabulary import RANK

    ranks = lambda t: [m.group(0) for m in RANK.finditer(t)]  # noqa: E731
    assert ranks("总量居全省第5位、增速居全省第4位") == ["全省第5位", "全省第4位"]
    assert ranks("总量位居全省第4、皖北第1，增速") == ["全省第4", "皖北第1"]
    assert ranks("第二产业增加值增长5%，全国第一批试点，第14届") == []
