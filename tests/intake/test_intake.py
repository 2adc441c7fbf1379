"""Intake of the inbox: fingerprints, the write-once archive, received times, and which workbook
counts (on time, late, superseded, rejected). Real workbooks built with openpyxl in the
template's layout, read by the real reader.

The year benchmark (40 units × 12 months, cold and rerun):

    .venv/bin/python -m tests.intake.test_intake [--months 12]
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from progress_audit.cache.codec import decode, encode
from progress_audit.intake import (
    InboxFileChanged,
    Received,
    WorkbookReader,
    archived_reading,
    default_reader,
    earlier_receipts,
    receive,
    scan_inbox,
    submissions_for,
)
from progress_audit.intake.archive import archive_name, keep_written
from progress_audit.intake.ledger import Ledger
from progress_audit.intake.reading import WorkbookReading
from progress_audit.model.period import Calendar, Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.standards.catalogue import load_catalogue
from progress_audit.standards.responsibility import assignments
from tests.conftest import STANDARDS_DIR
from tests.support.workbooks import submission

# The module, not the function the package exports under the same name.
intake = importlib.import_module("progress_audit.intake.receive")

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
JUNE = Period(2019, 6)


def at(text: str) -> datetime:
    """`2019-07-03 10:00` in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def set_mtime(path: Path, moment: datetime) -> None:
    ns = int(moment.timestamp()) * 10**9
    os.utime(path, ns=(ns, ns))


def build_workbook(
    path: Path, unit: str | None, month: str | None, lines, share: float = 0.5
) -> Path:
    """A filled-in submission workbook in the template's layout."""
    inputs = {
        "完成状态": "推进中",
        "预计完成时间": "2019-12-31",
        "进展情况": "按计划推进",
        "下步计划": "继续推进",
    }
    fills = {}
    for ln in lines:
        if ln.metric_id:
            figure = {"本年累计完成": round(ln.target * share, 2)}
        else:
            figure = {"形象进度": round(share * 100)}
        fills[ln.metric_id or ln.task_id] = {**inputs, **figure}
    return submission(path, lines, fills, unit=unit, month=month)


@pytest.fixture(scope="module")
def context(catalogue_2019):
    return catalogue_2019, assignments(catalogue_2019)


@dataclass
class Counting:
    """The real reader, counting its calls."""

    calls: int = 0

    def reader(self) -> WorkbookReader:
        real = default_reader()

        def read(*args):
            self.calls += 1
            return real.read(*args)

        return WorkbookReader(real.version, read)


@dataclass
class Inbox:
    """A workspace with an inbox, a ledger, and helpers to take the inbox in."""

    root: Path
    catalogue: object
    assignments: dict
    ledger: Ledger
    counting: Counting

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    def workbook(self, name: str, unit: str | None, month: str | None, when: str, **kw) -> Path:
        lines = self.assignments[unit] if unit in self.assignments else self.assignments["人社局"]
        path = build_workbook(self.raw / name, unit, month, lines, **kw)
        set_mtime(path, at(when))
        return path

    def take_in(self) -> list[Received]:
        reader = self.counting.reader()
        return [
            receive(f, self.root, self.ledger, self.catalogue, self.assignments, reader=reader)
            for f in scan_inbox(self.raw, TZ)
        ]

    def june(self, as_of: str, received=None):
        received = self.take_in() if received is None else received
        return submissions_for(JUNE, at(as_of), received, Calendar(TZ, 5))


@pytest.fixture
def inbox(tmp_path, context) -> Iterator[Inbox]:
    catalogue, assignments = context
    (tmp_path / "raw").mkdir()
    with Ledger.open(tmp_path) as ledger:
        yield Inbox(tmp_path, catalogue, assignments, ledger, Counting())


def by_file(submissions):
    return {s.file: s for s in submissions}


# -- scanning ------------------------------------------------------------------------------


def test_scan_finds_every_file_and_skips_only_locks_hidden_ones_and_plans(tmp_path):
    raw = tmp_path / "raw"
    names = [
        "人社局.xlsx",
        "各板块/开发区/6月 进度.XLSX",
        "说明.txt",
        "空.xlsx",
        "~$人社局.xlsx",
        ".~lock.人社局.xlsx#",
        ".git/config",
        "a/.hidden.xlsx",
        "plans/2019/2019_交通局_节点计划表.xlsx",  # the plans inbox: no month's submission
        "2019-06/plans/交通局.xlsx",  # a folder of that name elsewhere is a month's
    ]
    for name in names:
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(b"" if name == "空.xlsx" else name.encode())
    os.mkfifo(raw / "管道")  # reading it would block: not a regular file
    set_mtime(raw / "人社局.xlsx", at("2019-07-03 10:00"))
    files = scan_inbox(raw, TZ)
    assert [f.name for f in files] == [
        "2019-06/plans/交通局.xlsx",
        "人社局.xlsx",
        "各板块/开发区/6月 进度.XLSX",
        "空.xlsx",
        "说明.txt",
    ]
    first = files[1]
    assert first.mtime == at("2019-07-03 10:00") and first.mtime.tzinfo == ZONE
    assert first.size == len("人社局.xlsx".encode()) and first.path == raw / "人社局.xlsx"
    assert scan_inbox(tmp_path / "no-such-inbox", TZ) == []


# -- receiving -----------------------------------------------------------------------------


def test_receive_archives_once_read_only_and_reads_the_copy(inbox):
    path = inbox.workbook("人社局/6月.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    (first,) = inbox.take_in()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.sha256 == sha and first.archived == f"archive/{sha[:2]}/{sha}.xlsx"
    copy = inbox.root / first.archived
    assert copy.read_bytes() == path.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o444
    assert first.reading.usable and first.reading.unit == "人社局"
    assert first.reading.period == "2019-06" and not first.cached
    # Provenance names the inbox file, not the archived copy that was read.
    refs = [ref for row in first.reading.rows for ref in row.sources.values()]
    assert refs and {ref.file for ref in refs} == {"人社局/6月.xlsx"}

    before = copy.stat()
    (again,) = inbox.take_in()
    after = copy.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_ctime_ns,
    )
    assert again.cached and again.reading == first.reading and inbox.counting.calls == 1
    assert [p.name for p in (inbox.root / "archive").rglob("*") if p.is_file()] == [copy.name]


def test_received_time_is_the_mtime_when_first_seen_and_a_touch_changes_nothing(inbox):
    path = inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    (first,) = inbox.take_in()
    set_mtime(path, at("2019-07-09 08:00"))  # touched after the due date
    (again,) = inbox.take_in()
    assert first.received_at == again.received_at == at("2019-07-03 10:00")
    (sub,) = inbox.june("2019-07-10", [again])
    assert (sub.status, sub.received_at) == ("on_time", at("2019-07-03 10:00"))


def test_a_resubmission_counts_and_the_earlier_version_is_superseded(inbox):
    inbox.workbook("人社局-初稿.xlsx", "人社局", "2019年6月", "2019-07-02 09:00", share=0.3)
    inbox.workbook("人社局-修改稿.xlsx", "人社局", "2019-06", "2019-07-04 17:30", share=0.6)
    subs = by_file(inbox.june("2019-07-06"))
    new, old = subs["人社局-修改稿.xlsx"], subs["人社局-初稿.xlsx"]
    assert (new.status, old.status) == ("on_time", "superseded")
    assert new.rows and not old.rows  # only the counting workbook carries figures
    assert [p.code for p in old.problems] == ["superseded"]
    assert "人社局-修改稿.xlsx" in old.problems[0].message
    assert {r.value for r in new.rows if r.metric_id} != {None}
    assert both_archived(inbox, subs.values())
    # As of a moment between the two, the first one counted (a rerun reproduces it).
    (earlier,) = inbox.june("2019-07-03")
    assert (earlier.file, earlier.status) == ("人社局-初稿.xlsx", "on_time")


def both_archived(inbox, subs) -> bool:
    return all((inbox.root / s.archived).is_file() for s in subs)


def test_late_is_after_24_00_of_the_fifth(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-06 00:00")  # 24:00 of the 5th
    inbox.workbook("商务局.xlsx", "商务局", "2019年6月", "2019-07-06 00:00:01")
    subs = by_file(inbox.june("2019-07-08"))
    assert subs["人社局.xlsx"].status == "on_time"
    late = subs["商务局.xlsx"]
    assert late.status == "late" and late.rows
    (note,) = [p for p in late.problems if p.code == "late"]
    assert note.dimension == "timeliness" and "2019年7月5日24时" in note.message


def test_a_file_received_after_as_of_is_ignored(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-08 10:00")
    received = inbox.take_in()
    assert inbox.june("2019-07-06", received) == []
    (sub,) = inbox.june("2019-07-08 10:00", received)  # at the moment itself it counts
    assert sub.status == "late"


def test_the_same_bytes_under_two_names_are_one_submission(inbox):
    path = inbox.workbook("人社局/进度表.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    copy = inbox.raw / "转发/进度表(1).xlsx"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    set_mtime(copy, at("2019-07-07 10:00"))  # copied later: it must not make the unit late
    received = inbox.take_in()
    assert len({r.sha256 for r in received}) == 1
    (sub,) = inbox.june("2019-07-08", received)
    assert (sub.file, sub.status) == ("人社局/进度表.xlsx", "on_time")
    (dup,) = [p for p in sub.problems if p.code == "duplicate_file"]
    assert "转发/进度表(1).xlsx" in dup.message and dup.severity == "warning"
    assert len(list((inbox.root / "archive").rglob("*.xlsx"))) == 1
    # Before the copy's own time, it is not mentioned.
    (alone,) = inbox.june("2019-07-05", received)
    assert not [p for p in alone.problems if p.code == "duplicate_file"]


def test_unusable_files_are_rejected_with_reasons_and_others_still_count(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    (inbox.raw / "商务局.xlsx").write_bytes(os.urandom(3000))
    (inbox.raw / "说明.txt").write_text("本月进度见附件", encoding="utf-8")
    inbox.workbook("无月份.xlsx", "发改局", None, "2019-07-04 10:00")
    for name in ("商务局.xlsx", "说明.txt"):
        set_mtime(inbox.raw / name, at("2019-07-04 11:00"))
    subs = by_file(inbox.june("2019-07-06"))
    assert subs["人社局.xlsx"].status == "on_time"
    for name in ("商务局.xlsx", "说明.txt", "无月份.xlsx"):
        sub = subs[name]
        assert sub.status == "rejected" and not sub.rows, name
        errors = [p for p in sub.problems if p.severity == "error"]
        assert errors and all(p.message for p in errors), name
        assert all(p.ref and p.ref.file == name for p in errors), name
    assert list(subs)[-1] in ("商务局.xlsx", "说明.txt", "无月份.xlsx")  # no unit: listed last


def _reading(unit, period, usable, problems=()):
    return WorkbookReading(unit=unit, period=period, rows=(), problems=problems, usable=usable)


def _received(name, when, unit, period, usable=True, sha=None):
    moment = at(when)
    reading = _reading(
        unit,
        period,
        usable,
        () if usable else (Problem("no_month", "无法确定填报月份", ref=CellRef(name)),),
    )
    sha = sha or hashlib.sha256(name.encode()).hexdigest()
    return Received(name, sha, 1, moment, moment, f"archive/{sha}", reading)


def test_a_rejected_file_without_a_month_is_listed_in_the_window_it_arrived_in():
    files = [
        _received("五月底.xlsx", "2019-06-05 23:00", None, None, usable=False),  # May's window
        _received("七月三日.xlsx", "2019-07-03 09:00", None, None, usable=False),  # June's
        _received("七月七日.xlsx", "2019-07-07 09:00", None, None, usable=False),  # July's
        _received("标明六月.xlsx", "2019-08-01 09:00", None, "2019-06", usable=False),
        _received("七月的表.xlsx", "2019-07-03 09:00", "人社局", "2019-07"),  # another month
    ]
    as_of = at("2019-09-01 00:00")

    def listed(month: Period) -> list[str]:
        return [s.file for s in submissions_for(month, as_of, files, Calendar(TZ, 5))]

    assert listed(Period(2019, 5)) == ["五月底.xlsx"]
    assert listed(JUNE) == ["七月三日.xlsx", "标明六月.xlsx"]
    assert listed(Period(2019, 7)) == ["七月的表.xlsx", "七月七日.xlsx"]


def test_submissions_are_ordered_by_unit_time_and_name_whatever_the_input_order():
    files = [
        _received("b.xlsx", "2019-07-02 09:00", "商务局", "2019-06"),
        _received("a.xlsx", "2019-07-02 09:00", "商务局", "2019-06"),  # same moment: name decides
        _received("c.xlsx", "2019-07-01 09:00", "人社局", "2019-06"),
        _received("x.xlsx", "2019-07-01 09:00", None, None, usable=False),
    ]
    as_of = at("2019-07-06 00:00")
    results = [
        submissions_for(JUNE, as_of, order, Calendar(TZ, 5)) for order in (files, files[::-1])
    ]
    assert results[0] == results[1]
    assert [(s.file, s.status) for s in results[0]] == [
        ("c.xlsx", "on_time"),
        ("a.xlsx", "superseded"),
        ("b.xlsx", "on_time"),
        ("x.xlsx", "rejected"),
    ]


def test_an_overwritten_workbook_keeps_its_earlier_version(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-02 09:00", share=0.3)
    (v1,) = inbox.take_in()
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-04 09:00", share=0.6)
    present = inbox.take_in()
    (old,) = earlier_receipts(
        inbox.root,
        inbox.ledger,
        present,
        inbox.catalogue,
        inbox.assignments,
        TZ,
        reader=inbox.counting.reader(),
    )
    assert (old.sha256, old.reading, old.cached) == (v1.sha256, v1.reading, True)
    subs = inbox.june("2019-07-06", [*present, old])
    assert [(s.sha256, s.status) for s in subs] == [
        (v1.sha256, "superseded"),
        (present[0].sha256, "on_time"),
    ]
    (then,) = inbox.june("2019-07-03", [*present, old])
    assert (then.sha256, then.status) == (v1.sha256, "on_time")


def test_a_file_changing_while_taken_in_is_retried_not_recorded(inbox, monkeypatch):
    path = inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    real = intake.file_sha256

    def hash_while_unit_still_writes(p):
        digest = real(p)
        with open(path, "ab") as f:
            f.write(b"more")
        return digest

    monkeypatch.setattr(intake, "file_sha256", hash_while_unit_still_writes)
    with pytest.raises(InboxFileChanged, match="正在被写入"):
        inbox.take_in()
    assert inbox.ledger.files() == [] and not (inbox.root / "archive").exists()
    monkeypatch.setattr(intake, "file_sha256", real)
    (r,) = inbox.take_in()
    assert r.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_cannot_be_opened_is_rejected_and_the_rest_goes_on(inbox, monkeypatch):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    inbox.workbook("锁定.xlsx", "商务局", "2019年6月", "2019-07-03 10:00")
    real = intake.file_sha256

    def no_permission(p):
        if p.name == "锁定.xlsx":  # as root, chmod 000 would not stop us: refuse it here
            raise PermissionError(13, "Permission denied")
        return real(p)

    monkeypatch.setattr(intake, "file_sha256", no_permission)
    subs = by_file(inbox.june("2019-07-06"))
    assert subs["人社局.xlsx"].status == "on_time"
    locked = subs["锁定.xlsx"]
    assert locked.status == "rejected" and locked.problems[0].code == "unreadable_file"
    assert "没有读取权限。请检查文件权限" in locked.problems[0].message


def test_a_damaged_archived_copy_is_found_and_written_again(inbox, caplog):
    path = inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    (first,) = inbox.take_in()
    copy = inbox.root / first.archived
    os.chmod(copy, 0o644)
    copy.write_bytes(path.read_bytes()[:100])  # what a crash before the disk flush may leave
    os.chmod(copy, 0o444)
    (again,) = inbox.take_in()
    assert copy.read_bytes() == path.read_bytes() and stat.S_IMODE(copy.stat().st_mode) == 0o444
    assert again.reading == first.reading
    assert "does not match its sha256" in caplog.text


def test_a_reader_failure_rejects_that_file_only_and_is_not_cached(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    inbox.workbook("商务局.xlsx", "商务局", "2019年6月", "2019-07-03 10:00")
    real = default_reader()

    def failing(path, name, *rest):
        if name == "商务局.xlsx":
            raise ZeroDivisionError("division by zero")
        return real.read(path, name, *rest)

    def take_in(reader):
        return [
            receive(f, inbox.root, inbox.ledger, inbox.catalogue, inbox.assignments, reader=reader)
            for f in scan_inbox(inbox.raw, TZ)
        ]

    received = take_in(WorkbookReader(real.version, failing))
    subs = by_file(inbox.june("2019-07-06", received))
    assert subs["人社局.xlsx"].status == "on_time"
    broken = subs["商务局.xlsx"]
    assert broken.status == "rejected" and broken.problems[0].code == "reader_failed"
    assert "ZeroDivisionError" in broken.problems[0].message
    fixed = {r.name: r for r in take_in(real)}  # the fixed reader reads it again
    assert not fixed["商务局.xlsx"].cached and fixed["商务局.xlsx"].reading.usable


def test_a_changed_catalogue_or_assignment_reads_again(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    inbox.take_in()
    inbox.assignments = {u: lines for u, lines in inbox.assignments.items() if u != "商务局"}
    (r,) = inbox.take_in()
    assert not r.cached and inbox.counting.calls == 2


def test_cached_readings_of_the_real_reader_round_trip_exactly(inbox):
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    (inbox.raw / "坏.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    for r in inbox.take_in():
        back = decode(encode(r.reading))
        assert back == r.reading and repr(back) == repr(r.reading)


# -- the inbox is never changed -------------------------------------------------------------


def snapshot(raw: Path) -> dict[str, tuple]:
    """Every path under raw/ with its bytes' hash and its stat (not atime: reading sets it)."""
    result = {}
    for p in sorted(raw.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        result[str(p.relative_to(raw))] = (
            digest,
            st.st_size,
            st.st_mtime_ns,
            st.st_ctime_ns,
            st.st_mode,
            st.st_ino,
            st.st_uid,
            st.st_nlink,
        )
    return result


def mixed_inbox(inbox: Inbox) -> None:
    inbox.workbook("人社局.xlsx", "人社局", "2019年6月", "2019-07-03 10:00")
    inbox.workbook("商务局/v1.xlsx", "商务局", "2019年6月", "2019-07-01 10:00")
    inbox.workbook("商务局/v2.xlsx", "商务局", "2019年6月", "2019-07-07 10:00", share=0.7)
    (inbox.raw / "乱码.xlsx").write_bytes(os.urandom(2048))
    (inbox.raw / "说明.txt").write_text("见附件", encoding="utf-8")
    for name in ("乱码.xlsx", "说明.txt"):
        set_mtime(inbox.raw / name, at("2019-07-04 12:00"))


def test_intake_never_changes_the_inbox(inbox):
    mixed_inbox(inbox)
    before = snapshot(inbox.raw)
    inbox.june("2019-07-08")
    inbox.june("2019-07-08")
    assert snapshot(inbox.raw) == before


def test_intake_works_on_a_read_only_inbox(tmp_path, context):
    """chmod -R a-w raw/, then take it in. Root ignores permission bits, so as root the intake
    runs in a child process without any capability (setpriv), for which they hold."""
    workspace = tmp_path / "data"
    (workspace / "raw").mkdir(parents=True)
    catalogue, assignments = context
    mixed_inbox(Inbox(workspace, catalogue, assignments, None, Counting()))  # type: ignore[arg-type]
    subprocess.run(["chmod", "-R", "a-w", str(workspace / "raw")], check=True)
    before = snapshot(workspace / "raw")
    try:
        prefix = ["setpriv", "--bounding-set", "-all", "--"] if os.geteuid() == 0 else []
        denied = subprocess.run(
            [*prefix, "touch", str(workspace / "raw" / "x")], capture_output=True, text=True
        )
        if denied.returncode == 0 or "Permission denied" not in denied.stderr:
            pytest.skip(f"无法在此环境中让收件箱真正只读（{denied.stderr.strip()[:200]}）")
        script = (
            "import json; from tests.intake.test_intake import _take_in_child as f; "
            f"print(json.dumps(f({str(workspace)!r})))"
        )
        done = subprocess.run(
            [*prefix, sys.executable, "-c", script],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parents[2],
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        statuses = json.loads(done.stdout.strip().splitlines()[-1])
        assert statuses == {
            "人社局.xlsx": "on_time",
            "商务局/v1.xlsx": "superseded",
            "商务局/v2.xlsx": "late",
            "乱码.xlsx": "rejected",
            "说明.txt": "rejected",
        }
        assert snapshot(workspace / "raw") == before
        assert len(list((workspace / "archive").rglob("*.*"))) == 5
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(workspace / "raw")], check=False)


def _take_in_child(workspace: str) -> dict[str, str]:
    """The intake, in a child process (see the read-only test)."""
    catalogue = load_catalogue(2019, STANDARDS_DIR)
    lines = assignments(catalogue)
    root = Path(workspace)
    with Ledger.open(root) as ledger:
        received = [
            receive(f, root, ledger, catalogue, lines) for f in scan_inbox(root / "raw", TZ)
        ]
    return {
        s.file: s.status for s in submissions_for(JUNE, at("2019-07-08"), received, Calendar(TZ, 5))
    }


# -- reruns --------------------------------------------------------------------------------


def build_month(raw: Path, month: Period, assignments, units=None) -> list[Path]:
    """Every unit's workbook for `month`, received on the 3rd of the next month."""
    paths = []
    for i, (unit, lines) in enumerate(assignments.items()):
        if units is not None and i >= units:
            break
        path = build_workbook(
            raw / f"{month}/{unit}.xlsx",
            unit,
            month.label,
            lines,
            share=month.elapsed_share * (0.8 + 0.01 * i),
        )
        set_mtime(path, datetime(month.next().year, month.next().month, 3, 9, tzinfo=ZONE))
        paths.append(path)
    return paths


def test_a_rerun_with_nothing_changed_reads_no_workbook(inbox):
    build_month(inbox.raw, JUNE, inbox.assignments, units=12)
    start = time.perf_counter()
    cold = inbox.take_in()
    cold_s = time.perf_counter() - start
    assert inbox.counting.calls == 12
    start = time.perf_counter()
    rerun = inbox.take_in()
    rerun_s = time.perf_counter() - start
    assert inbox.counting.calls == 12, "a rerun must not read any workbook again"
    assert all(r.cached for r in rerun) and [r.reading for r in rerun] == [r.reading for r in cold]
    print(f"12 workbooks: cold {cold_s * 1000:.0f} ms, rerun {rerun_s * 1000:.0f} ms")
    assert rerun_s < cold_s


def test_receiving_in_parallel_threads_gives_the_same_result(inbox):
    """The flow may map workbooks over a thread pool: one ledger, one archive, shared."""
    build_month(inbox.raw, JUNE, inbox.assignments, units=8)
    for path in sorted(inbox.raw.rglob("*.xlsx"))[:3]:  # the same bytes under a second name
        shutil.copy2(path, path.with_name(f"副本-{path.name}"))
    files = scan_inbox(inbox.raw, TZ)
    reader = inbox.counting.reader()

    def one(f):
        return receive(
            f, inbox.root, inbox.ledger, inbox.catalogue, inbox.assignments, reader=reader
        )

    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(one, files))
    assert [r.name for r in parallel] == [f.name for f in files]
    assert len(list((inbox.root / "archive").rglob("*.xlsx"))) == 8
    assert len(inbox.ledger.files()) == 8 and len(inbox.ledger.sightings()) == 11
    subs = inbox.june("2019-07-06", parallel)
    assert [s.status for s in subs] == ["on_time"] * 8
    assert sum(1 for s in subs for p in s.problems if p.code == "duplicate_file") == 3
    assert [r.reading for r in inbox.take_in()] == [r.reading for r in parallel]


# -- the year benchmark (python -m tests.intake.test_intake) ---------------------------------------


def bench(months: int = 12) -> dict[str, float]:
    """Intake of a year of workbooks (every unit, `months` months): cold, rerun, and the parts."""
    catalogue = load_catalogue(2019, STANDARDS_DIR)
    lines = assignments(catalogue)
    with tempfile.TemporaryDirectory(prefix="progress-audit-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        for m in range(1, months + 1):
            build_month(root / "raw", Period(2019, m), lines)
        built = time.perf_counter() - start
        result: dict[str, float] = {"build_s": built}

        real = default_reader()
        reading_s = [0.0]

        def timed_read(*args):
            start = time.perf_counter()
            try:
                return real.read(*args)
            finally:
                reading_s[0] += time.perf_counter() - start

        reader = WorkbookReader(real.version, timed_read)

        def take_in() -> float:
            start = time.perf_counter()
            with Ledger.open(root) as ledger:
                for f in scan_inbox(root / "raw", TZ):
                    receive(f, root, ledger, catalogue, lines, reader=reader)
            return time.perf_counter() - start

        files = scan_inbox(root / "raw", TZ)
        result["workbooks"] = len(files)
        result["bytes"] = sum(f.size for f in files)
        result["cold_s"] = take_in()
        result["cold_reader_s"] = reading_s[0]
        reruns = sorted(take_in() for _ in range(5))
        result["rerun_median_s"] = reruns[2]
        start = time.perf_counter()
        for _ in range(5):
            scan_inbox(root / "raw", TZ)
        result["scan_s"] = (time.perf_counter() - start) / 5
        start = time.perf_counter()
        for f in files:
            intake.file_sha256(f.path)
        result["hash_s"] = time.perf_counter() - start
        return result


if __name__ == "__main__":
    months = int(sys.argv[sys.argv.index("--months") + 1]) if "--months" in sys.argv else 12
    r = bench(months)
    n = r["workbooks"]
    print(f"{n:.0f} workbooks ({r['bytes'] / 1e6:.1f} MB), built in {r['build_s']:.1f} s")
    print(f"cold intake   {r['cold_s']:.2f} s  ({r['cold_s'] / n * 1000:.1f} ms per workbook)")
    own = r["cold_s"] - r["cold_reader_s"]
    print(
        f"  of which: reader {r['cold_reader_s']:.2f} s, intake's own work {own:.2f} s "
        f"({own / n * 1000:.2f} ms per workbook: hash, archive, ledger, cache)"
    )
    print(
        f"rerun (median of 5) {r['rerun_median_s']:.3f} s  "
        f"({r['rerun_median_s'] / n * 1000:.2f} ms per workbook)"
    )
    print(
        f"  of which: scan {r['scan_s'] * 1000:.0f} ms, sha256 of all {r['hash_s'] * 1000:.0f} ms"
    )


def test_cached_readings_are_keyed_on_the_reading_code(monkeypatch):
    """A change to the reader's code must read the workbooks again: the version folds in the
    source of every reading package (here: a different set of packages, a different version)."""
    whole = default_reader().version
    assert default_reader().version == whole  # stable between calls
    monkeypatch.setattr(
        archived_reading, "READING_PACKAGES", archived_reading.READING_PACKAGES[:-1]
    )
    assert default_reader().version != whole
    monkeypatch.undo()
    assert default_reader().version == whole


def test_an_upload_is_archived_by_a_hard_link_and_a_damaged_copy_is_written_again(tmp_path):
    body = b"PK\x03\x04 an upload's bytes"
    sha = hashlib.sha256(body).hexdigest()
    upload = tmp_path / ".uploads" / "1" / ".upload-x.part"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(body)
    target = tmp_path / archive_name(sha, "门户上传/人社局/6月.xlsx")
    keep_written(upload, sha, target)
    assert target.read_bytes() == body
    assert os.stat(target).st_ino == os.stat(upload).st_ino  # not read and copied again
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o444
    upload.unlink()  # the portal removes its temporary file: the archived copy stays
    assert target.read_bytes() == body

    os.chmod(target, 0o644)
    target.write_bytes(b"damaged")
    again = tmp_path / "again.part"
    again.write_bytes(body)
    keep_written(again, sha, target)
    assert target.read_bytes() == body
