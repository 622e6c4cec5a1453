"""Which reports may answer: the asked place's own, or a higher level's that names it; years counted
from the place's latest report."""

from rag.pipeline import Assistant
from rag.retrieval import HybridRetriever
from rag.stores.files import load_index


def _retriever(index, embedder):
    return HybridRetriever(load_index(index)[0], embedder)


def test_own_reports_only(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    q = r.analyse("临沂市2023年地区生产总值是多少？")
    assert q.scope.own == {"b_report.txt"} and not q.scope.higher and not q.scope.missing
    assert r.analyse("2023年地区生产总值是多少？").scope is None  # no place named: not restricted


def test_a_place_without_reports_is_refused_by_name(fake_index, fake_embedder):
    bot = Assistant(fake_index, embedder=fake_embedder)
    a = bot.ask("江苏省2023年地区生产总值是多少？")
    assert a.refused and "江苏省" in a.text and not a.citations


def test_a_higher_level_report_answers_only_when_it_names_the_place(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    q = r.analyse("兰山区2023年地区生产总值是多少？")  # a district of 临沂市: no report of its own
    assert q.scope.higher == {"b_report.txt"} and not q.scope.own
    a = Assistant(fake_index, embedder=fake_embedder).ask("兰山区2023年地区生产总值是多少？")
    assert a.refused and "兰山区" in a.text  # 临沂's report never names 兰山区


def test_relative_years_count_from_the_latest_report_of_the_place(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    q = r.analyse("临沂去年地区生产总值增长了多少？")  # the report is delivered in 2024
    assert q.years == [2023] and not q.relative and "2024" in q.scope.note
    a = Assistant(fake_index, embedder=fake_embedder).ask("临沂去年地区生产总值增长了多少？")
    assert not a.refused and "5.5%" in a.short and "2023年" in a.headline and a.note


def test_a_city_without_a_report_is_answered_only_by_a_report_above_that_states_its_figure(tmp_path, fake_embedder):
    from rag.ingest.run import ingest

    d = tmp_path / "in"
    d.mkdir()
    (d / "province.txt").write_text(
        "政府工作报告\n——2024年1月20日在山东省第十四届人民代表大会第二次会议上\n省长 王某\n各位代表：\n"
        "一、2023年工作回顾\n全省地区生产总值增长6%，其中日照市地区生产总值增长6.5%。\n",
        encoding="utf-8",
    )
    root = tmp_path / "index"
    ingest([d], root, fake_embedder)
    bot = Assistant(root, embedder=fake_embedder)
    a = bot.ask("日照2023年地区生产总值增长多少？")  # the province's sentence states the city's figure
    assert not a.refused and "6.5%" in a.short and a.citations[0].chunk.doc_id == "province.txt"
    b = bot.ask("自贡2023年地区生产总值增长多少？")  # read as a place although no report covers it
    assert b.refused and "自贡市" in b.text and not b.citations


def test_a_report_named_by_a_year_the_archive_lacks_is_refused(fake_index, fake_embedder):
    a = Assistant(fake_index, embedder=fake_embedder).ask("甲山区2025年政府工作报告提出的地区生产总值增长目标是多少？")
    assert a.refused and "甲山区2025年" in a.text


def test_a_nickname_no_report_uses_is_refused_not_answered_from_any_place(fake_index, fake_embedder):
    bot = Assistant(fake_index, embedder=fake_embedder)
    a = bot.ask("鹭岛2023年地区生产总值是多少？")  # 厦门's nickname: read as an unknown place, not as no place
    assert a.refused and "鹭岛" in a.text and not a.citations
    assert not bot.ask("请问2022年地区生产总值是多少？").refused  # a question that names no place still answers
