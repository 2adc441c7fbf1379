"""An office that collects within the reported month (June's workbooks due on 25 June, 24:00):
the setting travels as one calendar to the receipts, the unit's page, the template, the month's
run, the reminders and the 通报's 整改时限."""

from __future__ import annotations

import json
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from progress_audit.config import Settings
from progress_audit.model.period import Calendar, Period
from progress_audit.pipeline import (
    assess_month,
    check,
    collect,
    prepare,
    remind_units,
    write_outputs,
)
from progress_audit.portal.desk import Desk
from tests.portal.conftest import JOBS, JUNE, SHANGHAI, upload

ON_THE_24TH = datetime(2019, 6, 24, 10, 0, tzinfo=SHANGHAI)
ON_THE_26TH = datetime(2019, 6, 26, 10, 0, tzinfo=SHANGHAI)
LATE_UNIT = "商务局"


@pytest.fixture
def settings() -> Settings:
    return Settings(due_day=25, due_in_reported_month=True)


def test_the_setting_makes_the_offices_calendar(settings):
    calendar = Calendar.of(settings)
    assert calendar.due(JUNE) == datetime(2019, 6, 26, tzinfo=SHANGHAI)
    # In June such an office collects June's workbooks; the usual office, May's.
    assert calendar.reporting_month(ON_THE_24TH) == JUNE
    assert Calendar.of(Settings()).reporting_month(ON_THE_24TH) == Period(2019, 5)


def test_a_same_month_office_end_to_end(client, clock, tokens, workbook, desk, data, settings):
    clock.moment = ON_THE_24TH
    page = client.get(f"/u/{tokens['人社局']}")
    assert "报送截止：<strong>2019年6月25日24时</strong>" in page.text
    assert "已过截止时间" not in page.text
    template = client.get(f"/u/{tokens['人社局']}/template")
    cells = [
        c.value
        for row in load_workbook(BytesIO(template.content)).worksheets[0].iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any("2019年6月25日24时前" in v for v in cells)
    assert not any("2019年7月" in v for v in cells)

    on_time = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    assert on_time.json()["status"] == "on_time"
    clock.moment = ON_THE_26TH
    late = upload(client, tokens[LATE_UNIT], workbook(LATE_UNIT))
    assert late.json()["status"] == "late"
    assert "已过截止时间" in client.get(f"/u/{tokens[LATE_UNIT]}").text

    # The month's run on 30 June: the same statuses, the 通报's 整改时限 is July's due day.
    audit = prepare("2019-06", "2019-06-30", data, now=ON_THE_26TH, settings=settings)
    month = collect(audit, desk.ledger, workers=False)
    statuses = {s.unit: s.status for s in month.current}
    assert statuses["人社局"] == "on_time" and statuses[LATE_UNIT] == "late"
    quality = check(audit, month)
    findings = assess_month(audit, month, quality)
    missing = next(f for f in findings if f.status == "missing" and f.unit not in statuses)
    assert any("报送截止时间 2019年6月25日24时" in r for r in missing.reasons), missing.reasons
    outputs = write_outputs(audit, month, quality, findings, ON_THE_26TH)
    document = json.loads(outputs.findings_file.read_text("utf-8"))
    assert {s["unit"]: s["status"] for s in document["submissions"]}[LATE_UNIT] == "late"
    html = (audit.out_dir / "exceptions.html").read_text("utf-8")
    assert "整改时限：2019年7月25日24时前" in html
    reminded = remind_units(audit, month)
    assert reminded.due == datetime(2019, 6, 26, tzinfo=SHANGHAI)
    assert "人社局" not in reminded.units and LATE_UNIT not in reminded.units


def test_the_open_month_follows_the_calendar(data, settings, tokens):
    desk = Desk.open(data, settings)
    try:
        assert desk.open_month(ON_THE_24TH) == JUNE
    finally:
        desk.ledger.close()
