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


async def table_with_chart(page, question: str) -> tuple[str, str]:
    """Ask a table question; its answer's text and its table's, once the chart is shown."""
    text = await ask(page, question)
    table = await page.locator("#chat .rq-message").last.locator("table").inner_text()
    await page.locator("#chat .rq-chart").last.wait_for()
    return text, table


async def shoot(page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_the_completion_table_of_three_provinces(archive_url):
    async def run():
        async with open_page(archive_url) as page:
            text, table = await table_with_chart(page, "江苏、广东和四川2025年经济增长目标完成情况")
            await shoot(page, "16-completion-table.png")
            return text, table

    text, table = asyncio.run(run())
    assert "完成" in text and "未完成" in text  # 江苏 5.3% ≥ 5%以上; 广东 3.9% < 5%左右
    for region in ("江苏省", "广东省", "四川省"):
        assert table.count(region) == 2  # the target row and the result row
    assert "5%以上" in table and "5.3%" in table and "3.9%" in table


def test_a_trend_table_and_a_comparison_of_two_years(archive_url):
    async def run():
        async with open_page(archive_url) as page:
            trend, table = await table_with_chart(page, "江苏近三年地区生产总值增速")
            await shoot(page, "17-trend-table.png")
            compared = await ask(page, "四川今年的粮食产量目标比去年的目标高还是低？")
            await shoot(page, "18-two-years-compared.png")
            return trend, table, compared

    trend, table, compared = asyncio.run(run())
    assert "2023—2025年" in trend and [y in table for y in ("2023", "2024", "2025")] == [True] * 3
    assert "5.8%" in table and "5.3%" in table  # 2024 from the 2025 report, 2025 from the 2026 report
    assert "730亿斤以上" in compared and "725亿斤以上" in compared and "结论：2026年比2025年高" in compared
