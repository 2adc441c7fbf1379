"""The office in a real browser (Playwright for Python driving Debian's chromium): it logs in,
returns one unit's workbook, corrects another's figure, runs the month's audit from the board
and opens the 通报; the returned unit sees the reason on its own page. Screenshots are kept in
the test's folder (and in $PORTAL_SCREENSHOTS when set) to be looked at.

Needs `apt-get install chromium fonts-noto-cjk`; skipped, saying so, without them.
"""

from __future__ import annotations

import json

import httpx
import pytest

from progress_audit.config import Settings
from progress_audit.portal.server import links
from tests.portal.conftest import IN_TIME, JOBS, JUNE
from tests.portal.test_browser import CHROMIUM, _shot
from tests.support.portal_server import start_portal
from tests.support.postgres import free_port
from tests.support.workbooks import submission

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed: apt-get install chromium fonts-noto-cjk"
)
PASSWORD = "督查室-浏览器-口令"
OTHER, METRIC = "商务局", "1.1.1"


@pytest.fixture
def portal(tmp_path):
    data = tmp_path / "data"
    made = links(data, Settings(), "http://x", period=JUNE)
    tokens = {i["unit"]: i["url"].rsplit("/", 1)[1] for i in made}
    env = {"PROGRESS_AUDIT_OFFICE_PASSWORD": PASSWORD}
    running = start_portal(data, free_port(), IN_TIME.isoformat(), env=env)
    yield running, tokens, data
    running.stop()


def _upload(url: str, token: str, path) -> None:
    answer = httpx.post(
        f"{url}/u/{token}/upload",
        files={"file": (path.name, path.read_bytes())},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text


def test_the_office_returns_corrects_runs_and_reads_the_tongbao(portal, tmp_path, units):
    sync_api = pytest.importorskip("playwright.sync_api")
    running, tokens, data = portal
    url = running.url
    _upload(
        url,
        tokens["人社局"],
        submission(tmp_path / "rs.xlsx", units["人社局"], {JOBS: {"本年累计完成": 4000}}),
    )
    _upload(
        url,
        tokens[OTHER],
        submission(tmp_path / "sw.xlsx", units[OTHER], {METRIC: {"本年累计完成": 150}}, unit=OTHER),
    )
    outside: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page.on(
                "request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{url}/office")
            assert "督查室登录" in page.content()
            page.fill("#password", "wrong")
            page.get_by_role("button", name="登录").click()
            assert "密码错误" in page.locator("#login-error").inner_text()
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("table.board")
            _shot(page, tmp_path, "office-1-board")

            page.locator("tr[data-unit='人社局'] a").click()
            page.fill("#return-reason", "城镇新增就业数与统计局月报不符，请核实后重报")
            page.click("#return")
            assert "已办理：退回" in page.locator("#done").inner_text()
            _shot(page, tmp_path, "office-2-returned")

            page.goto(f"{url}/office")
            page.locator(f"tr[data-unit='{OTHER}'] a").click()
            page.select_option("#correct-metric", METRIC)
            page.fill("#correct-value", "120")
            page.fill("#correct-reason", "按商务部门台账核定")
            page.click("#correct")
            row = page.locator(f"tr[data-metric='{METRIC}']").inner_text()
            assert "审核值 120" in row and "单位填报 150" in row
            _shot(page, tmp_path, "office-3-corrected")

            unit_page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
            unit_page.goto(f"{url}/u/{tokens['人社局']}")
            assert "统计局月报不符" in unit_page.locator(".returned").first.inner_text()
            _shot(unit_page, tmp_path, "office-4-unit-sees-return")

            page.goto(f"{url}/office")
            page.click("#run-now")
            page.wait_for_selector("#reports a", timeout=420_000)
            assert "督查完成" in page.locator("#run-state").inner_text()
            _shot(page, tmp_path, "office-5-run-done")
            page.locator("#reports a", has_text="督办通报（网页）").click()
            page.wait_for_load_state()
            text = page.content()
            assert "审核值 120亿元（单位填报 150亿元）" in text
            assert "统计局月报不符" in text
            _shot(page, tmp_path, "office-6-tongbao")

            page.goto(f"{url}/office/log")
            log = page.locator("table.log").inner_text()
            assert "退回" in log and "核定审核值" in log
            _shot(page, tmp_path, "office-7-log")
        finally:
            browser.close()
    assert outside == []
    assert errors == []
    document = json.loads((data / "reports" / "2019-06" / "findings.json").read_text("utf-8"))
    statuses = {s["unit"]: s["status"] for s in document["submissions"]}
    assert statuses["人社局"] == "returned"
    fixed = next(f for f in document["findings"] if f["metric_id"] == METRIC and f["unit"] == OTHER)
    assert (fixed["actual"], fixed["reported"], fixed["review"]["action"]) == (120, 150, "correct")
