"""Which report speaks of which year: a year's result from the report that reviews it, its target from the
report that plans it; a year or five-year plan no report of the place can speak of is refused by name."""

import pytest

from fakes import KeywordEmbedder
from rag.domain.periods import plan_of, speaks_of, speaks_of_period
from rag.pipeline import Assistant


def test_a_report_speaks_of_its_targets_and_of_the_years_before_it():
    assert plan_of(2025) == ("十四五", 2021, 2025) and plan_of(2026)[0] == "十五五"
    assert speaks_of(2026, 2025, "actual") and not speaks_of(2025, 2025, "actual")
    assert speaks_of(2025, 2025, "target") and not speaks_of(2026, 2025, "target")
    assert not speaks_of(2025, 2026, "target")  # beyond the 十四五 the 2025 report plans
    assert speaks_of(2026, 2030, "target") and speaks_of(2024, 2035, "target")  # 十五五 goals, 远景目标
    assert speaks_of(2025, 2025, "") and not speaks_of(2025, 2027, "")
    assert speaks_of_period(2026, 2021, 2025, "actual") and not speaks_of_period(2025, 2021, 2025, "actual")
    assert speaks_of_period(2026, 2026, 2030, "target") and not speaks_of_period(2025, 2026, 2030, "target")


def _report(year: int, governor: str, review: str, plan: str) -> str:
    return (
        f"政府工作报告\n——{year}年1月20日在甲省第十四届人民代表大会第{year - 2022}次会议上\n省长 {governor}\n各位代表：\n"
        f"一、{year - 1}年工作回顾\n{review}\n二、{year}年主要目标任务\n{plan}\n"
    )


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    from rag.ingest.run import ingest

    d = tmp_path_factory.mktemp("years")
    (d / "江苏2025.txt").write_text(
        _report(2025, "许某", "全省地区生产总值增长5.8%。", "全省地区生产总值增长5%以上，粮食产量稳定在760亿斤以上。").replace(
            "甲省", "江苏省"
        ),
        encoding="utf-8",
    )
    (d / "江苏2026.txt").write_text(
        _report(
            2026,
            "刘某",
            "全省地区生产总值增长5.3%。“十四五”时期全省地区生产总值年均增长5.7%。",
            "全省地区生产总值增长5%左右。",
        ).replace("甲省", "江苏省"),
        encoding="utf-8",
    )
    (d / "浙江2025.txt").write_text(
        _report(2025, "王某", "全省生产总值增长5.5%。", "全省生产总值增长5.5%左右。").replace("甲省", "浙江省"),
        encoding="utf-8",
    )
    root = d / "index"
    ingest([d], root, KeywordEmbedder())
    return Assistant(root, embedder=KeywordEmbedder())


def test_a_target_comes_from_the_report_that_plans_its_year(bot):
    a = bot.ask("江苏2025年地区生产总值增长目标是多少？")
    assert not a.refused and "5%以上" in a.text and a.citations[0].chunk.doc_id == "江苏2025.txt"


def test_a_result_comes_from_the_report_that_reviews_its_year(bot):
    a = bot.ask("江苏2025年地区生产总值增长了多少？")  # no kind word: a year some report reviews asks its result
    assert not a.refused and "5.3%" in a.text and a.citations[0].chunk.doc_id == "江苏2026.txt"


def test_a_result_no_report_reviews_yet_is_refused_with_where_it_would_be(bot):
    a = bot.ask("浙江2025年生产总值实际增长了多少？")  # only the 2025 report: it has the 2025 target
    assert a.refused and "浙江省" in a.text and "2026年的报告" in a.text and not a.citations


def test_this_year_counts_from_the_place_s_latest_report_or_from_rag_today(bot, monkeypatch):
    a = bot.ask("浙江今年生产总值增长目标是多少？")  # 浙江's latest report is of 2025
    assert not a.refused and "5.5%左右" in a.text and "2025" in a.note
    monkeypatch.setenv("RAG_TODAY", "2026-12-07")  # asked in December 2026: 今年 is 2026
    b = bot.ask("浙江今年生产总值增长目标是多少？")
    assert b.refused and "2026年" in b.text and "5.5%左右" not in b.text
    c = bot.ask("浙江去年生产总值实际增长了多少？")
    assert c.refused and "2026年的报告" in c.text


def test_a_five_year_plan_is_answered_only_by_a_report_that_reviews_it(bot):
    a = bot.ask("“十四五”期间江苏地区生产总值年均增长多少？")
    assert not a.refused and "5.7%" in a.text
    assert a.headline == "江苏省 · “十四五”时期 · 实际：5.7%"  # the answer says the period it is about
    b = bot.ask("“十四五”期间浙江生产总值年均增长多少？")
    assert b.refused and "十四五" in b.text


def test_a_target_is_judged_against_its_result_each_from_its_own_report(bot):
    a = bot.ask("江苏去年地区生产总值增长目标完成了吗？")
    assert not a.refused and "5%以上" in a.text and "5.3%" in a.text and "结论：完成" in a.text
    docs = {c.chunk.doc_id for c in a.citations}
    assert docs == {"江苏2025.txt", "江苏2026.txt"}
    b = bot.ask("浙江2025年生产总值增长目标完成了吗？")  # no report reviews 2025 yet: the target, no verdict
    assert "5.5%左右" in b.text and "无法判断" in b.text and "结论：完成" not in b.text
    assert b.refused  # whether it was met cannot be said: a refusal that shows the target


def test_a_verdict_only_where_target_and_result_compare():
    from rag.domain.targets import completion_base, verdict

    assert verdict("5%左右", "5.6%").met is True
    assert verdict("5%以上", "增长4.8%").met is False
    assert verdict("5.0%—5.5%", "增长5%").met is True  # a range: met at its lower end
    assert verdict("3%左右", "2.1%", "居民消费价格").met is True  # a ceiling
    assert verdict("5.5%以内", "5.8%").met is False
    assert verdict("5%左右", "下降3.3%").met is False
    assert verdict("1300万吨以上", "1347万吨").met is True
    assert verdict("保8争9", "8.2%").met is None  # a slogan, no figure of the same kind
    assert verdict("5%左右", "").met is None and "实际" in verdict("5%左右", "").text
    assert verdict("120万人以上", "5.3%").met is None
    assert completion_base("北京去年定的经济增长目标完成了没有？目标和实际各是多少？") == "北京去年经济增长"
    assert completion_base("湖南2025年粮食产量是多少？达到当年目标了吗？") == "湖南2025年粮食产量"


def test_a_per_capita_figure_is_not_the_total():
    from rag.answer.indicator import slot_figures
    from rag.domain.places import known_places
    from rag.question.reading import analyse

    g = known_places(("江苏省",))
    total = analyse("江苏2025年地区生产总值是多少？", g)
    assert slot_figures(total, "人均地区生产总值突破15万元。") == []
    assert [f.text for f, _ in slot_figures(total, "地区生产总值达14.2万亿元，人均地区生产总值15万元。")] == ["14.2万亿元"]
    per_head = analyse("江苏2025年人均地区生产总值是多少？", g)
    assert [f.text for f, _ in slot_figures(per_head, "人均地区生产总值突破15万元。")] == ["15万元"]


def test_a_ratio_asked_or_not_asked_is_matched_in_any_wording_of_its_indicator():
    from rag.answer.indicator import slot_figures
    from rag.domain.places import known_places
    from rag.question.reading import analyse

    g = known_places(("海南省", "内蒙古自治区", "四川省", "甘肃省"))
    total = analyse("海南2025年地区生产总值总量是多少亿元？", g)
    # the total's clause states no amount; the next clause's figure is a ratio the question does not ask
    assert slot_figures(total, "全省地区生产总值连跨3个千亿级台阶，2025年人均生产总值提升至7.6万元。") == []
    per_head = analyse("内蒙古2025年人均GDP是多少元？", g)
    assert slot_figures(per_head, "居民人均可支配收入突破4万元，居全国第9位。") == []  # another ratio
    assert [f.text for f, _ in slot_figures(per_head, "人均生产总值达到10.1万元。")] == ["10.1万元"]  # GDP's wording
    # another wording of the indicator, clauses away from the first: "经济总量" is GDP's
    size = analyse("四川2024年GDP总量是多少？", g)
    s = "全省地区生产总值增长5.7%，高于全国0.7个百分点，经济总量达到64697亿元，保持全国第5位。"
    assert [f.text for f, _ in slot_figures(size, s)] == ["64697亿元"]
    # a paraphrase whose report wording is a ratio asks that ratio (老百姓收入 → 居民人均可支配收入)
    income = analyse("甘肃老百姓收入2024年涨了多少？", g)
    assert [f.text for f, _ in slot_figures(income, "全体居民人均可支配收入增长6.4%。")] == ["6.4%"]


def test_a_result_of_a_year_not_over_is_refused(bot):
    a = bot.ask("江苏2026年全年地区生产总值增速最终是多少？")
    assert a.refused and "2027年的报告" in a.text


def test_a_period_figure_comes_from_a_sentence_about_that_period():
    from rag.domain.periods import YEAR_SPAN, period_disagrees

    assert period_disagrees(["十四五"], "“十五五”时期地区生产总值年均增长5%左右。", "") == "只找到“十五五”的相关内容"
    assert "单一年份" in period_disagrees(["十四五"], "地区生产总值增长4.7%。", "一、2025年和“十四五”时期工作回顾")
    assert period_disagrees(["十四五"], "地区生产总值年均增长5.7%。", "") == ""
    lead = "“十四五”时期是极不平凡的五年。"
    assert period_disagrees(["十四五"], "地区生产总值达到1.5万亿元。", "一、2025年和“十四五”时期工作回顾", lead) == ""
    assert "单一年份" in period_disagrees(["十四五"], "地区生产总值增长5%。", "", "五年来成绩显著。2025年，")
    assert period_disagrees(["十四五"], "城镇新增就业522万人。", "“十四五”时期发展成就") == ""
    assert not YEAR_SPAN.search("一年来，全省上下…") and YEAR_SPAN.search("五年来")
    goal = "《纲要草案》设定了今后五年的主要指标，包括地区生产总值年均增长5%左右。"
    assert period_disagrees(["十四五"], goal, "", "", 2026) == "只找到“十五五”的相关内容"
    review = "过去五年，地区生产总值年均增长5.2%，实现“十四五”圆满收官。"
    assert period_disagrees(["十四五"], review, "一、“十四五”时期和“十五五”时期", "", 2026) == ""


def test_a_level_reached_at_a_periods_end_is_that_years_level_a_rate_or_total_is_not():
    from rag.answer.indicator import slot_figures
    from rag.domain.places import known_places
    from rag.question.reading import analyse

    g = known_places(("江苏省",))
    level = analyse("江苏2025年地区生产总值是多少？", g)
    five = "地区生产总值连续迈上4个万亿元台阶、达14.2万亿元、年均增长5.7%。"
    assert [f.text for f, _ in slot_figures(level, five)] == ["14.2万亿元"]
    jobs = analyse("江苏2025年城镇新增就业多少人？", g)
    assert slot_figures(jobs, "五年来，城镇新增就业年均超过70万人。") == []
    goal = analyse("北京2025年全员劳动生产率是多少？", g)
    assert slot_figures(goal, "《纲要草案》设置主要指标：地区生产总值年均增速4.5%-5%，全员劳动生产率达58万元/人左右。") == []


def test_today_is_read_from_rag_today_and_a_bad_value_is_a_clear_error(capsys):
    from rag.cli.main import main
    from rag.question.scope import today_year

    assert today_year({"RAG_TODAY": "2026-12-07"}) == 2026 and today_year({"RAG_TODAY": "2025"}) == 2025
    assert today_year({}) is None and today_year({"RAG_TODAY": "明年"}) is None
    assert main(["docs", "--today", "20x6"]) == 2
    assert "--today" in capsys.readouterr().err


def test_one_figure_at_two_times_is_ordered_from_both_cited_figures(bot):
    from rag.domain.comparisons import order, year_comparison

    asked = year_comparison("四川今年的粮食产量目标比去年的目标高还是低？")
    assert (asked.first, asked.second, asked.rise_fall) == ("四川今年的粮食产量目标", "四川去年的粮食产量目标", False)
    assert year_comparison("江苏2025年粮食产量和2021年相比增加了还是减少了？").second == "江苏2021年粮食产量"
    assert year_comparison("江苏2025年粮食产量是多少？") is None
    assert order("730亿斤以上", "725亿斤以上") == 1 and order("下降3%", "增长1%") == -1
    assert order("5%左右", "5%以上") == 0 and order("5%", "120万人") is None
    a = bot.ask("江苏2025年地区生产总值实际增长比2024年高还是低？")
    assert [c.chunk.doc_id for c in a.citations] == ["江苏2026.txt", "江苏2025.txt"]  # each year from its own review
    assert "结论：2025年比2024年低" in a.text and "5.3%" in a.text and "5.8%" in a.text
    a = bot.ask("浙江今年的生产总值增长目标比去年高还是低？")  # 浙江's latest report is 2025: no 2024 target here
    assert a.refused and "无法比较" in a.text and "5.5%左右" in a.text


def test_a_target_no_report_plans_is_refused_with_where_it_would_be(bot):
    a = bot.ask("江苏2024年地区生产总值增长目标是多少？")  # the 2025 report reviews 2024; only 2024's plans it
    assert a.refused and "2024年的目标要看2024年的报告" in a.text
