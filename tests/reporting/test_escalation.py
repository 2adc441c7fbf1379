"""The escalation ladder in the 通报 and on the dashboard: a line 严重滞后 two months running is
named in 督办要求 for 约谈 (html, Word and workbook alike) and listed on the dashboard, from the
month before's findings.json; the number of months is the lighting rule's setting."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from progress_audit.model.period import Period, parse_as_of
from progress_audit.reporting.dashboards import write_dashboard
from progress_audit.reporting.findings_file import findings_document, write_findings
from progress_audit.reporting.reports import write_reports
from tests.reporting.test_reports import finding, sub

MAY, JUNE = Period(2019, 5), Period(2019, 6)
TALK = "约谈"


def month(status_of_61: str, status_of_11: str):
    return [
        finding("6.1", "6.1.1", "科技局", ["王斌"], status_of_61, ratio=0.3, name="新增研发机构"),
        finding("1.1", "1.1.1", "商务局", ["周新生"], status_of_11, ratio=0.4),
        finding("2.1", "2.1.1", "商务局", ["各区长"], "on_track", ratio=1.0),
    ]


@pytest.fixture
def reports(tmp_path):
    """May and June audited: 科技局's 6.1.1 red both months, 商务局's 1.1.1 red only in June."""
    root = tmp_path / "reports"
    for period, findings in (
        (MAY, month("off_track", "at_risk")),
        (JUNE, month("off_track", "off_track")),
    ):
        folder = root / str(period)
        folder.mkdir(parents=True)
        as_of = parse_as_of(f"{period.next()}-06")
        subs = [sub("科技局", "on_time"), sub("商务局", "on_time")]
        write_findings(folder / "findings.json", findings_document(period, as_of, findings, subs))
    return root


def write_june(root, escalate_after=2):
    as_of = parse_as_of("2019-07-06")
    findings = month("off_track", "off_track")
    subs = [sub("科技局", "on_time"), sub("商务局", "on_time")]
    return write_reports(
        root / "2019-06", JUNE, as_of, findings, subs, escalate_after=escalate_after
    )


def text_of(path) -> str:
    if path.suffix == ".html":
        return path.read_text("utf-8")
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            return z.read("word/document.xml").decode("utf-8")
    wb = load_workbook(path)
    return "\n".join(
        str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c
    )


def test_two_months_red_is_named_for_a_talk_in_every_format(reports):
    files = {p.name: p for p in write_june(reports)}
    for name in ("exceptions.html", "exceptions.docx", "exceptions.xlsx"):
        text = text_of(files[name])
        assert "连续2个月及以上严重滞后的1项任务列入约谈名单" in text, name
        assert "约谈名单：王斌分管：科技局“6.1.1 新增研发机构”（连续2个月）。" in text, name
        assert "商务局“1.1.1" not in text, name  # red in June only


def test_the_number_of_months_is_the_setting(reports):
    files = {p.name: p for p in write_june(reports, escalate_after=3)}
    assert TALK not in text_of(files["exceptions.html"])
    files = {p.name: p for p in write_june(reports, escalate_after=1)}
    assert "连续1个月及以上严重滞后的2项任务列入约谈名单" in text_of(files["exceptions.html"])


def test_the_dashboard_lists_the_same_lines(reports):
    page = write_dashboard(reports).read_text("utf-8")
    assert "约谈名单（连续 2 个月及以上严重滞后，1 项）" in page
    table = page.split('id="escalation-table"', 1)[1].split("</table>", 1)[0]
    assert "科技局" in table and "王斌" in table and "2 个月" in table
    assert "商务局" not in table
    quiet = write_dashboard(reports, escalate_after=3).read_text("utf-8")
    assert "没有连续 3 个月及以上严重滞后的任务。" in quiet


def test_a_line_under_every_deputy_is_named_under_its_units_own_leader(tmp_path):
    from progress_audit.reporting.history import FindingHistory, PastMonth
    from progress_audit.reporting.reports.exceptions import build_exception_report

    june = [
        finding("2.1", "2.1.1", "商务局", ["各区长"], "off_track", ratio=0.3),
        finding("1.1", "1.1.1", "商务局", ["周新生"], "on_track", ratio=1.0),
    ]
    history = FindingHistory((PastMonth("2019-05", {("商务局", "2.1", "2.1.1"): "off_track"}),))
    report = build_exception_report(
        JUNE, parse_as_of("2019-07-06"), june, [], (), history, escalate_after=2
    )
    assert [(e.unit, e.leader, e.months) for e in report.escalations] == [("商务局", "周新生", 2)]
    assert report.escalations[0].task_id == "2.1"
