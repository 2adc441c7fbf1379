"""Node plans in a real browser (Playwright for Python driving Debian's chromium): a unit sends
its plan through the file chooser, the office approves it on the board; the unit asks for an
extension on its page, the office grants it; the unit's page read at a phone's width (390×844)
has no sideways scroll. Screenshots are kept in the test's folder (and in $PORTAL_SCREENSHOTS
when set) to be looked at.

Needs `apt-get install chromium fonts-noto-cjk`; skipped, saying so, without them.
"""

from __future__ import annotations

import pytest

from progress_audit.config import Settings
from progress_audit.portal.server import links
from tests.plans.test_plans import _plan_bytes
from tests.portal.conftest import IN_TIME, JUNE
from tests.portal.test_browser import CHROMIUM, _shot
from tests.support.portal_server import start_portal
from tests.support.postgres import free_port

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed: apt-get install chromium fonts-noto-cjk"
)
PASSWORD = "督查室-节点-口令"
UNIT = "交通局"
PLAN = {
    ("7.1", 1): ("茅山旅游大道主体完工", "2019-05"),
    ("7.1", 2): ("直别公路路面施工", "2019-07"),
    ("7.1", 3): ("竣工通车", "2019-10"),
}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def portal(tmp_path):
    data = tmp_path / "data"
    made = links(data, Settings(), "http://x", period=JUNE)
    tokens = {i["unit"]: i["url"].rsplit("/", 1)[1] for i in made}
    env = {"PROGRESS_AUDIT_OFFICE_PASSWORD": PASSWORD}
    running = start_portal(data, free_port(), IN_TIME.isoformat(), env=env)
    yield running, tokens
    running.stop()


def test_a_plan_approved_on_the_board_and_an_extension_granted(portal, tmp_path, units):
    sync_api = pytest.importorskip("playwright.sync_api")
    running, tokens = portal
    url, link = running.url, f"{running.url}/u/{tokens[UNIT]}"
    plan = tmp_path / "交通局节点计划.xlsx"
    plan.write_bytes(_plan_bytes(units, rows=PLAN))
    outside: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            unit = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
            office = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
            for page in (unit, office):
                page.on(
                    "request",
                    lambda r: outside.append(r.url) if not r.url.startswith(url) else None,
                )
                page.on("pageerror", lambda e: errors.append(str(e)))

            # The unit sends its plan through the page's file chooser.
            unit.goto(link)
            assert "未报送节点计划" in unit.locator("#plan-state").inner_text()
            unit.set_input_files("#file", str(plan))
            unit.click("#upload button[type=submit]")
            unit.wait_for_selector("#plan-receipt")
            assert "已收到，待督查室审定" in unit.locator("#plan-receipt").inner_text()
            _shot(unit, tmp_path, "plans-1-unit-receipt")

            # The office signs in and approves it from the board.
            office.goto(f"{url}/office")
            office.fill("#password", PASSWORD)
            office.get_by_role("button", name="登录").click()
            office.wait_for_selector("#without-plan")
            row = office.locator(f"#without-plan tr[data-unit='{UNIT}']")
            assert "待审定" in row.inner_text()
            _shot(office, tmp_path, "plans-2-board")
            row.locator("a").click()
            office.click("#approve-plan")
            assert "审定节点计划" in office.locator("#done").inner_text()
            assert "已审定" in office.locator("#plan-state").inner_text()

            # The unit asks to move July's node to August.
            unit.goto(link)
            assert "已审定" in unit.locator("#plan-state").inner_text()
            unit.select_option("#extension-node", "7.1#2")
            unit.fill("#extension-month", "2019-08")
            unit.fill("#extension-reason", "雨季停工，路面施工顺延")
            unit.click("#extension-ask")
            assert "延期申请已提交" in unit.locator("#asked").inner_text()
            assert "待督查室决定" in unit.locator("#extensions").inner_text()

            # The office sees it waiting on the board and grants it.
            office.goto(f"{url}/office")
            waiting = office.locator(f"#pending-extensions li[data-unit='{UNIT}']")
            assert "雨季停工" in waiting.inner_text()
            waiting.locator("a").click()
            decide = office.locator("form.decide-extension[data-node='7.1#2']")
            decide.locator("input[name=reason]").fill("同意顺延一个月")
            decide.locator(".approve-extension").click()
            assert "同意延期" in office.locator("#done").inner_text()
            _shot(office, tmp_path, "plans-3-office-plan")

            unit.goto(link)
            granted = unit.locator("#extensions").inner_text()
            assert "已同意" in granted and "2019年7月 → 2019年8月" in granted
            _shot(unit, tmp_path, "plans-4-unit-desktop")

            office.goto(f"{url}/office/log")
            log = office.locator("table.log").inner_text()
            assert "审定节点计划" in log and "同意延期" in log and "申请延期" in log

            phone = browser.new_page(locale="zh-CN", viewport=PHONE, is_mobile=True)
            phone.goto(link)
            phone.wait_for_selector("#plan")
            assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            _shot(phone, tmp_path, "plans-5-unit-phone")
        finally:
            browser.close()
    assert outside == []
    assert errors == []
