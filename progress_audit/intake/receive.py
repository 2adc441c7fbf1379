"""Taking in the inbox (收件): fingerprint, archive, record and read every file under `raw/`.

    scan_inbox ──▶ InboxFile ──receive──▶ Received ──submissions_for(month, as_of)──▶ Submission

- `scan_inbox` (`inbox.py`) lists the files (stat only, never writes);
- `receive` hashes one file (sha256, streamed), copies it once into `archive/` (`archive.py`:
  content-addressed, write-once, read-only), records it in the ledger, and reads the archived
  copy, or reuses the ledger's cached reading of the same bytes under the same name;
- `submissions_for` (`submissions.py`) is pure: which files had arrived by `as_of`, which counts
  for each unit and month, which were late, superseded or rejected.

Received time (收到时间) is a file's modification time when the engine first sees it with
those bytes; a later `touch` changes nothing. The same bytes under several names were received
at the earliest of those first-seen times, whatever order the names were seen in.

Every file is hashed on every run, even when its name, size and mtime match the last sighting:
hashing a year of workbooks is far cheaper than the rest of a rerun, and a stat-only shortcut
would miss a file rewritten with the same size within the file system's mtime resolution (2 s
on FAT and some network shares).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from progress_audit.intake.archive import (
    InboxFileChanged,
    archive_name,
    extension,
    file_sha256,
    keep_copy,
)
from progress_audit.intake.archived_reading import (
    WorkbookReader,
    decoded,
    default_reader,
    read_archived,
    rejected,
)
from progress_audit.intake.inbox import InboxFile, moment_of, scan_inbox
from progress_audit.intake.pool import ReadingPool
from progress_audit.intake.reading import WorkbookReading
from progress_audit.model import records
from progress_audit.model.problems import CellRef, Problem

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Known, Ledger, Sighting
    from progress_audit.standards.catalogue import Catalogue
    from progress_audit.standards.responsibility import TaskLine


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
                readings.append(read_archived(*job, reader, catalogue, assignments))
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
        else (archived_in_batch.get(sha256) or archive_name(sha256, file.name))
    )
    keep_copy(file.path, sha256, workspace / archived)  # also restores a damaged copy
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
    # The ledger (SQLAlchemy) is slow to import: importing intake must not pull it in.
    from progress_audit.intake.ledger import CachedReading

    file, known = taken.file, taken.known
    keep = CachedReading(reader.version, context, fresh) if fresh is not None else None
    if known.file is None or known.seen_ns is None:  # new bytes, or known bytes, new name
        known = ledger.record(
            file.name,
            taken.sha256,
            taken.before.st_size,
            taken.before.st_mtime_ns,
            extension(file.name),
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
        received_at=moment_of(known.file.received_ns, zone),
        seen_mtime=moment_of(known.seen_ns, zone),
        archived=known.file.archived,
        reading=reading,
        cached=cached,
    )


def _fingerprint(file: InboxFile) -> tuple[os.stat_result, str]:
    """The file's stat and sha256; `InboxFileChanged` if it changed while being hashed."""
    before = os.stat(file.path)
    sha256 = file_sha256(file.path)
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
        keep_copy(file.path, sha256, Path(workspace) / known.file.archived)
        reading = decoded(known.reading)
    except (OSError, ValueError):  # CodecError is a ValueError: read it again
        return None
    return _as_received(file, sha256, known, reading, cached=True)


def _unchanged(file: InboxFile, before: os.stat_result) -> None:
    after = os.stat(file.path)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise InboxFileChanged(
            errno.EAGAIN, f"文件 {file.name} 正在被写入（读取期间大小或修改时间变了），稍后重试"
        )


def _unopenable(file: InboxFile, error: OSError) -> Received:
    """A file that cannot even be opened (no permission): rejected, not archived, not recorded."""
    if error.errno == errno.ENOENT:
        why = "文件在读取前已被移走或删除"
    elif error.errno in (errno.EACCES, errno.EPERM):
        why = "没有读取权限"
    else:
        why = error.strerror or str(error)
    message = f"无法打开文件 {file.name}：{why}。请检查文件权限，或重新放入收件箱"
    reading = rejected(file.name, "unreadable_file", message, "completeness")
    return Received(file.name, "", file.size, file.mtime, file.mtime, "", reading)


# -- the reading's context ---------------------------------------------------------------

_CONTEXT_CACHE: list[tuple[object, object, str]] = []


def reading_context(catalogue: Any, assignments: Mapping[str, Sequence[Any]]) -> str:
    """A fingerprint of everything besides the bytes and the name that a reading depends on:
    the catalogue, who reports which task lines, and the shape of the reading's records (a new
    field makes old cached readings stale)."""
    for cat, assign, fp in _CONTEXT_CACHE:
        if cat is catalogue and assign is assignments:
            return fp
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


def recorded_inbox(
    workspace: Path,
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    tz: str,
    *,
    reader: WorkbookReader | None = None,
) -> list[Received]:
    """The inbox files as the ledger records them (已收录), each name with the bytes it last
    held when taken in: what `receive` gave for them, from the ledger and the archive alone.
    Never opens the inbox, archives or records anything: what a page shows between two runs.
    A file whose reading is no longer cached is read from its archived copy, not kept."""
    reader = reader or default_reader()
    context = reading_context(catalogue, assignments)
    zone = ZoneInfo(tz)
    latest: dict[str, Sighting] = {}
    for s in ledger.sightings():  # by name, then first mtime: the last one is the latest
        latest[s.name] = s
    files = {f.sha256: f for f in ledger.files()}
    keys = [(s.sha256, s.name) for s in latest.values()]
    readings = ledger.cached_readings(keys, reader.version, context)
    result = []
    for name, s in sorted(latest.items()):
        record = files.get(s.sha256)
        if record is None or not (Path(workspace) / record.archived).exists():
            continue
        reading, cached, _ = read_archived(
            Path(workspace) / record.archived,
            name,
            readings.get((s.sha256, name)),
            reader,
            catalogue,
            assignments,
        )
        result.append(
            Received(
                name=name,
                sha256=s.sha256,
                size=record.size,
                received_at=moment_of(record.received_ns, zone),
                seen_mtime=moment_of(s.mtime_ns, zone),
                archived=record.archived,
                reading=reading,
                cached=cached,
            )
        )
    return result


def not_taken_in(raw_dir: Path, ledger: Ledger) -> int:
    """How many inbox files have a name the ledger has not recorded yet (new files, which the
    month's `run` takes in): a listing of the inbox, never a read of its files."""
    known = {s.name for s in ledger.sightings()}
    return sum(f.name not in known for f in scan_inbox(raw_dir, "UTC"))
