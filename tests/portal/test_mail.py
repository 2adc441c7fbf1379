"""With SMTP configured, the receipt also goes to the unit's addresses, and each unit's reminder
carries its own portal link (a real SMTP server on loopback: aiosmtpd)."""

from __future__ import annotations

from datetime import datetime

import pytest

from progress_audit.config import Settings
from progress_audit.intake.ledger import Ledger
from progress_audit.pipeline import collect, prepare, remind_units
from progress_audit.portal.checking import check_pending
from tests.notification.test_notify import Mailbox, Server, smtp_settings
from tests.portal.conftest import JOBS, SHANGHAI, upload

BASE = "https://dcs.example.gov.cn"


@pytest.fixture
def mailbox():
    box = Mailbox()
    with Server(box) as server:
        box.port = server.port
        yield box


@pytest.fixture
def settings(mailbox) -> Settings:
    return Settings(smtp=smtp_settings(mailbox.port), portal_base_url=BASE)


def test_the_receipt_goes_to_the_units_addresses(client, tokens, workbook, mailbox):
    book = workbook("人社局", {JOBS: {"本年累计完成": "见附件"}})
    receipt = upload(client, tokens["人社局"], book, "6月.xlsx").json()
    assert len(mailbox.received) == 1
    _, to, message = mailbox.received[0]
    assert to == ["rsj@example.gov.cn", "rsj-bgs@example.gov.cn"]
    assert message["Subject"].startswith("【回执】2019年6月进度填报表：按时收到")
    body = message.get_body().get_content()
    assert receipt["sha256"] in body and "进度填报!F8" in body and "见附件" in body
    assert f"{BASE}/u/{tokens['人社局']}" in body
    # a unit without an address gets its receipt on the page only
    upload(client, tokens["科技局"], workbook("科技局"))
    assert len(mailbox.received) == 1


def test_each_reminder_carries_the_units_own_link(data, settings, tokens, mailbox):
    now = datetime(2019, 7, 3, 9, 0, tzinfo=SHANGHAI)
    audit = prepare("2019-06", now.isoformat(), data, now=now, settings=settings)
    with Ledger.open(data) as ledger:
        month = collect(audit, ledger, workers=False)
    outcome = remind_units(audit, month)
    assert "人社局" in outcome.units
    bodies = {to[0]: m.get_body().get_content() for _, to, m in mailbox.received}
    assert f"{BASE}/u/{tokens['人社局']}" in bodies["rsj@example.gov.cn"]
    assert tokens["科技局"] not in bodies["rsj@example.gov.cn"]


def test_problems_the_quality_suites_add_later_follow_by_mail(
    client, tokens, workbook, desk, mailbox
):
    may = workbook("人社局", {JOBS: {"本年累计完成": 5000}}, month="2019年5月")
    upload(client, tokens["人社局"], may)
    june = workbook("人社局", {JOBS: {"本年累计完成": 4000, "完成状态": "推进中"}})
    receipt = upload(client, tokens["人社局"], june, "6月.xlsx").json()
    assert len(mailbox.received) == 2  # the two receipts, at once
    check_pending(desk)
    later = [m for _, _, m in mailbox.received if m["Subject"].startswith("【回执补充】2019年6月")]
    assert len(later) == 1
    assert "数据质量校验发现" in later[0]["Subject"]
    body = later[0].get_body().get_content()
    assert receipt["sha256"] in body and "6月.xlsx" in body
    fell = next(p for p in desk.receipt("人社局", receipt["sha256"]).as_dict()["problems"]
                if p["code"] == "ytd_decreased")  # fmt: skip
    assert fell["message"] in body
    assert f"{BASE}/u/{tokens['人社局']}" in body
    sent = len(mailbox.received)
    check_pending(desk)  # nothing left to check: nothing more is sent
    assert len(mailbox.received) == sent
