"""Intake of the inbox (收件): fingerprint, archive, record and read every file under `raw/`.

    scan_inbox ──▶ InboxFile ──receive──▶ Received ──submissions_for(month, as_of)──▶ Submission

- `scan_inbox` lists the files (stat only, never writes);
- `receive` hashes one file (sha256, streamed), copies it once into `archive/` (content-addressed,
  write-once, read-only), records it in the ledger, and reads the archived copy, or reuses the
  ledger's cached reading of the same bytes under the same name;
- `submissions_for` is pure: which files had arrived by `as_of`, which counts for each unit
  and month, which were late, superseded or rejected.

The engine never changes, moves or deletes anything under `raw/`: it only stats and reads.

Received time (收到时间) is a file's modification time when the engine first sees it with
those bytes; a later `touch` changes nothing. The same bytes under several names were received
at the earliest of those first-seen times, whatever order the names were seen in.

Every file is hashed on every run, even when its name, size and mtime match the last sighting:
hashing a year of workbooks (480 files, 3 MB) takes under 10 ms, far less than the rest of a
rerun, and a stat-only shortcut would miss a file rewritten with the same size within the
file system's mtime resolution (2 s on FAT and some network shares).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import logging
import os
import re
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from progress_audit.model.period import Period, day_label, deadline_day, moment_label
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import Submission

if TYPE_CHECKING:
    from concurrent.futures import Future

    from progress_audit.intake.ledger import Known, Ledger
    from progress_audit.intake.reading.reader import WorkbookReading
    from progress_audit.standards.catalogue import Catalogue
    from progress_audit.standards.responsibility import TaskLine

ARCHIVE_DIR = "archive"
_log = logging.getLogger(__name__)
_CHUNK = 1 << 20


class InboxFileChanged(OSError):
    """The file changed while it was being taken in (a unit still copying it): try again."""


@dataclass(frozen=True)
class InboxFile:
    """A file found in the inbox: its path, its name relative to `raw/`, and its stat."""

    path: Path
    name: str
    """Relative to `raw/`, with `/` separators: how the office and the reports name it."""
    size: int
    mtime: datetime
    """Modification time, aware, in the office's time zone."""
    mtime_ns: int = 0
    """The same, exactly (nanoseconds since the epoch), as the ledger keeps it."""


@dataclass(frozen=True)
class Received:
    """One inbox file as taken in: its bytes' fingerprint, archived copy, received time, reading."""

    name: str
    sha256: str
    size: int
    received_at: datetime
    """When these bytes were received: the earliest first-seen mtime of any name holding them."""
    seen_mtime: datetime
    """This name's modification time when the engine first saw it with these bytes."""
    archived: str
    """The immutable copy, relative to the workspace (`archive/ab/ab12….xlsx`); "" if none."""
    reading: WorkbookReading
    cached: bool = False
    """True when the reading came from the ledger's cache (the workbook was not read again)."""


@dataclass(frozen=True)
class WorkbookReader:
    """The reader `receive` uses, with the version its cached readings are keyed on."""

    version: str
    read: Callable[[Path, str, Any, Mapping[str, Any]], WorkbookReading]


def default_reader() -> WorkbookReader:
    """The project's reader, with the office's size limits. The limits decide whether a file is
    read at all, so they are part of the version its readings are cached under."""
    from progress_audit.intake.reading.reader import READER_VERSION, read_workbook
    from progress_audit.intake.reading.safety import SafetyLimits

    limits = SafetyLimits.from_settings()
    digest = hashlib.sha256(repr(limits).encode())
    digest.update(_reading_code_version().encode())
    version = f"{READER_VERSION}:{digest.hexdigest()[:12]}"
    return WorkbookReader(version, functools.partial(read_workbook, limits=limits))


READING_PACKAGES = ("progress_audit.intake.reading", "progress_audit.model")
"""The code a reading depends on: a change to any of it means read again (a cached reading
must be what today's reader would make of the same bytes)."""


def _reading_code_version() -> str:
    from progress_audit.cache.code_version import code_version

    return code_version(READING_PACKAGES, ("python-calamine",))


# -- scanning ------------------------------------------------------------------------------


def scan_inbox(raw_dir: Path, tz: str) -> list[InboxFile]:
    """Every regular file under `raw_dir`, recursively, sorted by name. Only stats; never writes.

    Skipped, and only these: names starting with `.` (hidden files and folders, LibreOffice's
    `.~lock.…#`) and `~$…` (the lock file Excel and WPS keep beside an open workbook), which are
    never submissions; and anything that is not a regular file (a pipe would block a read).
    Symbolic links to files are followed; links to folders are not (no loops).
    """
    zone = ZoneInfo(tz)
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    found: list[InboxFile] = []
    for folder, dirs, names in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not _ignored(d))
        for n in names:
            if _ignored(n):
                continue
            path = Path(folder) / n
            try:
                st = path.stat()
            except OSError:
                continue  # vanished between listing and stat, or a dangling link
            if not stat.S_ISREG(st.st_mode):
                continue
            found.append(
                InboxFile(
                    path=path,
                    name=path.relative_to(raw_dir).as_posix(),
                    size=st.st_size,
                    mtime=_moment(st.st_mtime_ns, zone),
                    mtime_ns=st.st_mtime_ns,
                )
            )
    return sorted(found, key=lambda f: f.name)


def holds_new_bytes(raw_dir: Path, workspace: Path) -> bool:
    """Whether some inbox file holds bytes that have no archived copy yet: a new or changed
    workbook. Only hashes (never writes); a file that cannot be read counts as not new."""
    for file in scan_inbox(raw_dir, "UTC"):
        try:
            sha256 = _sha256(file.path)
        except OSError:
            continue
        if not (Path(workspace) / _archive_name(sha256, file.name)).exists():
            return True
    return False


def _ignored(name: str) -> bool:
    return name.startswith((".", "~$"))


def _moment(ns: int, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(ns // 1_000_000_000, zone).replace(
        microsecond=(ns % 1_000_000_000) // 1000
    )


# -- receiving -----------------------------------------------------------------------------


def receive(
    file: InboxFile,
    workspace: Path,
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    reader: WorkbookReader | None = None,
) -> Received:
    """Fingerprint, archive, record and read one inbox file.

    Raises `InboxFileChanged` when the file changes while being hashed or copied (a unit still
    writing it): the caller retries. A file that cannot be opened at all comes back with an
    unusable reading saying why, so one bad file never stops the others.
    """
    return receive_many([file], workspace, ledger, catalogue, assignments, reader=reader)[0]


def receive_many(
    files: Sequence[InboxFile],
    workspace: Path,
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    reader: WorkbookReader | None = None,
    pool: ReadingPool | None = None,
) -> list[Received]:
    """`receive` for each file, in order. With a `pool`, the workbooks are read by its worker
    processes, several at once, while this process fingerprints, archives and records them:
    the same results, sooner on a machine with more than one core."""
    reader = reader or default_reader()
    workspace = Path(workspace)
    context = reading_context(catalogue, assignments)
    if pool is not None and pool.reader_version != reader.version:
        pool = None
    archived: dict[str, str] = {}  # the same bytes twice in one batch: one archived copy
    taken: list[_Taken | Received] = []
    readings: list[Any] = []  # per taken file: its reading, or a worker's reading under way
    for f in files:
        t = _take(f, workspace, ledger, reader, context, archived)
        taken.append(t)
        if isinstance(t, _Taken):
            job = (workspace / t.archived, t.file.name, t.known.reading)
            if pool is not None and t.known.reading is None:  # read while the next is taken
                readings.append(pool.submit(job))
            else:
                readings.append(_reading(*job, reader, catalogue, assignments))
        else:
            readings.append(None)
    return [
        t
        if isinstance(t, Received)
        else _settle(t, ledger, reader, context, *(r if isinstance(r, tuple) else pool.result(r)))
        for t, r in zip(taken, readings, strict=True)
    ]


@dataclass(frozen=True)
class _Taken:
    """An inbox file fingerprinted and archived, with what the ledger knew of it."""

    file: InboxFile
    before: os.stat_result
    sha256: str
    known: Known
    archived: str


def _take(
    file: InboxFile,
    workspace: Path,
    ledger: Ledger,
    reader: WorkbookReader,
    context: str,
    archived_in_batch: dict[str, str],
) -> _Taken | Received:
    """Hash and archive `file` (a Received when it cannot even be opened)."""
    try:
        before, sha256 = _fingerprint(file)
    except InboxFileChanged:
        raise
    except OSError as e:
        return _unopenable(file, e)
    known = ledger.lookup(file.name, sha256, reader.version, context)
    archived = (
        known.file.archived
        if known.file
        else (archived_in_batch.get(sha256) or _archive_name(sha256, file.name))
    )
    _archive(file.path, sha256, workspace / archived)  # also restores a damaged copy
    archived_in_batch.setdefault(sha256, archived)
    return _Taken(file, before, sha256, known, archived)


def _settle(
    taken: _Taken,
    ledger: Ledger,
    reader: WorkbookReader,
    context: str,
    reading: WorkbookReading,
    cached: bool,
    fresh: str | None,
) -> Received:
    """Record the file and its reading (when new) in the ledger; the file as received."""
    from progress_audit.intake.ledger import CachedReading

    file, known = taken.file, taken.known
    keep = CachedReading(reader.version, context, fresh) if fresh is not None else None
    if known.file is None or known.seen_ns is None:  # new bytes, or known bytes, new name
        known = ledger.record(
            file.name,
            taken.sha256,
            taken.before.st_size,
            taken.before.st_mtime_ns,
            _ext(file.name),
            taken.archived,
            keep,
        )
    elif keep is not None:
        ledger.store_reading(taken.sha256, file.name, *keep)
    return _as_received(file, taken.sha256, known, reading, cached)


def _as_received(
    file: InboxFile, sha256: str, known: Known, reading: WorkbookReading, cached: bool
) -> Received:
    assert known.file is not None and known.seen_ns is not None
    zone = file.mtime.tzinfo or ZoneInfo("UTC")
    return Received(
        name=file.name,
        sha256=sha256,
        size=known.file.size,
        received_at=_moment(known.file.received_ns, zone),
        seen_mtime=_moment(known.seen_ns, zone),
        archived=known.file.archived,
        reading=reading,
        cached=cached,
    )


def _fingerprint(file: InboxFile) -> tuple[os.stat_result, str]:
    """The file's stat and sha256; `InboxFileChanged` if it changed while being hashed."""
    before = os.stat(file.path)
    sha256 = _sha256(file.path)
    _unchanged(file, before)
    return before, sha256


def receive_cached(
    file: InboxFile,
    workspace: Path,
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    reader: WorkbookReader | None = None,
) -> Received | None:
    """The file as `receive` would take it in, when the ledger already knows these bytes under
    this name and holds their reading: nothing to read and nothing to record. None otherwise
    (new bytes, a new name, no usable cached reading, or any trouble hashing or checking the
    archived copy): then `receive` takes it in, and its caller retries what fails.

    A rerun goes through here for every unchanged workbook, in one batch rather than one task
    each; the result is the same as `receive`'s for the same file.
    """
    reader = reader or default_reader()
    try:
        _, sha256 = _fingerprint(file)
    except OSError:  # InboxFileChanged too: `receive` says what happened, with retries
        return None
    context = reading_context(catalogue, assignments)
    known = ledger.lookup(file.name, sha256, reader.version, context)
    if known.file is None or known.seen_ns is None or known.reading is None:
        return None
    try:
        _archive(file.path, sha256, Path(workspace) / known.file.archived)
        reading = _decoded(known.reading)
    except (OSError, ValueError):  # CodecError is a ValueError: read it again
        return None
    return _as_received(file, sha256, known, reading, cached=True)


# Decoded readings by their text: the demo audits six months in one process over the same
# inbox, and a reading is immutable, so each is decoded once.
_DECODED: dict[str, WorkbookReading] = {}
_DECODED_LIMIT = 4096


def _decoded(text: str) -> WorkbookReading:
    from progress_audit.cache.codec import decode

    key = hashlib.sha256(text.encode()).hexdigest()
    reading = _DECODED.get(key)
    if reading is None:
        reading = decode(text)
        if len(_DECODED) >= _DECODED_LIMIT:
            _DECODED.clear()
        _DECODED[key] = reading
    return reading


def _reading(
    archived: Path,
    name: str,
    cached_text: str | None,
    reader: WorkbookReader,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    failures: list[str] | None = None,
) -> tuple[WorkbookReading, bool, str | None]:
    """The cached reading, or a fresh one of the archived copy with its text to cache (None:
    nothing to cache). Reading the archived copy, never the inbox file, makes the reading
    belong to exactly the bytes that were hashed. A reader failure is logged, or, given
    `failures`, its traceback is added there (a worker process leaves logging to its parent)."""
    from progress_audit.cache.codec import CodecError, decode, encode

    if cached_text is not None:
        with contextlib.suppress(CodecError):
            return decode(cached_text), True, None
    try:
        reading = reader.read(archived, name, catalogue, assignments)
    except Exception as e:
        # A reader bug must not stop the other workbooks: this one is rejected, saying so, and
        # not cached, so a fixed reader reads it again.
        if failures is None:
            _log.exception("reading %s failed", name)
        else:
            failures.append(f"reading {name} failed\n{traceback.format_exc()}")
        message = f"读取文件 {name} 时程序出错（{type(e).__name__}：{e}）。请将此文件转交系统管理员"
        return _rejected(name, "reader_failed", message, "validity"), False, None
    try:
        return reading, False, encode(reading)
    except CodecError:
        return reading, False, None  # not cacheable: read again next time (slower, never wrong)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _unchanged(file: InboxFile, before: os.stat_result) -> None:
    after = os.stat(file.path)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise InboxFileChanged(
            errno.EAGAIN, f"文件 {file.name} 正在被写入（读取期间大小或修改时间变了），稍后重试"
        )


def _ext(name: str) -> str:
    """The file's extension for the archived copy: lower-case letters and digits, or `bin`."""
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix) else "bin"


def _archive_name(sha256: str, name: str) -> str:
    return f"{ARCHIVE_DIR}/{sha256[:2]}/{sha256}.{_ext(name)}"


def _archive(source: Path, sha256: str, target: Path) -> None:
    """Keep the bytes at `target`, read-only (0o444): written once, never replaced by others.

    The copy is written beside the target under a temporary name and hard-linked into place,
    which fails rather than replaces when another process got there first (the same bytes, by
    their name). No fsync per file (it cost more than reading the workbook): instead the copy
    is checked against its name every time the file is received (hashing is cheap), so a copy
    a crash left incomplete is found and written again from the inbox, whose bytes match.
    """
    if target.exists():
        if _sha256(target) == sha256:
            return
        _log.warning("archived copy %s does not match its sha256: writing it again", target)
        replace_damaged = True
    else:
        replace_damaged = False
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        digest = hashlib.sha256()
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != sha256:
            raise InboxFileChanged(
                errno.EAGAIN, f"文件 {source.name} 在复制期间被修改（内容与指纹不符），稍后重试"
            )
        os.chmod(tmp, 0o444)
        if replace_damaged:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
        except OSError:
            # A file system without hard links (some network shares): rename, still only when
            # absent; the bytes are identical by their hash even if a race lets both through.
            if not target.exists():
                os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _unopenable(file: InboxFile, error: OSError) -> Received:
    """A file that cannot even be opened (no permission): rejected, not archived, not recorded."""
    if error.errno == errno.ENOENT:
        why = "文件在读取前已被移走或删除"
    elif error.errno in (errno.EACCES, errno.EPERM):
        why = "没有读取权限"
    else:
        why = error.strerror or str(error)
    message = f"无法打开文件 {file.name}：{why}。请检查文件权限，或重新放入收件箱"
    reading = _rejected(file.name, "unreadable_file", message, "completeness")
    return Received(file.name, "", file.size, file.mtime, file.mtime, "", reading)


def _rejected(name: str, code: str, message: str, dimension: str) -> WorkbookReading:
    from progress_audit.intake.reading.reader import WorkbookReading

    problem = Problem(code=code, message=message, ref=CellRef(name), dimension=dimension)
    return WorkbookReading(unit=None, period=None, rows=(), problems=(problem,), usable=False)


# -- reading several workbooks at once -------------------------------------------------------

POOL_MIN_WORKBOOKS = 100
"""Fewer workbooks to read than this are read in this process: starting workers costs more."""

_before_fork: list[Callable[[], None]] = []


def before_forking(wait: Callable[[], None]) -> None:
    """Have `wait` called before reading workers are forked: a background import still under
    way (the command's warm-up) would leave its lock held in every child."""
    _before_fork.append(wait)


class ReadingPool:
    """Worker processes that read workbooks for `receive_many`, several at once: a first run
    over a year of workbooks reads hundreds, and reading is most of its work.

    The workers are forked from this process (Linux), so they start in milliseconds with the
    catalogue and the reader already loaded; they only read files and return the readings and
    their text for the ledger, never touching the ledger, the archive or Prefect. Where fork
    is not available, or on one core, there is no pool and `receive_many` reads in turn.
    """

    def __init__(
        self,
        processes: int,
        reader: WorkbookReader,
        catalogue: Catalogue,
        assignments: Mapping[str, tuple[TaskLine, ...]],
    ) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.reader_version = reader.version
        self._executor = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
            initargs=(reader, catalogue, assignments),
        )

    def submit(self, job: tuple[Path, str, str | None]) -> Future[Any]:
        """Start `_reading` of a job (archived copy, name, cached text) in a worker."""
        return self._executor.submit(_worker_reading, job)

    def result(self, future: Future[Any]) -> tuple[WorkbookReading, bool, str | None]:
        """The reading a worker made (its failures logged here)."""
        result, failures = future.result()
        for failure in failures:
            _log.error(failure)
        return result

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ReadingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def reading_pool(
    workbooks: int,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    reader: WorkbookReader | None = None,
) -> Iterator[ReadingPool | None]:
    """A pool of one worker per core for reading `workbooks` workbooks, or None where one
    process does as well (few workbooks, one core, not Linux: fork is safe to use there)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if workbooks < POOL_MIN_WORKBOOKS or cores < 2 or not sys.platform.startswith("linux"):
        yield None
        return
    for wait in _before_fork:
        wait()
    with ReadingPool(cores, reader or default_reader(), catalogue, assignments) as pool:
        yield pool


_WORKER: dict[str, Any] = {}


def _worker_init(reader: WorkbookReader, catalogue: Catalogue, assignments: Any) -> None:
    _WORKER.update(reader=reader, catalogue=catalogue, assignments=assignments)


def _worker_reading(
    job: tuple[Path, str, str | None],
) -> tuple[tuple[WorkbookReading, bool, str | None], list[str]]:
    failures: list[str] = []
    result = _reading(
        *job, _WORKER["reader"], _WORKER["catalogue"], _WORKER["assignments"], failures
    )
    return result, failures


# -- the reading's context ---------------------------------------------------------------

_CONTEXT_CACHE: list[tuple[object, object, str]] = []


def reading_context(catalogue: Any, assignments: Mapping[str, Sequence[Any]]) -> str:
    """A fingerprint of everything besides the bytes and the name that a reading depends on:
    the catalogue, who reports which task lines, and the shape of the reading's records (a new
    field makes old cached readings stale)."""
    for cat, assign, fp in _CONTEXT_CACHE:
        if cat is catalogue and assign is assignments:
            return fp
    from progress_audit.model import records

    shape = {
        cls.__name__: [f.name for f in fields(cls)]
        for cls in (records.ReportedRow, Problem, CellRef)
    }
    cat_json = catalogue.to_json() if hasattr(catalogue, "to_json") else repr(catalogue)
    lines = {u: [[t.task_id, t.metric_id] for t in ts] for u, ts in assignments.items()}
    blob = json.dumps([cat_json, lines, shape], ensure_ascii=False, sort_keys=True, default=str)
    fp = hashlib.sha256(blob.encode()).hexdigest()
    _CONTEXT_CACHE[:] = [(catalogue, assignments, fp)]  # keep one: a run uses one catalogue
    return fp


# -- which submissions count ---------------------------------------------------------------


def submissions_for(
    period: Period, as_of: datetime, received: Sequence[Received], tz: str, due_day: int
) -> list[Submission]:
    """The month's submissions as of `as_of` (pure).

    - Only bytes received at or before `as_of` count.
    - Identical bytes under several names are one submission (the earliest name; the others
      are noted), as long as they are attributed to the same unit and month.
    - For each unit, the latest received usable workbook for the month counts, `on_time` or
      `late` against the due date; earlier usable ones are `superseded` (kept and listed).
    - Unusable files are `rejected` with their reasons. One whose month could be read goes to
      that month. One whose month could not be read goes to the month whose reporting window it
      arrived in: after the previous month's due date, up to this month's. The windows follow
      one another, so every such file is listed in exactly one month's audit.

    Ordered by unit (files with no unit last), then received time, then name.
    """
    due = period.due(tz, due_day)
    window_start = period.prev().due(tz, due_day)
    month = str(period)

    groups: dict[tuple[object, ...], list[Received]] = {}
    for r in received:
        if r.received_at > as_of:
            continue
        reading = r.reading
        usable = bool(reading.usable and reading.unit and reading.period)
        if reading.period is not None:
            if reading.period != month:
                continue
        elif usable or not (window_start < r.received_at <= due):
            continue
        key = (r.sha256 or f"name:{r.name}", reading.unit, reading.period, usable)
        groups.setdefault(key, []).append(r)

    counted: list[tuple[Received, tuple[str, ...], bool]] = []
    for (_, _, _, usable), rs in groups.items():
        present = [r for r in rs if r.seen_mtime <= as_of] or rs
        present.sort(key=lambda r: (r.seen_mtime, r.name))
        counted.append((present[0], tuple(r.name for r in present[1:]), usable))

    latest: dict[str, Received] = {}
    for first, _, usable in counted:
        unit = first.reading.unit
        assert unit is not None or not usable
        if usable and (unit not in latest or _order(first) > _order(latest[unit])):
            latest[unit] = first  # type: ignore[index]

    result = []
    for r, others, usable in counted:
        if not usable:
            status = "rejected"
        elif latest[r.reading.unit] is not r:  # type: ignore[index]
            status = "superseded"
        else:
            status = "on_time" if r.received_at <= due else "late"
        result.append(_submission(r, others, status, latest.get(r.reading.unit or ""), due))
    result.sort(key=lambda s: (s.unit is None, s.unit or "", s.received_at, s.file))
    return result


def _order(r: Received) -> tuple[datetime, str, str]:
    """Which of two workbooks was received later; ties broken by name, then content."""
    return (r.received_at, r.name, r.sha256)


def _submission(
    r: Received, others: tuple[str, ...], status: str, latest: Received | None, due: datetime
) -> Submission:
    reading = r.reading
    ref = CellRef(r.name)
    notes: list[Problem] = []
    if others:
        notes.append(
            Problem(
                code="duplicate_file",
                message=f"收件箱中另有内容完全相同的文件：{'、'.join(others)}，按同一份报送处理",
                severity="warning",
                ref=ref,
                unit=reading.unit,
                dimension="consistency",
            )
        )
    if status == "late":
        notes.append(
            Problem(
                code="late",
                message=f"逾期报送：{_clock(r.received_at)} 收到，报送截止时间为 {_deadline(due)}",
                severity="warning",
                ref=ref,
                unit=reading.unit,
                dimension="timeliness",
            )
        )
    if status == "superseded" and latest is not None:
        notes.append(
            Problem(
                code="superseded",
                message=(
                    f"已被 {latest.name}（{_clock(latest.received_at)} 收到）替代，以新版本为准"
                ),
                severity="warning",
                ref=ref,
                unit=reading.unit,
                dimension="consistency",
            )
        )
    counts = status in ("on_time", "late")
    # Only the counting workbook carries its rows and the reader's findings about them; a
    # superseded one keeps just the note (its data stays in the archive and the ledger).
    problems = (*reading.problems, *notes) if status != "superseded" else tuple(notes)
    return Submission(
        file=r.name,
        sha256=r.sha256,
        received_at=r.received_at,
        status=status,  # type: ignore[arg-type]
        unit=reading.unit,
        period=reading.period,
        archived=r.archived,
        problems=tuple(problems),
        rows=tuple(reading.rows) if counts else (),
    )


def _clock(moment: datetime) -> str:
    return moment_label(moment)


def _deadline(due: datetime) -> str:
    """`2019年7月5日 24:00`, the way the office states a deadline (due is 00:00 the day after)."""
    day = deadline_day(due)
    return f"{day_label(day)} 24:00" if day else _clock(due)


# -- earlier receipts ---------------------------------------------------------------------


def earlier_receipts(
    workspace: Path,
    ledger: Ledger,
    present: Iterable[Received],
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    tz: str,
    *,
    reader: WorkbookReader | None = None,
) -> list[Received]:
    """What the ledger received before that is no longer in the inbox as it was: a workbook a
    unit overwrote with a new version under the same name, or a file someone removed.

    Passed to `submissions_for` with the present files, they keep the record complete: the old
    version is listed as superseded, and a rerun of an earlier `as_of` sees what had arrived by
    then. Read from the archived copy (or the cache).
    """
    reader = reader or default_reader()
    workspace = Path(workspace)
    seen = {(r.name, r.sha256) for r in present}
    zone = ZoneInfo(tz)
    result = []
    for s in ledger.sightings():
        if (s.name, s.sha256) in seen:
            continue
        context = reading_context(catalogue, assignments)
        known = ledger.lookup(s.name, s.sha256, reader.version, context)
        if known.file is None or not (workspace / known.file.archived).exists():
            continue  # archive lost: nothing to read; the ledger still lists the sighting
        reading, cached, fresh = _reading(
            workspace / known.file.archived, s.name, known.reading, reader, catalogue, assignments
        )
        if fresh is not None:
            ledger.store_reading(s.sha256, s.name, reader.version, context, fresh)
        result.append(
            Received(
                name=s.name,
                sha256=s.sha256,
                size=known.file.size,
                received_at=_moment(known.file.received_ns, zone),
                seen_mtime=_moment(s.mtime_ns, zone),
                archived=known.file.archived,
                reading=reading,
                cached=cached,
            )
        )
    return result


__all__ = [
    "InboxFile",
    "InboxFileChanged",
    "ReadingPool",
    "Received",
    "WorkbookReader",
    "default_reader",
    "earlier_receipts",
    "holds_new_bytes",
    "reading_context",
    "reading_pool",
    "receive",
    "receive_cached",
    "receive_many",
    "scan_inbox",
    "submissions_for",
]
