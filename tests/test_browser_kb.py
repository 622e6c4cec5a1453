"""The archive in a real browser (marker kb, not browser: it needs the 184-document knowledge base): a completion
table of three provinces as the app shows it — each province's 2025 target beside its result, the verdicts, the chart."""

from __future__ import annotations

import asyncio

import pytest
from test_browser import ARTIFACTS, CHROMIUM, ask, open_page, serve_copy

pytestmark = pytest.mark.kb


@pytest.fixture(scope="module")
def archive_url(kb_archive, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("需要 Debian Chromium（/usr/bin/chromium）：apt-get install chromium fonts-noto-cjk")
    with serve_copy(kb_archive[0], tmp_path_factory.mktemp("browser-kb") / "index", 2) as url:
        yield url


def test_the_completion_table_of_three_provinces(archive_url):
    async def run():
        async with open_page(archive_url) as page:
            text = await ask(page, "江苏、广东和四川2025年经济增长目标完成情况")
            table = await page.locator("#chat .rq-message").last.locator("table").inner_text()
            await page.locator("#chat .rq-chart").last.wait_for()
            await page.screenshot(path=str(ARTIFACTS / "16-completion-table.png"), full_page=True)
            return text, table

    text, table = asyncio.run(run())
    assert "完成" in text and "未完成" in text  # 江苏 5.3% ≥ 5%以上; 广东 3.9% < 5%左右
    for region in ("江苏省", "广东省", "四川省"):
        assert table.count(region) == 2  # the target row and the result row
    assert "5%以上" in table and "5.3%" in table and "3.9%" in table
