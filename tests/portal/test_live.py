"""The portal as a real server (uvicorn in its own process, on loopback): 40 units uploading at
once on SQLite and on PostgreSQL, and a kill -9 during uploads followed by a restart that has
lost nothing."""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from progress_audit.config import Settings
from progress_audit.intake.ledger import Ledger
from progress_audit.pipeline import collect, prepare
from progress_audit.portal.server import links
from tests.portal.conftest import AFTER_DUE, IN_TIME, JOBS, JUNE
from tests.support.portal_server import start_portal
from tests.support.postgres import free_port, new_postgres_database
from tests.support.workbooks import submission


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request) -> str | None:
    if request.param == "sqlite":
        return None
    return new_postgres_database(request.getfixturevalue("postgres_server"))


def _books(tmp_path: Path, units, figure: int = 4000) -> dict[str, bytes]:
    books = {}
    for unit, lines in units.items():
        fills = {ln.metric_id: {"本年累计完成": figure} for ln in lines if ln.metric_id}
        path = submission(tmp_path / "books" / f"{unit}-{figure}.xlsx", lines, fills, unit=unit)
        books[unit] = path.read_bytes()
    return books


def _post(url: str, token: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{url}/u/{token}/upload",
        files={"file": ("进度填报表.xlsx", body)},
        headers={"Accept": "application/json"},
        timeout=60,
    )


def test_forty_units_uploading_at_once_are_all_recorded(tmp_path, units, ledger_url):
    data = tmp_path / "data"
    settings = Settings(ledger_url=ledger_url)
    env = {"PROGRESS_AUDIT_LEDGER_URL": ledger_url} if ledger_url else {}
    tokens = {
        i["unit"]: i["url"].rsplit("/", 1)[1]
        for i in links(data, settings, "http://x", period=JUNE)
    }
    books = _books(tmp_path, units)
    portal = start_portal(data, free_port(), IN_TIME.isoformat(), env=env)
    try:
        with ThreadPoolExecutor(40) as pool:
            replies = list(pool.map(lambda u: _post(portal.url, tokens[u], books[u]), books))
    finally:
        portal.stop()
    assert [r.status_code for r in replies] == [200] * 40
    assert {r.json()["unit"] for r in replies} == set(units)
    assert {r.json()["status"] for r in replies} == {"on_time"}
    with Ledger.open(ledger_url or data) as ledger:
        assert len(ledger.uploads()) == 40
        audit = prepare("2019-06", "2019-07-08", data, now=AFTER_DUE, settings=settings)
        month = collect(audit, ledger, workers=False)
    assert sorted(s.unit for s in month.current if s.status == "on_time") == sorted(units)


def test_a_kill_during_uploads_leaves_whole_receipts_or_nothing(tmp_path, units):
    data = tmp_path / "data"
    settings = Settings()
    tokens = {
        i["unit"]: i["url"].rsplit("/", 1)[1]
        for i in links(data, settings, "http://x", period=JUNE)
    }
    books = _books(tmp_path, units, figure=4100)
    port = free_port()
    portal = start_portal(data, port, IN_TIME.isoformat())
    answered: dict[str, dict] = {}

    def send(unit: str) -> None:
        for _ in range(5):  # several rounds, so the kill lands in the middle of some
            try:
                reply = _post(portal.url, tokens[unit], books[unit])
            except httpx.HTTPError:
                return
            if reply.status_code == 200:
                answered[unit] = reply.json()

    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(send, u) for u in books]
        deadline = time.monotonic() + 60
        while len(answered) < 10 and time.monotonic() < deadline:  # the kill lands mid-rush
            time.sleep(0.005)
        portal.kill()  # kill -9, the server and the processes it started
        for f in futures:
            f.result()
    assert answered, "the kill came before any upload completed"

    restarted = start_portal(data, port, IN_TIME.isoformat())
    try:
        assert not [p for p in (data / ".uploads").rglob("*") if p.is_file()]  # the kill's rest
        for unit, receipt in answered.items():  # every receipt given is there, whole
            again = httpx.get(
                f"{restarted.url}/u/{tokens[unit]}/receipts/{receipt['sha256']}",
                headers={"Accept": "application/json"},
            )
            assert again.status_code == 200
            assert again.json()["sha256"] == receipt["sha256"]
        with Ledger.open(data) as ledger:
            recorded = ledger.uploads()
        for u in recorded:  # every recorded upload is whole: its bytes archived, its receipt
            assert hashlib.sha256((data / u.archived).read_bytes()).hexdigest() == u.sha256
            assert json.loads(u.receipt)["sha256"] == u.sha256
        # and the portal goes on taking uploads
        unit = next(iter(books))
        assert _post(restarted.url, tokens[unit], books[unit]).status_code == 200
    finally:
        restarted.stop()
    audit = prepare("2019-06", "2019-07-08", data, now=AFTER_DUE, settings=settings)
    with Ledger.open(data) as ledger:
        month = collect(audit, ledger, workers=False)
    counted = {s.unit for s in month.current if s.status == "on_time"}
    assert set(answered) <= counted


def test_the_quality_follow_up_joins_the_receipt_within_seconds(tmp_path, units):
    data = tmp_path / "data"
    tokens = {
        i["unit"]: i["url"].rsplit("/", 1)[1]
        for i in links(data, Settings(), "http://x", period=JUNE)
    }
    lines = units["人社局"]
    may = submission(
        tmp_path / "may.xlsx", lines, {JOBS: {"本年累计完成": 5000}}, month="2019年5月"
    )
    june = submission(tmp_path / "june.xlsx", lines, {JOBS: {"本年累计完成": 4000}})
    portal = start_portal(data, free_port(), IN_TIME.isoformat())
    try:
        _post(portal.url, tokens["人社局"], may.read_bytes())
        receipt = _post(portal.url, tokens["人社局"], june.read_bytes()).json()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            stands = httpx.get(
                f"{portal.url}/u/{tokens['人社局']}/receipts/{receipt['sha256']}",
                headers={"Accept": "application/json"},
            ).json()
            if not stands["checking"]:
                break
            time.sleep(0.2)
    finally:
        portal.stop()
    assert stands["checking"] is False
    assert [p["cell"] for p in stands["problems"] if p["code"] == "ytd_decreased"] == [
        "进度填报!F8"
    ]
