"""Records that stay true: what a unit and the office are told about a month matches what the
month's run records (a returned file stays returned, the very bytes sent again are refused,
a file sent again carries every problem it had, last month's held figure is never a
reference, an acceptance shows at once), with times on the office's clock."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from progress_audit.config import Settings
from progress_audit.model.period import Calendar, Period
from progress_audit.pipeline import collect, prepare
from tests.portal.conftest import JOBS, SHANGHAI, upload
from tests.portal.test_office import PASSWORD, _run, basic

TECH = "科技局"


@pytest.fixture
def settings() -> Settings:
    return Settings(office_password=PASSWORD)


def _return(client, unit: str = "人社局", reason: str = "就业数与统计局不符", period="2019-06"):
    answer = client.post(
        "/office/api/review",
        json={"unit": unit, "period": period, "action": "return", "reason": reason},
        headers=basic(),
    )
    assert answer.status_code == 200, answer.text
    return answer


def test_the_very_bytes_that_were_returned_are_refused_and_the_receipt_says_why(
    client, tokens, workbook, clock, data, settings, desk
):
    book = workbook("人社局", {JOBS: {"本年累计完成": 4000}})
    first = upload(client, tokens["人社局"], book)
    _return(client)
    clock.moment += timedelta(hours=1)
    again = upload(client, tokens["人社局"], book, name="改好了.xlsx")
    receipt = again.json()
    assert receipt["status"] == "rejected"
    refused = [p for p in receipt["problems"] if p["code"] == "same_as_returned"]
    assert len(refused) == 1 and "就业数与统计局不符" in refused[0]["message"]
    assert "督查室2019年7月3日 10:00退回" in refused[0]["message"]  # the office's clock
    page = client.get(f"/u/{tokens['人社局']}/receipts/{receipt['sha256']}")
    assert "未予采用" in page.text and "与督查室" in page.text

    document, _ = _run(data, settings, desk)
    mine = {(s["sha256"], s["status"]) for s in document["submissions"] if s["unit"] == "人社局"}
    assert mine == {(first.json()["sha256"], "returned"), (receipt["sha256"], "rejected")}
    board = client.get("/office", headers={**basic(), "Accept": "application/json"}).json()
    assert next(u for u in board["units"] if u["unit"] == "人社局")["state"] == "returned"


def test_a_returned_file_stays_returned_with_its_reason_after_a_new_one_counts(
    client, tokens, workbook, clock, data, settings, desk
):
    upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    _return(client)
    clock.moment += timedelta(hours=1)
    new = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4200}}))
    document, _ = _run(data, settings, desk)
    mine = {s["status"]: s for s in document["submissions"] if s["unit"] == "人社局"}
    assert sorted(mine) == ["on_time", "returned"]
    assert mine["on_time"]["sha256"] == new.json()["sha256"]
    codes = [p["code"] for p in mine["returned"]["problems"]]
    assert "returned" in codes and "superseded" not in codes
    reason = next(p for p in mine["returned"]["problems"] if p["code"] == "returned")
    assert "就业数与统计局不符" in reason["message"]
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS)
    assert jobs["actual"] == 4200


def test_a_file_sent_again_carries_every_problem_the_first_had_and_counts_as_the_latest(
    client, tokens, workbook, clock, desk
):
    book = workbook("人社局", {JOBS: {"本年累计完成": 4000}})
    first = upload(client, tokens["人社局"], book).json()
    # The month's quality suites found something in it after the receipt was given.
    found = {
        "code": "ytd_decreased",
        "severity": "warning",
        "message": "本年累计完成低于上月报送的数",
        "cell": "进度填报!F9",
        "advice": "请核实",
        "task_id": "16.1",
        "metric_id": JOBS,
    }
    (row,) = desk.ledger.uploads("人社局", first["sha256"])
    desk.ledger.mark_checked({("人社局", row.sha256, row.received_ns): json.dumps([found])})
    clock.moment += timedelta(minutes=10)
    other = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4100}}))
    clock.moment += timedelta(minutes=10)
    again = upload(client, tokens["人社局"], book, name="再传一次.xlsx").json()
    first_cells = {(p["code"], p["cell"]) for p in first["problems"]} | {
        ("ytd_decreased", "进度填报!F9")
    }
    assert first_cells <= {(p["code"], p["cell"]) for p in again["problems"]}

    audit = prepare("2019-06", None, desk.data, now=clock.moment, settings=desk.settings)
    month = collect(audit, desk.ledger, workers=False)
    status = {s.sha256: s.status for s in month.current if s.unit == "人社局"}
    assert status == {first["sha256"]: "on_time", other.json()["sha256"]: "superseded"}


def test_last_months_held_figure_is_no_reference_until_the_office_accepts_it(
    client, tokens, workbook, units, data, desk, clock
):
    metric = next(ln.metric_id for ln in units[TECH] if ln.metric_id)
    june = workbook(TECH, {metric: {"本年累计完成": 60}})
    upload(client, tokens[TECH], june)
    # June's audit held it: 数据异常，待核实 (a tenfold jump).
    reports = data / "reports" / "2019-06"
    reports.mkdir(parents=True)
    finding = {"unit": TECH, "metric_id": metric, "status": "invalid", "actual": 60}
    (reports / "findings.json").write_text(
        json.dumps({"period": "2019-06", "findings": [finding]}), "utf-8"
    )
    desk.period = Period(2019, 7)
    clock.moment = datetime(2019, 8, 2, 10, 0, tzinfo=SHANGHAI)

    def reference() -> object:
        body = client.get(f"/u/{tokens[TECH]}/template").content
        sheet = load_workbook(io.BytesIO(body)).worksheets[0]
        header = next(r for r in sheet.iter_rows(values_only=True) if "指标编号" in r)
        column = header.index("上月累计（参考）") if "上月累计（参考）" in header else None
        rows = [r for r in sheet.iter_rows(values_only=True) if r[1] == metric]
        return rows[0][column] if column is not None and rows else None

    assert reference() in (None, "")
    answer = client.post(
        "/office/api/review",
        json={"unit": TECH, "period": "2019-06", "action": "accept", "reason": "已核实"},
        headers=basic(),
    )
    assert answer.status_code == 200, answer.text
    assert reference() not in (None, "")


def test_an_acceptance_clears_a_hold_on_the_board_at_once(client, tokens, workbook, desk):
    answer = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 9000}}))
    jump = {
        "code": "implausible_jump",
        "severity": "warning",
        "message": "单月增量异常：是上月的十倍以上",
        "cell": "进度填报!F6",
        "advice": "",
        "task_id": "16.1",
        "metric_id": JOBS,
    }
    (row,) = desk.ledger.uploads("人社局", answer.json()["sha256"])
    desk.ledger.mark_checked({("人社局", row.sha256, row.received_ns): json.dumps([jump])})

    def counts() -> dict[str, int]:
        board = client.get("/office", headers={**basic(), "Accept": "application/json"}).json()
        return next(u for u in board["units"] if u["unit"] == "人社局")["counts"]

    assert counts().get("数据异常") == 1
    accepted = client.post(
        "/office/api/review",
        json={"unit": "人社局", "period": "2019-06", "action": "accept"},
        headers=basic(),
    )
    assert accepted.status_code == 200
    assert "数据异常" not in counts()


def test_times_are_on_the_offices_clock_and_a_late_upload_reads_as_late(
    client, tokens, workbook, clock
):
    book = workbook("人社局", {JOBS: {"本年累计完成": 4000}})
    clock.moment = datetime(2019, 7, 5, 15, 59, tzinfo=SHANGHAI).astimezone(UTC)
    on_time = upload(client, tokens["人社局"], book).json()
    assert on_time["received_at"] == "2019-07-05T15:59:00+08:00"
    assert on_time["status"] == "on_time"
    page = client.get(f"/u/{tokens['人社局']}")
    assert "2019年7月5日 15:59" in page.text and "北京时间" in page.text

    late_book = workbook("人社局", {JOBS: {"本年累计完成": 4100}})
    clock.moment = datetime(2019, 7, 6, 0, 30, tzinfo=SHANGHAI).astimezone(UTC)
    late = upload(client, tokens["人社局"], late_book).json()
    assert late["received_at"] == "2019-07-06T00:30:00+08:00" and late["status"] == "late"
    shown = client.get(f"/u/{tokens['人社局']}/receipts/{late['sha256']}").text
    assert "2019年7月6日 00:30" in shown and "2019年7月5日 16:30" not in shown


def test_a_return_of_an_earlier_month_stays_on_the_units_page_until_a_new_file(
    client, tokens, workbook, clock, desk
):
    upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    _return(client, reason="六月数字有误")
    desk.period = Period(2019, 7)
    clock.moment = datetime(2019, 8, 2, 10, 0, tzinfo=SHANGHAI)
    page = client.get(f"/u/{tokens['人社局']}").text
    assert "2019年6月的填报表" in page and "六月数字有误" in page and "待重新上传" in page
    upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4300}}))
    page = client.get(f"/u/{tokens['人社局']}").text
    assert "notice bad returned" not in page and "已重新上传" in page


@pytest.mark.parametrize("body", [b"[1,2]", b'"str"', b"", b"{", b"null", b"42"])
def test_a_body_that_is_not_a_json_object_gets_400_with_a_chinese_reason(client, body):
    answer = client.post(
        "/office/api/review",
        content=body,
        headers={**basic(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert "JSON 对象" in answer.json()["detail"]


def test_a_rotated_link_is_shown_once_absolute_and_never_carried_in_a_url(client, tokens):
    from tests.portal.test_office import csrf_of, login

    assert login(client).status_code == 303
    answer = client.post(
        "/office/rotate",
        data={"csrf": csrf_of(client), "unit": "人社局", "reason": "链接外泄"},
        follow_redirects=False,
    )
    assert answer.status_code == 200 and "location" not in answer.headers
    assert 'id="new-link"' in answer.text and "http://testserver/u/" in answer.text
    phishing = "https://evil.example/u/steal"
    page = client.get("/office/units/人社局", params={"link": phishing, "done": phishing})
    assert phishing not in page.text


def test_the_office_calendar_allows_a_due_day_in_the_reported_month():
    june = Period(2019, 6)
    assert Calendar(due_day=25, same_month=True).due(june) == datetime(2019, 6, 26, tzinfo=SHANGHAI)
    assert Calendar().due(june) == datetime(2019, 7, 6, tzinfo=SHANGHAI)
    assert Calendar.of(Settings(due_day=8)).due(june) == datetime(2019, 7, 9, tzinfo=SHANGHAI)


def test_the_tongbaos_deadline_for_rectification_follows_the_offices_calendar(tmp_path):
    from progress_audit.reporting.reports import write_reports

    as_of = datetime(2019, 7, 9, tzinfo=SHANGHAI)
    write_reports(tmp_path, Period(2019, 6), as_of, [], [], calendar=Calendar(due_day=8))
    html = (tmp_path / "exceptions.html").read_text("utf-8")
    assert "整改时限：2019年8月8日24时前" in html
