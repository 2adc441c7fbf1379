"""The office's side of the portal: login, board, review (return, correct, accept, withdraw,
rotate), the audit log and the month's run; and every refusal (no password, no session, a
wrong password, no CSRF token, a unit's link, an unknown unit, period or metric)."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from datetime import datetime, timedelta

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from progress_audit.app.cli import app as cli
from progress_audit.config import Settings, SmtpSettings
from progress_audit.notification.mail import SendResult
from progress_audit.pipeline import assess_month, check, collect, prepare, write_outputs
from progress_audit.portal import desk as desk_module
from progress_audit.portal.app import create_app
from progress_audit.portal.office import accounts, auth, routes
from tests.portal.conftest import AFTER_DUE, JOBS, SHANGHAI, upload

PASSWORD = "督查室-2019-口令"
OTHER = "商务局"


@pytest.fixture
def settings() -> Settings:
    return Settings(office_password=PASSWORD)


def basic(password: str = PASSWORD, user: str = "office") -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def login(client: TestClient, password: str = PASSWORD):
    page = client.get("/office/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/office/login", data={"csrf": token, "password": password}, follow_redirects=False
    )


def csrf_of(client: TestClient) -> str:
    page = client.get("/office")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def metric_of(units, unit: str) -> str:
    return next(ln.metric_id for ln in units[unit] if ln.metric_id)


PAGES = ["/office", "/office/log", f"/office/units/{OTHER}", "/office/run"]
FORMS = ["/office/review", "/office/rotate", "/office/run", "/office/logout"]


# -- refusals -------------------------------------------------------------------------------


def test_without_a_password_the_office_answers_503_and_the_units_pages_work(desk, clock, tokens):
    desk.settings = Settings()
    with TestClient(create_app(desk, now=clock), raise_server_exceptions=False) as c:
        for path in [*PAGES, "/office/login"]:
            answer = c.get(path)
            assert answer.status_code == 503, path
            assert "PROGRESS_AUDIT_OFFICE_PASSWORD" in answer.text
        assert c.post("/office/api/review", json={}, headers=basic()).status_code == 503
        assert c.get(f"/u/{tokens['人社局']}").status_code == 200


def test_every_office_page_and_action_needs_a_session(client):
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/office/login"
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 401
    for path in [*FORMS, "/office/api/review"]:
        assert client.post(path, data={"unit": "人社局"}).status_code == 401, path


def test_a_wrong_password_is_refused_by_the_form_and_by_basic(client):
    answer = login(client, "wrong")
    assert answer.status_code == 401 and "密码错误" in answer.text
    assert auth.COOKIE not in client.cookies
    # Four more tries: the fifth failure in all (the lock-out comes after it).
    assert client.get("/office", headers=basic("wrong")).status_code == 401
    assert client.get("/office/log", headers=basic("wrong")).status_code == 401
    assert client.get("/office", headers=basic(PASSWORD, user="admin")).status_code == 401
    assert client.post("/office/api/review", json={}, headers=basic("wrong")).status_code == 401


def test_every_form_without_its_csrf_token_is_refused(client):
    assert login(client).status_code == 303
    for path in [*FORMS, "/office/api/review"]:
        answer = client.post(path, data={"unit": "人社局", "action": "accept"})
        assert answer.status_code == 403, path
        answer = client.post(path, data={"unit": "人社局", "csrf": "forged"})
        assert answer.status_code == 403, path
    # The login form too: its token is the one its page set.
    fresh = TestClient(client.app)
    assert fresh.post("/office/login", data={"password": PASSWORD}).status_code == 403


def test_the_session_cookie_is_httponly_and_samesite_strict(client):
    answer = login(client)
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert answer.headers["location"] == "/office"


def test_repeated_failed_logins_lock_out_even_the_right_password(client):
    for _ in range(accounts.MAX_FAILURES):
        assert login(client, "guess").status_code == 401
    assert login(client).status_code == 429
    assert client.get("/office", headers=basic()).status_code == 429


def test_a_units_link_cannot_reach_any_office_path(client, tokens):
    token = tokens["人社局"]
    client.cookies.set(auth.COOKIE, token, path="/office")
    for path in PAGES:
        assert client.get(path, follow_redirects=False).status_code == 303
    for path in PAGES[:3]:
        assert client.get(path, headers=basic(token)).status_code == 401
    assert client.get(f"/u/{token}/office").status_code == 404
    assert client.get(f"/u/{token}/../office", follow_redirects=False).status_code in (303, 404)
    answer = client.post(
        "/office/api/review", json={"unit": "人社局", "period": "2019-06", "action": "accept"}
    )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"unit": "不存在局"}, "未知的单位“不存在局”"),
        ({"period": "2019-13"}, "未知的月份“2019-13”"),
        ({"period": "2018-06"}, "未知的月份“2018-06”"),
        ({"period": "2019-09"}, "还没有开始填报"),
        ({"metric_id": "99.9.9"}, "未知的指标“99.9.9”"),
        ({"metric_id": "16.1.1", "unit": OTHER}, "未知的指标“16.1.1”"),
        ({"value": "很多"}, "不是数字"),
        ({"value": -1}, "不小于 0"),
        ({"reason": ""}, "须写明理由"),
        ({"action": "delete"}, "未知的审核操作"),
    ],
)
def test_a_correction_for_an_unknown_unit_period_or_metric_is_refused_with_its_reason(
    client, change, reason
):
    body = {
        "unit": "人社局",
        "period": "2019-06",
        "action": "correct",
        "metric_id": JOBS,
        "value": 4200,
        "reason": "按统计局数据核定",
        **change,
    }
    answer = client.post("/office/api/review", json=body, headers=basic())
    assert answer.status_code == 400
    assert reason in answer.json()["detail"]
    assert client.get("/office/log", headers={**basic(), "Accept": "application/json"}).json() == []


def test_a_return_without_a_submission_and_a_withdrawal_of_an_unknown_file_are_refused(client):
    answer = client.post(
        "/office/api/review",
        json={"unit": "人社局", "period": "2019-06", "action": "return", "reason": "数字有误"},
        headers=basic(),
    )
    assert answer.status_code == 400 and "无可退回" in answer.json()["detail"]
    answer = client.post(
        "/office/api/review",
        json={
            "unit": "人社局",
            "period": "2019-06",
            "action": "withdraw",
            "sha256": "0" * 64,
            "reason": "误报",
        },
        headers=basic(),
    )
    assert answer.status_code == 400 and "未知的文件" in answer.json()["detail"]


# -- the office's month -----------------------------------------------------------------------


def _run(data, settings, desk):
    audit = prepare("2019-06", "2019-07-08", data, now=AFTER_DUE, settings=settings)
    month = collect(audit, desk.ledger, workers=False)
    quality = check(audit, month)
    findings = assess_month(audit, month, quality)
    outputs = write_outputs(audit, month, quality, findings, datetime(2019, 7, 8, tzinfo=SHANGHAI))
    return json.loads(outputs.findings_file.read_text("utf-8")), audit.out_dir


def test_return_and_correct_reach_the_units_page_findings_and_the_report(
    client, tokens, workbook, units, desk, data, settings, clock
):
    other_metric = metric_of(units, OTHER)
    returned = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    corrected = upload(
        client, tokens[OTHER], workbook(OTHER, {other_metric: {"本年累计完成": 150}})
    )
    assert returned.status_code == corrected.status_code == 200
    assert login(client).status_code == 303
    token = csrf_of(client)
    board = client.get("/office")
    assert "人社局" in board.text and "按时报送" in board.text

    answer = client.post(
        "/office/review",
        data={"csrf": token, "unit": "人社局", "action": "return", "reason": "就业数与统计局不符"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    answer = client.post(
        "/office/api/review",
        json={
            "unit": OTHER,
            "period": "2019-06",
            "action": "correct",
            "metric_id": other_metric,
            "value": 120,
            "reason": "按台账核定",
        },
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["value"] == 120

    # The unit sees the reason at once.
    page = client.get(f"/u/{tokens['人社局']}")
    assert "就业数与统计局不符" in page.text and "notice bad returned" in page.text
    assert "已退回" in page.text  # its receipt too
    board = client.get("/office")
    assert "已退回" in board.text and "已核定" in board.text
    unit_page = client.get(f"/office/units/{OTHER}")
    assert "审核值 120" in unit_page.text and "单位填报 150" in unit_page.text

    document, out = _run(data, settings, desk)
    mine = [s for s in document["submissions"] if s["unit"] == "人社局"]
    assert [s["status"] for s in mine] == ["returned"]
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS)
    assert jobs["status"] == "missing"
    assert any("退回（2019年7月3日 10:00）：就业数与统计局不符" in r for r in jobs["reasons"])
    assert jobs["reported"] is None and jobs["review"] is None
    fixed = next(
        f for f in document["findings"] if f["metric_id"] == other_metric and f["unit"] == OTHER
    )
    assert fixed["actual"] == 120 and fixed["reported"] == 150
    assert fixed["review"]["action"] == "correct" and fixed["review"]["reason"] == "按台账核定"
    html = (out / "exceptions.html").read_text("utf-8")
    assert "就业数与统计局不符" in html
    assert "审核值 120亿元（单位填报 150亿元）" in html
    cells = [
        c.text for t in Document(out / "exceptions.docx").tables for r in t.rows for c in r.cells
    ]
    assert "审核值 120亿元（单位填报 150亿元）" in cells
    assert any("就业数与统计局不符" in c for c in cells)
    shown = [
        c.value for ws in load_workbook(out / "at-risk.xlsx") for row in ws.iter_rows() for c in row
    ]
    assert "审核值 120（单位填报 150）" in shown

    # The unit uploads again: its new workbook counts.
    clock.moment = clock.moment + timedelta(hours=2)
    upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4100}}))
    document, _ = _run(data, settings, desk)
    statuses = sorted(s["status"] for s in document["submissions"] if s["unit"] == "人社局")
    assert statuses == ["on_time", "returned"]
    page = client.get(f"/u/{tokens['人社局']}")
    assert "notice bad returned" not in page.text and "就业数与统计局不符" in page.text


def test_withdraw_accept_rotate_and_the_audit_log_keeps_every_action(
    client, tokens, workbook, desk, data, settings
):
    first = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    second = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 9999}}))
    sha = second.json()["sha256"]
    for body in (
        {"action": "withdraw", "sha256": sha, "reason": "误传了草稿"},
        {"action": "accept"},
        {"action": "accept", "reason": "再次确认"},
    ):
        answer = client.post(
            "/office/api/review",
            json={"unit": "人社局", "period": "2019-06", **body},
            headers=basic(),
        )
        assert answer.status_code == 200, answer.text
    rotated = client.post(
        "/office/rotate",
        data={"unit": "人社局", "reason": "链接外泄"},
        headers={**basic(), "Accept": "application/json"},
    )
    assert rotated.status_code == 200
    assert client.get(f"/u/{tokens['人社局']}").status_code == 404
    log = client.get("/office/log", headers={**basic(), "Accept": "application/json"}).json()
    assert [a["action"] for a in log] == ["withdraw", "accept", "accept", "rotate"]
    assert log[0]["reason"] == "误传了草稿" and log[3]["reason"] == "链接外泄"

    document, _ = _run(data, settings, desk)
    statuses = {s["sha256"]: s["status"] for s in document["submissions"]}
    assert statuses == {sha: "withdrawn", first.json()["sha256"]: "on_time"}
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS)
    assert jobs["actual"] == 4000


def test_run_now_starts_the_monthly_audit_once(client, monkeypatch, data):
    started = []

    def fake_start(folder, period, moment):
        if started:
            raise routes.RunBusy("本工作区已有一次督查正在运行，请等它结束")
        started.append((period, moment))
        return {"state": "running", "period": str(period)}

    monkeypatch.setattr(routes, "start_run", fake_start)
    first = client.post("/office/run", headers={**basic(), "Accept": "application/json"})
    second = client.post("/office/run", headers={**basic(), "Accept": "application/json"})
    assert first.status_code == second.status_code == 202
    assert len(started) == 1 and str(started[0][0]) == "2019-06"
    assert second.json()["message"].startswith("本工作区已有")
    assert client.get("/office/run", headers=basic()).json()["state"] == "idle"


def test_the_boards_question_is_held_until_the_run_ends(client, data):
    from progress_audit.portal.office.running import STATE_FILE

    moment = "2019-07-08T09:00:00+08:00"
    running = {"state": "running", "pid": os.getpid(), "period": "2019-06", "as_of": moment}
    (data / STATE_FILE).write_text(json.dumps(running), "utf-8")
    # Not held without `wait`, nor past it while the run goes on.
    assert client.get("/office/run", headers=basic()).json()["state"] == "running"
    assert client.get("/office/run?wait=0.2", headers=basic()).json()["state"] == "running"
    assert client.get("/office/run?wait=-1", headers=basic()).status_code == 400
    ended = threading.Event()

    def end() -> None:
        time.sleep(0.5)
        (data / STATE_FILE).write_text(json.dumps({**running, "state": "done"}), "utf-8")
        ended.set()

    threading.Thread(target=end).start()
    answer = client.get("/office/run?wait=60", headers=basic()).json()
    assert ended.is_set() and answer["state"] == "done"


def test_a_hashed_password_works_as_the_setting_and_the_command_prints_one(desk, clock):
    printed = CliRunner().invoke(cli, ["portal", "hash-password"], input=f"{PASSWORD}\n" * 2)
    hashed = printed.output.strip().splitlines()[-1]
    assert hashed.startswith("scrypt$") and PASSWORD not in printed.output
    desk.settings = Settings(office_password=hashed)
    with TestClient(create_app(desk, now=clock)) as c:
        assert c.get("/office", headers=basic()).status_code == 200
        assert c.get("/office", headers=basic(hashed)).status_code == 401


def test_a_return_is_mailed_to_the_unit_when_smtp_is_configured(
    desk, clock, tokens, workbook, monkeypatch
):
    sent = []

    def send(messages, smtp):
        sent.extend(messages)
        return SendResult(())

    monkeypatch.setattr(desk_module, "send", send)
    smtp = SmtpSettings(
        host="mail.example.gov.cn",
        sender="dcs@example.gov.cn",
        unit_recipients={"人社局": "rsj@example.gov.cn"},
    )
    desk.settings = Settings(
        office_password=PASSWORD, smtp=smtp, portal_base_url="https://dcs.example.gov.cn"
    )
    with TestClient(create_app(desk, now=clock)) as c:
        upload(c, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
        answer = c.post(
            "/office/api/review",
            json={"unit": "人社局", "period": "2019-06", "action": "return", "reason": "请核实"},
            headers=basic(),
        )
        assert answer.status_code == 200
    receipt = sent.pop(0)  # the upload's receipt, mailed at once
    assert receipt["Subject"].startswith("【回执】")
    for _ in range(50):
        if sent:
            break
        time.sleep(0.1)
    (message,) = sent
    assert message["To"] == "rsj@example.gov.cn" and "退回" in message["Subject"]
    body = message.get_content()
    assert "请核实" in body and f"https://dcs.example.gov.cn/u/{tokens['人社局']}" in body


def test_accepting_clears_a_figure_held_for_an_implausible_jump(
    client, tokens, workbook, desk, data, settings
):
    may = workbook("人社局", {JOBS: {"本年累计完成": 2000}}, month="2019年5月")
    upload(client, tokens["人社局"], may)
    upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 9000}}))
    document, _ = _run(data, settings, desk)
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS)
    assert jobs["status"] == "invalid" and any("待核实" in r for r in jobs["reasons"])
    answer = client.post(
        "/office/api/review",
        json={"unit": "人社局", "period": "2019-06", "action": "accept", "reason": "已电话核实"},
        headers=basic(),
    )
    assert answer.status_code == 200
    document, _ = _run(data, settings, desk)
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS)
    assert jobs["status"] == "completed"
