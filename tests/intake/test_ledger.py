"""The ledger: files, sightings and cached readings, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import multiprocessing
import pickle
import sqlite3
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from progress_audit.cache.codec import CodecError, decode, encode
from progress_audit.intake.ledger import Known, Ledger, LedgerError, ledger_url
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import ReportedRow
from tests.support.postgres import free_port as _free_port
from tests.support.postgres import new_postgres_database as _new_postgres_database

SHA_A = "a" * 64
SHA_B = "b" * 64
NS = 1_561_939_200_000_000_000  # 2019-07-01 00:00 UTC


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_target(request, tmp_path):
    """Where a fresh ledger lives: a workspace folder (SQLite) or a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "workspace"
    return _new_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def ledger(ledger_target):
    with Ledger.open(ledger_target) as opened:
        yield opened


# -- files and sightings -------------------------------------------------------------------


def test_sqlite_ledger_lives_in_the_workspace_and_survives_reopening(tmp_path):
    workspace = tmp_path / "data"
    with Ledger.open(workspace) as first:
        first.record("人社局/6月.xlsx", SHA_A, 100, NS, "xlsx", "archive/aa/a.xlsx")
    assert (workspace / "ledger.db").is_file()
    with Ledger.open(workspace) as again:
        assert again.file(SHA_A).received_ns == NS
        assert again.lookup("人社局/6月.xlsx", SHA_A, "r", "c").seen_ns == NS
        assert [s.name for s in again.sightings()] == ["人社局/6月.xlsx"]
    mode = sqlite3.connect(workspace / "ledger.db").execute("PRAGMA journal_mode").fetchone()
    assert mode == ("wal",)


def test_a_later_sighting_of_the_same_name_and_bytes_changes_nothing(ledger):
    first = ledger.record("a.xlsx", SHA_A, 100, NS, "xlsx", "archive/aa/a.xlsx")
    touched = ledger.record("a.xlsx", SHA_A, 100, NS + 10**12, "xlsx", "archive/aa/a.xlsx")
    assert first == touched
    assert (touched.file.received_ns, touched.seen_ns) == (NS, NS)
    assert ledger.lookup("a.xlsx", SHA_A, "r", "c").seen_ns == NS


def test_received_time_is_the_earliest_sighting_in_either_order(ledger_target, tmp_path):
    early, late = NS, NS + 3 * 86_400 * 10**9
    with Ledger.open(ledger_target) as one:
        one.record("copy.xlsx", SHA_A, 1, late, "xlsx", "archive/aa/a.xlsx")
        after_both = one.record("orig.xlsx", SHA_A, 1, early, "xlsx", "archive/aa/a.xlsx")
        one.record("orig.xlsx", SHA_B, 1, early, "xlsx", "archive/bb/b.xlsx")
        other = one.record("copy.xlsx", SHA_B, 1, late, "xlsx", "archive/bb/b.xlsx")
    assert after_both.file.received_ns == early
    assert other.file.received_ns == early and other.seen_ns == late
    assert after_both.file.archived == "archive/aa/a.xlsx"


def test_the_first_archived_path_is_kept(ledger):
    ledger.record("a.xlsx", SHA_A, 1, NS, "xlsx", "archive/aa/a.xlsx")
    again = ledger.record("a.XLSM", SHA_A, 1, NS, "xlsm", "archive/aa/a.xlsm")
    assert (again.file.archived, again.file.ext) == ("archive/aa/a.xlsx", "xlsx")


def test_a_name_that_held_two_versions_has_two_sightings(ledger):
    ledger.record("人社局.xlsx", SHA_A, 1, NS, "xlsx", "archive/aa/a.xlsx")
    ledger.record("人社局.xlsx", SHA_B, 2, NS + 1, "xlsx", "archive/bb/b.xlsx")
    assert [(s.name, s.sha256, s.mtime_ns) for s in ledger.sightings()] == [
        ("人社局.xlsx", SHA_A, NS),
        ("人社局.xlsx", SHA_B, NS + 1),
    ]
    assert [f.sha256 for f in ledger.files()] == [SHA_A, SHA_B]


# -- the reading cache ---------------------------------------------------------------------


def test_lookup_tells_new_bytes_a_new_name_and_a_known_sighting_apart(ledger):
    assert ledger.lookup("a.xlsx", SHA_A, "r1", "ctx") == Known(None, None, None)
    recorded = ledger.record("a.xlsx", SHA_A, 100, NS, "xlsx", "archive/aa/a.xlsx")
    other_name = ledger.lookup("b.xlsx", SHA_A, "r1", "ctx")
    assert (other_name.file, other_name.seen_ns) == (recorded.file, None)
    ledger.store_reading(SHA_A, "a.xlsx", "r1", "ctx", '{"x":1}')
    assert ledger.lookup("a.xlsx", SHA_A, "r1", "ctx") == Known(recorded.file, NS, '{"x":1}')
    assert ledger.lookup("a.xlsx", SHA_A, "r2", "ctx").reading is None


def test_cached_readings_are_keyed_on_bytes_name_reader_and_context(ledger):
    ledger.store_reading(SHA_A, "a.xlsx", "r1", "ctx", '{"x":1}')
    assert ledger.cached_reading(SHA_A, "a.xlsx", "r1", "ctx") == '{"x":1}'
    for key in [
        (SHA_B, "a.xlsx", "r1", "ctx"),
        (SHA_A, "b.xlsx", "r1", "ctx"),
        (SHA_A, "a.xlsx", "r2", "ctx"),
        (SHA_A, "a.xlsx", "r1", "other"),
    ]:
        assert ledger.cached_reading(*key) is None
    ledger.store_reading(SHA_A, "a.xlsx", "r1", "ctx", '{"x":2}')  # a race's loser: kept first
    assert ledger.cached_reading(SHA_A, "a.xlsx", "r1", "ctx") == '{"x":1}'


def _row() -> ReportedRow:
    ref = CellRef("人社局/6月.xlsx", "进度填报", "F7")
    return ReportedRow(
        unit="人社局",
        period="2019-06",
        task_id="16.1",
        metric_id="16.1.1",
        row=7,
        value=4521.5,
        value_text="约4,521.5人",
        approximate=True,
        target_reported=9000.0,
        status="推进中",
        percent=None,
        expected_completion=date(2019, 12, 31),
        progress="进展顺利\n第二行",
        issues='=HYPERLINK("http://x")',
        next_steps="",
        sources={"value": ref, "status": CellRef("人社局/6月.xlsx", "进度填报", "G7")},
        problems=(Problem("approximate", "约数", "warning", ref, "人社局", "16.1", "16.1.1"),),
    )


def test_a_reading_round_trips_exactly_through_the_ledger(ledger):
    when = datetime(2019, 7, 3, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    value = {
        "rows": (_row(), _row()),
        "when": when,
        "list": [1, 2.0, None, True],
        "n": 3,
        ("16.1", None): -0.0,
        "empty": ((), {}, [], ""),
    }
    ledger.store_reading(SHA_A, "a.xlsx", "r1", "ctx", encode(value))
    back = decode(ledger.cached_reading(SHA_A, "a.xlsx", "r1", "ctx"))
    assert back == value
    assert type(back["rows"]) is tuple and type(back["rows"][0].problems) is tuple
    assert type(back["list"][1]) is float and type(back["n"]) is int
    assert back["rows"][0].expected_completion == date(2019, 12, 31)
    assert back["when"].utcoffset() == timedelta(hours=8)
    assert str(back[("16.1", None)]) == "-0.0" and back["empty"] == ((), {}, [], "")


def test_the_codec_refuses_what_it_could_not_rebuild():
    with pytest.raises(CodecError):
        encode({"v": Decimal("1.5")})
    with pytest.raises(CodecError):
        encode(Path("x"))
    # Stored text naming a class outside this package is never constructed.
    hostile = '{"$dc":"subprocess:Popen","f":{"args":"true"}}'
    with pytest.raises(CodecError, match="不属于本程序"):
        decode(hostile)
    with pytest.raises(CodecError):  # a field the record no longer has
        decode('{"$dc":"progress_audit.model.problems:CellRef","f":{"file":"a","gone":1}}')


# -- opening, errors, concurrency ----------------------------------------------------------


def test_ledger_url_defaults_to_sqlite_in_the_workspace(tmp_path):
    workspace = tmp_path / "数据 目录#1"
    with Ledger.open(workspace):
        pass
    assert (workspace / "ledger.db").is_file()
    assert ledger_url(workspace).startswith("sqlite:///")
    assert ledger_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_a_bad_url_or_unreachable_server_is_one_clear_error():
    with pytest.raises(LedgerError, match="无法打开登记簿数据库 postgresql\\+nosuchdriver://"):
        Ledger.open("postgresql+nosuchdriver://x/y")
    with pytest.raises(LedgerError, match="mysql 不受支持：请使用 SQLite（默认）或 PostgreSQL"):
        Ledger.open("mysql+pymysql://u@127.0.0.1/x")
    port = _free_port()  # nothing listens there
    with pytest.raises(
        LedgerError, match=r"无法连接登记簿数据库 .*\*\*\*.*请检查数据库是否已启动"
    ) as e:
        Ledger.open(f"postgresql+psycopg://audit:secret@127.0.0.1:{port}/x?connect_timeout=2")
    assert "secret" not in str(e.value) and "\n" not in str(e.value)


def test_a_ledger_passed_to_another_process_reopens_the_same_database(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        ledger.record("a.xlsx", SHA_A, 1, NS, "xlsx", "archive/aa/a.xlsx")
        copy = pickle.loads(pickle.dumps(ledger))
        try:
            assert copy.file(SHA_A) == ledger.file(SHA_A)
        finally:
            copy.close()


def _write_many(target: str, worker: int, count: int) -> None:
    with Ledger.open(target) as ledger:
        for i in range(count):
            sha = f"{i:064x}"  # both workers write the same bytes under their own names
            ledger.record(f"w{worker}/{i}.xlsx", sha, i, NS + worker, "xlsx", f"archive/{i}")
            ledger.store_reading(sha, f"w{worker}/{i}.xlsx", "r", "c", "{}")


def test_two_processes_write_one_ledger_at_once(ledger_target):
    target = str(ledger_target)
    Ledger.open(target).close()  # tables exist before the race (both would create them)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(target, w, 150)) for w in (0, 1)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
    assert [p.exitcode for p in workers] == [0, 0]
    with Ledger.open(target) as ledger:
        assert len(ledger.sightings()) == 300
        files = ledger.files()
        assert len(files) == 150
        assert {f.received_ns for f in files} == {NS}  # the earlier of the two, whoever won
