"""Reading is not writing: the board, the office's unit page, the unit's page, its template and
its receipts show the month as recorded (uploads, inbox files already taken in, reviews). A GET
leaves the ledger and the archive as they were and never opens a file of the inbox; files
dropped since the last run wait for it, and the board says how many."""

from __future__ import annotations

import base64
import builtins
import os
from pathlib import Path

import pytest

from progress_audit.config import Settings
from progress_audit.pipeline import collect, prepare
from tests.portal.conftest import AFTER_DUE, IN_TIME, JOBS, upload

PASSWORD = "督查室-2019-口令"
BASIC = {"Authorization": "Basic " + base64.b64encode(f"office:{PASSWORD}".encode()).decode()}
TAKEN_IN = "商务局"
WAITING = "科技局"


@pytest.fixture
def settings() -> Settings:
    return Settings(office_password=PASSWORD)


def drop(data: Path, name: str, book: Path) -> Path:
    path = data / "raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(book.read_bytes())
    os.utime(path, (IN_TIME.timestamp(), IN_TIME.timestamp()))
    return path


@pytest.fixture
def month(client, tokens, workbook, desk, data, settings):
    """An upload, an inbox file taken in by a run, and one dropped after it."""
    sent = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    assert sent.status_code == 200
    drop(data, f"{TAKEN_IN}.xlsx", workbook(TAKEN_IN))
    audit = prepare("2019-06", None, data, now=IN_TIME, settings=settings)
    collect(audit, desk.ledger, workers=False)
    drop(data, f"{WAITING}.xlsx", workbook(WAITING))
    return sent.json()["sha256"]


def pages(tokens: dict[str, str], sha256: str) -> list[tuple[str, dict[str, str]]]:
    token = tokens["人社局"]
    return [
        ("/office", BASIC),
        (f"/office/units/{TAKEN_IN}", BASIC),
        (f"/office/units/{WAITING}", BASIC),
        (f"/u/{token}", {}),
        (f"/u/{token}/template", {}),
        (f"/u/{token}/receipts/{sha256}", {}),
    ]


def snapshot(data: Path) -> dict[str, bytes]:
    """The ledger's database and the archive, byte for byte."""
    files = [*data.glob("ledger.db*"), *(data / "archive").rglob("*")]
    return {str(p.relative_to(data)): p.read_bytes() for p in files if p.is_file()}


def test_a_get_leaves_the_ledger_and_the_archive_byte_identical(client, tokens, data, month):
    before = snapshot(data)
    for path, headers in pages(tokens, month):
        assert client.get(path, headers=headers).status_code == 200, path
    assert snapshot(data) == before
    # The file dropped after the run was neither archived nor recorded by any page.
    assert len([p for p in (data / "archive").rglob("*") if p.is_file()]) == 2


def test_the_pages_render_from_the_ledger_without_reading_the_inbox(
    client, tokens, data, month, monkeypatch
):
    raw = (data / "raw").resolve()
    opened: list[str] = []
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).resolve().is_relative_to(raw):
            opened.append(str(file))
            raise PermissionError(13, "the inbox is not for pages", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    for path, headers in pages(tokens, month):
        assert client.get(path, headers=headers).status_code == 200, path
    assert opened == []

    board = client.get("/office", headers=BASIC)
    states = {
        r["unit"]: r["state"]
        for r in client.get("/office", headers={**BASIC, "Accept": "application/json"}).json()[
            "units"
        ]
    }
    # The upload and the inbox file the run took in count; the one dropped since waits for
    # the next run, and the board says so.
    assert states["人社局"] == states[TAKEN_IN] == "on_time"
    assert states[WAITING] == "not_yet"
    assert "收件箱中有 1 个文件尚未收录" in board.text


def test_the_next_run_takes_in_what_the_board_said_was_waiting(
    client, tokens, data, desk, settings, month
):
    audit = prepare("2019-06", None, data, now=AFTER_DUE, settings=settings)
    collect(audit, desk.ledger, workers=False)
    board = client.get("/office", headers=BASIC)
    assert "尚未收录" not in board.text
    units = client.get("/office", headers={**BASIC, "Accept": "application/json"}).json()
    assert {r["unit"]: r["state"] for r in units["units"]}[WAITING] == "on_time"
