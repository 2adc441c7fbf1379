"""The office's people: named accounts (`portal users`), HTTP Basic by name, every action
saying who took it, sessions and the lock-out kept in the ledger's database (so two web
workers agree), logging out on the server, and the Secure cookie behind https."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from progress_audit.app.cli import app as cli
from progress_audit.config import Settings
from progress_audit.portal.app import create_app
from progress_audit.portal.office import accounts
from progress_audit.portal.server import open_desk
from tests.portal.conftest import JOBS, JUNE, upload
from tests.portal.test_office import PASSWORD, _run, basic

CLERK, CLERK_PASSWORD = "李娜", "李娜的口令-2019"


@pytest.fixture
def settings() -> Settings:
    return Settings(office_password=PASSWORD)


@pytest.fixture
def clerk(desk) -> str:
    return accounts.add_user(desk.ledger, CLERK, CLERK_PASSWORD, datetime.now(UTC))


def sign_in(client: TestClient, name: str, password: str):
    page = client.get("/office/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/office/login",
        data={"csrf": nonce, "name": name, "password": password},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/office").text).group(1)


@pytest.fixture
def second_worker(data, settings, clock, tokens):
    """Another web worker: its own desk and app over the same workspace and ledger."""
    other = open_desk(data, settings, JUNE)
    with TestClient(create_app(other, now=clock), raise_server_exceptions=False) as c:
        yield c
    other.ledger.close()


def test_the_users_command_adds_lists_and_removes_people(data, desk):
    runner = CliRunner()
    given = f"{CLERK_PASSWORD}\n{CLERK_PASSWORD}\n"
    added = runner.invoke(cli, ["portal", "users", "add", CLERK, "--data", str(data)], input=given)
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["portal", "users", "list", "--data", str(data)])
    assert CLERK in listed.output
    stored = desk.ledger.engine.connect().exec_driver_sql("select password_hash from office_users")
    (hashed,) = stored.one()
    assert hashed.startswith("scrypt$") and CLERK_PASSWORD not in hashed
    again = runner.invoke(cli, ["portal", "users", "add", CLERK, "--data", str(data)], input=given)
    assert again.exit_code == 1 and "已存在" in again.output
    shared = runner.invoke(cli, ["portal", "users", "add", "office", "--data", str(data)])
    assert shared.exit_code == 1 and "office_password" in shared.output
    removed = runner.invoke(cli, ["portal", "users", "remove", CLERK, "--data", str(data)])
    assert removed.exit_code == 0
    assert CLERK not in runner.invoke(cli, ["portal", "users", "list", "--data", str(data)]).output


def test_every_review_action_says_who_took_it(
    client, clerk, tokens, workbook, data, settings, desk
):
    upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    assert sign_in(client, CLERK, CLERK_PASSWORD).status_code == 303
    corrected = client.post(
        "/office/review",
        data={
            "csrf": csrf_of(client),
            "unit": "人社局",
            "action": "correct",
            "metric_id": JOBS,
            "value": "4100",
            "reason": "按统计局数据核定",
        },
        follow_redirects=False,
    )
    assert corrected.status_code == 303
    accepted = client.post(
        "/office/api/review",
        json={"unit": "人社局", "period": "2019-06", "action": "accept"},
        headers=basic(CLERK_PASSWORD, CLERK),
    )
    assert accepted.status_code == 200 and accepted.json()["by"] == CLERK
    by_office = client.post(
        "/office/api/review",
        json={"unit": "人社局", "period": "2019-06", "action": "accept"},
        headers=basic(),
    )
    assert by_office.json()["by"] == "office"
    log = client.get("/office/log")
    assert log.text.count(f'<td class="by">{CLERK}</td>') == 2
    assert '<td class="by">office</td>' in log.text
    document, _ = _run(data, settings, desk)
    jobs = next(f for f in document["findings"] if f["metric_id"] == JOBS)
    assert jobs["review"]["by"] == CLERK and jobs["actual"] == 4100


def test_five_wrong_passwords_lock_the_name_on_every_worker(client, second_worker, clerk):
    for attempt in range(5):
        worker = client if attempt % 2 else second_worker
        assert sign_in(worker, CLERK, "错误的口令").status_code == 401
    for worker in (client, second_worker):
        assert sign_in(worker, CLERK, CLERK_PASSWORD).status_code == 429
        answer = worker.get("/office", headers=basic(CLERK_PASSWORD, CLERK))
        assert answer.status_code == 429
    # Another person is not locked out by the wrong name's attempts.
    assert sign_in(second_worker, "office", PASSWORD).status_code == 303


def test_logging_out_ends_the_session_on_every_worker(client, second_worker, clerk):
    assert sign_in(client, CLERK, CLERK_PASSWORD).status_code == 303
    cookie = client.cookies.get("pa_office")
    second_worker.cookies.set("pa_office", cookie, path="/office")
    assert second_worker.get("/office", follow_redirects=False).status_code == 200
    out = client.post("/office/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303
    for worker in (client, second_worker):
        worker.cookies.set("pa_office", cookie, path="/office")
        answer = worker.get("/office", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/office/login"


def test_the_cookie_is_secure_over_https_and_not_over_http(desk, clock, clerk):
    app = create_app(desk, now=clock)
    with TestClient(app, base_url="https://portal.example") as c:
        answer = sign_in(c, CLERK, CLERK_PASSWORD)
        assert answer.status_code == 303
        assert "secure" in answer.headers["set-cookie"].lower()
    with TestClient(app) as c:
        answer = sign_in(c, CLERK, CLERK_PASSWORD)
        assert "secure" not in answer.headers["set-cookie"].lower()
