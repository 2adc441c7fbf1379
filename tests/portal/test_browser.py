"""A unit in a real browser (Playwright for Python driving Debian's chromium): it opens its link,
uploads its workbook through the file chooser and reads its receipt; then drags a second one
onto the drop zone. Screenshots are kept in the test's folder (and in $PORTAL_SCREENSHOTS when
set) to be looked at.

Needs `apt-get install chromium fonts-noto-cjk`; skipped, saying so, without them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from progress_audit.config import Settings
from progress_audit.portal.server import links
from tests.portal.conftest import IN_TIME, JOBS, JUNE
from tests.support.portal_server import start_portal
from tests.support.postgres import free_port
from tests.support.workbooks import submission

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed: apt-get install chromium fonts-noto-cjk"
)


@pytest.fixture
def portal(tmp_path, units):
    data = tmp_path / "data"
    made = links(data, Settings(), "http://x", period=JUNE)
    tokens = {i["unit"]: i["url"].rsplit("/", 1)[1] for i in made}
    running = start_portal(data, free_port(), IN_TIME.isoformat())
    yield running, tokens
    running.stop()


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("PORTAL_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def test_a_unit_uploads_through_the_file_chooser_and_reads_its_receipt(portal, tmp_path, units):
    sync_api = pytest.importorskip("playwright.sync_api")
    running, tokens = portal
    book = submission(
        tmp_path / "人社局6月.xlsx", units["人社局"], {JOBS: {"本年累计完成": "见附件"}}
    )
    link = f"{running.url}/u/{tokens['人社局']}"
    outside: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1200, "height": 900})
            page.on(
                "request",
                lambda r: outside.append(r.url) if not r.url.startswith(running.url) else None,
            )
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
            page.goto(link)
            assert page.title().startswith("人社局 2019年6月")
            assert "还剩" in page.locator("#countdown").inner_text()  # the script ran (CSP)
            _shot(page, tmp_path, "1-unit-page")

            with page.expect_file_chooser() as chooser:
                page.locator("#drop").click()
            chooser.value.set_files(str(book))
            page.get_by_role("button", name="上传").click()
            page.wait_for_selector("#receipt")
            receipt = page.locator("#receipt").inner_text()
            assert "按时报送" in receipt and "进度填报!F8" in receipt and "见附件" in receipt
            _shot(page, tmp_path, "2-receipt")
            # the quality suites join within seconds; the page reloads the receipt by itself
            page.wait_for_selector("#receipt[data-checking='no']", timeout=60_000)
            assert "正在进行本月数据质量校验" not in page.locator("#receipt").inner_text()
            _shot(page, tmp_path, "3-receipt-checked")

            page.goto(link)
            assert "人社局6月.xlsx" in page.locator("table.receipts").inner_text()
            _shot(page, tmp_path, "4-unit-page-with-receipt")
        finally:
            browser.close()
    assert outside == []
    assert errors == []
