"""The Gradio app: the named `ask` endpoint over real HTTP, the chat turn
(streaming, citation links, follow-ups, filters, refusals), escaping, the
knowledge base (upload, delete, rebuild, limits, file names) and export."""

import re
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from rag.app import briefings, build_app, sources_html
from rag.app import library as library_mod
from rag.app.briefings import export_file
from rag.app.chat import make_filters, respond
from rag.app.library import Library, safe_name
from rag.app.modes import get_mode
from rag.errors import LoadError, RagError
from rag.export import official
from rag.pipeline import Assistant
from rag.stores.files import current_generation

GDP = "甲山区2022年地区生产总值是多少？"
NEW_PLACE = """政府工作报告
——2024年1月12日在丙河县
第五届人民代表大会第三次会议上

各位代表：
现在，我代表县人民政府向大会报告工作，请予审议。

2023年政府工作回顾

丙河县茶叶产量达到2.35万吨，茶产业综合产值突破40亿元。
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bot(fake_index, fake_embedder):
    return Assistant(fake_index, embedder=fake_embedder)


@pytest.fixture
def served(bot):
    demo = build_app(bot)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_ask_endpoint_returns_prediction_object(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    pred = client.predict(GDP, api_name="/ask")
    assert not pred["refused"] and "805亿元" in pred["answer"]
    assert pred["citations"][0]["doc"] == "a_report.txt" and pred["retrieved"]
    bad = client.predict("   ", api_name="/ask")
    assert bad["refused"] and "问题为空" in bad["answer"]


def test_page_serves_chinese_ui(served):
    html = urllib.request.urlopen(served, timeout=30).read().decode("utf-8")
    assert "政府工作报告问答助手" in html
    config = urllib.request.urlopen(served + "config", timeout=30).read().decode("utf-8")
    for label in (
        "知识库",
        "引用来源",
        "地区筛选",
        "检索段落数",
        "大模型生成（未配置）",
        "导出 Markdown",
        "删除所选文档",
        "高级设置",
    ):
        assert label in config
    for technical in ("检索段落数 k", "抽取式", "毫秒"):  # words a reader would not understand
        assert technical not in config


def run(bot, message, turns=None, **kw):
    steps = list(respond(bot, message, [], turns or [], delay=0, **kw))
    history, panel, turns = steps[-1]
    return steps, history[-1]["content"], panel, turns


def test_chat_streams_sentence_by_sentence_and_links_citations(bot):
    steps, message, panel, turns = run(bot, "甲山区2022年地区生产总值和一般公共预算收入是多少？")
    shown = [s[0][-1]["content"] for s in steps]
    assert "正在检索" in shown[0]  # placeholder first
    assert len(steps) >= 3 and len(set(shown)) == len(shown)  # the answer grows
    assert '<a class="rq-cite" href="#src-1-1">[1]</a>' in message and "805亿元" in message
    assert 'id="src-1-1"' in panel and "<mark>" in panel and "a_report.txt" in panel
    assert len(turns) == 1 and turns[0].answer.citations


def test_follow_up_is_rewritten_and_shown(bot):
    _, _, _, turns = run(bot, GDP)
    _, message, panel, turns = run(bot, "那2023年的目标呢？", turns)
    assert "已理解为：甲山区2023年地区生产总值目标是多少？" in message
    assert "6%左右" in message and 'href="#src-2-1"' in message
    assert "<details" in panel and 'id="src-1-1"' in panel  # the first answer's sources stay reachable


def test_filters_are_applied_and_shown(bot):
    _, message, panel, turns = run(bot, GDP, docs=["b_report.txt"])
    assert "筛选：文档 b_report.txt" in message
    assert all(c.chunk.doc_id == "b_report.txt" for c in turns[0].answer.citations)
    assert all(h.chunk.doc_id == "b_report.txt" for h in turns[0].answer.retrieved)
    filters, words = make_filters(["甲山区"], ["2022"], [])
    assert filters.regions == ("甲山区",) and filters.years == (2022,) and words == "地区 甲山区；年份 2022年"
    assert make_filters([], [], []) == (None, "")


def test_refusals_look_different(bot):
    _, message, _, turns = run(bot, "甲山区2022年养老床位有多少张？")
    assert turns[0].answer.refused
    assert 'class="rq-refusal"' in message and "〔未找到答案〕" in message and "rq-answer" not in message


def test_errors_are_shown_as_messages(tmp_path, fake_embedder):
    _, message, _, turns = run(Assistant(tmp_path / "none", embedder=fake_embedder), GDP)
    assert "rq-error" in message and "rag ingest" in message and turns == []


def test_unavailable_mode_falls_back_with_notice(bot):
    mode, notice = get_mode("llm")
    assert mode.key == "extractive" and "LLM" not in mode.label and "不可用" in notice
    _, message, _, _ = run(bot, GDP, mode="llm")
    assert "805亿元" in message and "已改用" in message


def test_document_and_user_text_is_escaped(bot):
    import dataclasses

    from rag.types import Answer, Citation

    answer = bot.ask(GDP)
    c = answer.citations[0]
    hostile = dataclasses.replace(c.chunk, text=c.chunk.text + "<script>alert(1)</script><img src=x onerror=alert(2)>")
    out = sources_html(Answer("q", "a", False, [Citation(1, hostile, c.quote)], []))
    assert "<script>" not in out and "<img" not in out and "&lt;script&gt;" in out
    assert "<mark>" in out  # the quoted sentence is highlighted
    steps, message, _, _ = run(bot, "<img src=x onerror=alert(1)>甲山区2022年地区生产总值是多少？")
    assert "<img" not in steps[-1][0][0]["content"] and "&lt;img" in steps[-1][0][0]["content"]


def test_safe_name_keeps_only_a_clean_base_name():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\windows\\报告.TXT") == "报告.txt"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name('a<b>:"c|?*.txt') == "abc.txt"
    for bad in ("../", "..", "...", "/", "<>"):
        with pytest.raises(LoadError, match="文件名"):
            safe_name(bad)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


class Recorder:
    """A tracker that keeps what an action reports (phases by hand, counted steps, messages)."""

    def __init__(self):
        self.phases, self.steps, self.messages = [], [], []

    def phase(self, phase, detail, within=0.0):
        self.phases.append(phase)

    def step(self, step):
        self.steps.append(step)

    def message(self, text):
        self.messages.append(text)


def test_upload_ask_delete(bot, fake_index, tmp_path):
    lib = Library(fake_index, bot.embedder)
    seen = Recorder()
    results = lib.upload([write(tmp_path / "in" / "binghe.txt", NEW_PLACE)], tracker=seen)
    assert [(r.name, r.ok) for r in results] == [("binghe.txt", True)] and "个段落" in results[0].message
    # counted progress reaches the display through every phase: read, cut, embed, write
    assert [s.stage for s in seen.steps if s.done == s.total] == ["读取文档", "切分", "向量化", "写入索引"]
    assert seen.phases[0] == "读取" and seen.phases[-1] == "写入索引"
    assert (fake_index / "uploads" / "binghe.txt").is_file()
    row = next(r for r in lib.documents() if r["doc_id"] == "binghe.txt")
    assert row["region"] == "丙河县" and row["chunks"] > 0 and row["origin"] == "上传"
    assert row["label"] == "丙河县政府工作报告（2024年）" and row["facts"] == "丙河县 · 2024年 · 政府工作报告"
    assert "丙河县" in lib.choices()["regions"]
    answer = bot.ask("丙河县茶叶产量达到多少？")
    assert "2.35万吨" in answer.text and answer.citations[0].chunk.doc_id == "binghe.txt"

    assert "已删除 1 个文档" in lib.delete(["binghe.txt"])
    assert not (fake_index / "uploads" / "binghe.txt").exists()
    assert all(r["doc_id"] != "binghe.txt" for r in lib.documents())
    again = bot.ask("丙河县茶叶产量达到多少？")  # the Assistant reloads the new generation by itself
    assert all(h.chunk.doc_id != "binghe.txt" for h in again.retrieved)


def test_bad_uploads_are_rejected_and_leave_the_index_as_it_was(bot, fake_index, tmp_path, monkeypatch):
    lib = Library(fake_index, bot.embedder)
    before = current_generation(fake_index)
    monkeypatch.setattr(library_mod, "MAX_BYTES", 1000)
    files = [
        write(tmp_path / "in" / "tool.exe", b"MZ\x00\x00"),
        write(tmp_path / "in" / "big.txt", "很长的报告。" * 200),
        write(tmp_path / "in" / "binary.txt", b"\x00\x01\x02\x03" * 10),
        write(tmp_path / "in" / "empty.md", ""),
    ]
    results = {r.name: r for r in lib.upload(files)}
    assert not any(r.ok for r in results.values())
    assert "不支持的文件类型“.exe”" in results["tool.exe"].message
    assert "文件过大" in results["big.txt"].message and "MB" in results["big.txt"].message
    assert "二进制" in results["binary.txt"].message
    assert "空" in results["empty.md"].message
    assert current_generation(fake_index) == before
    assert not any(p.name != ".lock" and not p.name.startswith(".") for p in (fake_index / "uploads").iterdir())


def test_failed_ingest_restores_replaced_upload(bot, fake_index, tmp_path, monkeypatch):
    lib = Library(fake_index, bot.embedder)
    assert lib.upload([write(tmp_path / "v1" / "binghe.txt", NEW_PLACE)])[0].ok

    def broken(*a, **kw):
        raise RagError("磁盘已满")

    monkeypatch.setattr(library_mod, "ingest", broken)
    result = lib.upload([write(tmp_path / "v2" / "binghe.txt", NEW_PLACE.replace("2.35", "9.99"))])[0]
    assert not result.ok and "索引保持不变" in result.message and "磁盘已满" in result.message
    assert "2.35万吨" in (fake_index / "uploads" / "binghe.txt").read_text(encoding="utf-8")


def test_delete_and_rebuild_messages(bot, fake_index):
    lib = Library(fake_index, bot.embedder)
    with pytest.raises(RagError, match="请先在列表中选择"):
        lib.delete([])
    with pytest.raises(RagError, match="没有这些文档"):
        lib.delete(["nope.txt"])
    before = current_generation(fake_index)
    assert "重建完成：2 个文档" in lib.rebuild()
    assert current_generation(fake_index) != before
    assert "805亿元" in bot.ask(GDP).text


def test_export_file_writes_markdown_and_docx(bot):
    _, _, _, turns = run(bot, GDP)
    _, _, _, turns = run(bot, "那2023年的目标呢？", turns)
    md_path = Path(export_file(turns, "all", "md"))
    md = md_path.read_text(encoding="utf-8")
    assert "问题 1" in md and "问题 2" in md and "805亿元" in md
    assert re.fullmatch(r"简报-\d{4}年\d{2}月\d{2}日\.md", md_path.name)
    last = Path(export_file(turns, "last", "md")).read_text(encoding="utf-8")
    assert "问题 2" not in last and "6%左右" in last
    only_second = Path(export_file(turns, [1], "md")).read_text(encoding="utf-8")
    assert "805亿元" not in only_second and "6%左右" in only_second
    assert Path(export_file(turns, "all", "docx")).stat().st_size > 5000
    with pytest.raises(RagError, match="请先提问"):
        export_file([], "all", "md")
    with pytest.raises(RagError, match="至少勾选一个"):
        export_file(turns, [], "md")


def test_export_choices_tick_all_but_refusals(bot):
    _, _, _, turns = run(bot, GDP)
    _, _, _, turns = run(bot, "甲山区2022年的火星基地有多少个？", turns)
    options, ticked = briefings.choices(turns)
    assert [label for label, _ in options][1].endswith("（未找到答案）")
    assert ticked == [0]


def test_word_briefing_is_an_official_a4_page_in_chinese(bot, tmp_path):
    from docx import Document
    from docx.shared import Cm

    _, _, _, turns = run(bot, GDP)
    path = Path(export_file(turns, "all", "docx"))
    doc = Document(str(path))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.05) and abs(section.page_height - Cm(29.7)) < Cm(0.05)
    styles = doc.styles.element.xml
    assert 'w:eastAsia="zh-CN"' in styles and 'w:val="en-US"' not in styles
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) in official.BODY_FONTS
    heading = doc.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) in official.HEADING_FONTS
    assert "PAGE" in section.footer._element.xml  # the page number field


def test_split_question_exports_its_parts(bot):
    _, _, _, turns = run(bot, "甲山区2022年地区生产总值是多少？2023年的目标是多少？")
    notice = turns[-1].answer.notice
    assert notice.startswith("已拆分为")
    assert notice in Path(export_file(turns, "all", "md")).read_text(encoding="utf-8").replace("\\", "")


def test_edit_metadata_is_kept_across_rebuilds(bot, fake_index):
    lib = Library(fake_index, bot.embedder)
    doc_id = lib.documents()[0]["doc_id"]
    seen = Recorder()
    said = lib.edit(doc_id, {"region": "乙水县", "year": "2021", "date": "2021年1月8日", "title": ""}, tracker=seen)
    assert "已修改" in said and "乙水县" in said and "重建" in said
    row = next(r for r in lib.documents() if r["doc_id"] == doc_id)
    assert (row["region"], row["year"], row["date"], row["level"]) == ("乙水县", 2021, "2021-01-08", "county")
    assert any(s.stage == "写入索引" for s in seen.steps)
    lib.rebuild()
    row = next(r for r in lib.documents() if r["doc_id"] == doc_id)
    assert (row["region"], row["year"]) == ("乙水县", 2021)  # kept across the rebuild
    assert "没有变化" in lib.edit(doc_id, {"region": "乙水县"})
    with pytest.raises(RagError, match="日期"):
        lib.edit(doc_id, {"date": "明年"})
    with pytest.raises(RagError, match="选择要修改的文档"):
        lib.edit("", {"region": "乙水县"})


def test_delete_asks_first_naming_the_documents(bot, fake_index):
    lib = Library(fake_index, bot.embedder)
    rows = lib.documents()
    text = lib.delete_preview([rows[0]["doc_id"]])
    assert text.startswith("确定要删除以下 1 个文档吗？") and rows[0]["doc_id"] in text and rows[0]["label"] in text
    assert "不是在这里上传的" in text  # a document ingested from the command line
    assert len(lib.documents()) == len(rows)  # nothing deleted yet
    with pytest.raises(RagError, match="请先在列表中选择"):
        lib.delete_preview([])


def test_progress_display_shows_one_percentage_phase_and_time_left():
    from rag.app import jobs
    from rag.progress import Step

    def work(tracker):
        tracker.phase("读取", "检查文件 1/1：a.txt")
        tracker.step(Step("向量化", 50, 100, 10.0))
        time.sleep(0.3)
        return "好了"

    shown = list(jobs.run("导入", work, tick=0.05))
    html, result, finished = shown[-1]
    assert finished and result == "好了" and all(not f for _, _, f in shown[:-1])
    middle = next(h for h, _, _ in shown if "向量化" in h)
    assert "预计还需 10 秒" in middle and middle.count("%</span>") == 1
    assert re.search(r">(\d+)%<", middle).group(1) == str(int((0.2 + 0.72 * 0.5) * 100))

    def broken(tracker):
        raise RagError("磁盘已满")

    with pytest.raises(RagError, match="磁盘已满"):
        list(jobs.run("导入", broken, tick=0.05))


def test_citation_shows_the_figure_year_and_the_report_apart(bot):
    answer = bot.ask(GDP)
    html = sources_html(answer, 1)
    # the 2022 figure of the report delivered in 2023: the two years apart, each labelled
    assert "<b>数据年份</b> 2022年" in html and "<b>报告</b> 甲山区政府工作报告（2023年）" in html
    assert "2022年政府工作回顾" in html


def test_docx_upload_is_answered_from(bot, fake_index, tmp_path):
    from docx import Document

    doc = Document()
    for line in NEW_PLACE.splitlines():
        doc.add_paragraph(line)
    path = tmp_path / "in" / "binghe.docx"
    path.parent.mkdir()
    doc.save(str(path))
    result = Library(fake_index, bot.embedder).upload([path])[0]
    assert result.ok, result.message
    answer = bot.ask("丙河县茶叶产量达到多少？")
    assert "2.35万吨" in answer.text and answer.citations[0].chunk.doc_id == "binghe.docx"
