"""The month's reports are listed once (`model/reports.py`): what the reports' writer writes,
what the board lists and what the mail attaches all follow that list."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from progress_audit.model.period import OFFICE_CALENDAR, Period
from progress_audit.model.reports import BY_NAME, REPORTS
from progress_audit.notification.mail import _report_attachment
from progress_audit.portal.office.running import reports_of
from progress_audit.reporting.reports import write_reports

JUNE = Period(2019, 6)
AS_OF = datetime(2019, 7, 8, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_what_is_written_listed_and_mailed_is_the_registrys(tmp_path):
    folder = tmp_path / "reports" / "2019-06"
    written = write_reports(folder, JUNE, AS_OF, [], [], calendar=OFFICE_CALENDAR)
    names = {p.name for p in written if p.parent == folder}
    assert names <= {r.name for r in REPORTS if r.monthly}
    assert {r.name for r in REPORTS if r.mailed} <= names
    listed = reports_of(tmp_path, "2019-06")
    assert [x["name"] for x in listed] == [r.name for r in REPORTS if r.name in names]
    assert all(x["title"] == BY_NAME[x["name"]].title for x in listed)
    docx = _report_attachment(folder / "exceptions.docx", JUNE)
    assert docx.name == "2019年6月督办通报.docx"
    assert docx.description == BY_NAME["exceptions.docx"].description
