"""A month's journey in a real browser (Playwright driving Debian's chromium), on two web
workers over one workspace: a unit sends its workbook, the office returns it, the unit sends
the very same bytes (refused, and told why) and then a corrected one; a second clerk, under
her own name, corrects a figure; the audit log names both clerks; the month's run records the
审核值, the returned file as `returned` with its reason, and the new file counting. The unit's
page is also read at a phone's width (390×844), and the lock-out and logging out hold across
the two workers. Screenshots are kept in the test's folder (and in $PORTAL_SCREENSHOTS).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from progress_audit.config import Settings
from progress_audit.intake.ledger import Ledger
from progress_audit.portal.office import accounts
from progress_audit.portal.server import links
from tests.portal.conftest import IN_TIME, JOBS, JUNE
from tests.portal.test_browser import CHROMIUM, _shot
from tests.portal.test_office import _run
from tests.support.portal_server import start_portal
from tests.support.postgres import free_port
from tests.support.workbooks import submission

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed: apt-get install chromium fonts-noto-cjk"
)
PASSWORD = "督查室-旅程-口令"
CLERK, CLERK_PASSWORD = "李娜", "李娜的口令-2019"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def workers(tmp_path):
    """Two portals (two web workers) over one workspace and ledger, with a second clerk."""
    data = tmp_path / "data"
    made = links(data, Settings(), "http://x", period=JUNE)
    tokens = {i["unit"]: i["url"].rsplit("/", 1)[1] for i in made}
    with Ledger.open(data) as ledger:
        accounts.add_user(ledger, CLERK, CLERK_PASSWORD, datetime.now(UTC))
    env = {"PROGRESS_AUDIT_OFFICE_PASSWORD": PASSWORD}
    first = start_portal(data, free_port(), IN_TIME.isoformat(), env=env)
    # A minute ahead: the two processes' fixed clocks each advance from their own start.
    second = start_portal(data, free_port(), (IN_TIME + timedelta(minutes=1)).isoformat(), env=env)
    yield first, second, tokens, data
    first.stop()
    second.stop()


def _sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(f"{url}/office/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()


def _send(page, link: str, path) -> str:
    page.goto(link)
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="上传").click()
    page.wait_for_selector("#receipt")
    given = page.locator("#receipt").inner_text()
    # The page reloads the receipt by itself once the quality suites have joined it: wait for
    # that, so that the next navigation is ours.
    page.wait_for_selector("#receipt[data-checking='no']", timeout=180_000)
    return given


def _inside(page, inner: str, outer: str) -> bool:
    box, bounds = page.locator(inner).bounding_box(), page.locator(outer).bounding_box()
    return (
        bounds["x"] <= box["x"]
        and box["x"] + box["width"] <= bounds["x"] + bounds["width"]
        and bounds["y"] <= box["y"]
        and box["y"] + box["height"] <= bounds["y"] + bounds["height"]
    )


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_months_journey_through_two_workers_and_two_clerks(workers, tmp_path, units):
    sync_api = pytest.importorskip("playwright.sync_api")
    first, second, tokens, data = workers
    link = f"{first.url}/u/{tokens['人社局']}"
    draft = submission(tmp_path / "人社局6月.xlsx", units["人社局"], {JOBS: {"本年累计完成": 4000}})
    fixed = submission(
        tmp_path / "人社局6月-改.xlsx", units["人社局"], {JOBS: {"本年累计完成": 4500}}
    )
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            unit = browser.new_page(locale="zh-CN", viewport=DESKTOP)
            unit.on("pageerror", lambda e: errors.append(str(e)))
            receipt = _send(unit, link, draft)
            assert "按时报送" in receipt and "北京时间" in receipt
            _shot(unit, tmp_path, "journey-1-unit-receipt-desktop")

            office = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
            _sign_in(office, first.url, "office", PASSWORD)
            office.wait_for_selector("table.board")
            office.locator("tr[data-unit='人社局'] a").click()
            office.fill("#return-reason", "城镇新增就业数与统计局月报不符")
            office.click("#return")
            assert "已办理：退回" in office.locator("#done").inner_text()

            phone = browser.new_page(locale="zh-CN", viewport=PHONE)
            refused = _send(phone, link, draft)
            assert "未予采用" in refused and "内容完全相同" in refused
            assert "城镇新增就业数与统计局月报不符" in refused
            assert _no_sideways_scroll(phone)
            _shot(phone, tmp_path, "journey-2-same-bytes-refused-phone")

            receipt = _send(unit, link, fixed)
            assert "按时报送" in receipt
            phone.goto(link)
            assert _no_sideways_scroll(phone)
            _shot(phone, tmp_path, "journey-3-unit-page-phone")

            clerk = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
            _sign_in(clerk, second.url, CLERK, CLERK_PASSWORD)
            clerk.wait_for_selector("table.board")
            assert CLERK in clerk.locator(".office-nav").inner_text()
            clerk.set_viewport_size(PHONE)
            # On a phone the clerk's name and links stay inside the red bar, under its title.
            assert _inside(clerk, ".office-nav", ".masthead") and _no_sideways_scroll(clerk)
            _shot(clerk, tmp_path, "journey-4-board-phone")
            clerk.set_viewport_size(DESKTOP)
            clerk.goto(f"{second.url}/office/units/人社局")
            assert "城镇新增就业" in clerk.locator("#correct-metric").inner_text()
            clerk.select_option("#correct-metric", JOBS)
            clerk.fill("#correct-value", "4400")
            clerk.fill("#correct-reason", "按统计局月报核定")
            clerk.click("#correct")
            row = clerk.locator(f"tr[data-metric='{JOBS}']").inner_text()
            assert "审核值 4,400人（单位填报 4,500人）" in row and "5400（60.0%）" in row
            _shot(clerk, tmp_path, "journey-4-clerk-corrected")

            office.goto(f"{first.url}/office/log")
            log = office.locator("table.log").inner_text()
            assert CLERK in log and "office" in log
            _shot(office, tmp_path, "journey-5-audit-log")

            # Logging out on one worker ends the session on the other too.
            cookies = clerk.context.cookies()
            clerk.locator(".office-nav button").click()
            stale = browser.new_context(locale="zh-CN", viewport=DESKTOP)
            stale.add_cookies([{**c, "domain": "127.0.0.1"} for c in cookies])
            again = stale.new_page()
            again.goto(f"{first.url}/office")
            assert "督查室登录" in again.content()

            # Five wrong passwords, spread over both workers, lock the name on both.
            for attempt in range(5):
                url = first.url if attempt % 2 else second.url
                _sign_in(again, url, CLERK, "错误的口令")
                assert "账号或密码错误" in again.content()
            _sign_in(again, second.url, CLERK, CLERK_PASSWORD)
            assert "暂停登录" in again.content()
            _sign_in(again, first.url, CLERK, CLERK_PASSWORD)
            assert "暂停登录" in again.content()

            document, _ = _run(data, Settings(office_password=PASSWORD), _Desk(data))
            office.goto(f"{first.url}/office")
            _shot(office, tmp_path, "journey-6-board-after-run")
            office.goto(f"{first.url}/office/reports/2019-06/exceptions.html")
            _shot(office, tmp_path, "journey-7-tongbao")
        finally:
            browser.close()
    assert errors == []
    mine = {s["status"]: s for s in document["submissions"] if s["unit"] == "人社局"}
    assert sorted(mine) == ["on_time", "rejected", "returned"]
    returned = mine["returned"]["problems"]
    assert any(
        p["code"] == "returned" and "城镇新增就业数与统计局月报不符" in p["message"]
        for p in returned
    )
    assert any(p["code"] == "same_as_returned" for p in mine["rejected"]["problems"])
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS and f["unit"] == "人社局")
    assert (jobs["actual"], jobs["reported"]) == (4400, 4500)
    assert jobs["review"]["by"] == CLERK


class _Desk:
    """What `_run` needs of a desk: the workspace's ledger."""

    def __init__(self, data) -> None:
        self.ledger = Ledger.open(data)
