"""The inbox (收件箱): the files under `raw/`, listed by stat only. The engine never changes,
moves or deletes anything there: it only stats and reads.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from progress_audit.intake.archive import archive_name, file_sha256


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


PLAN_INBOX = "plans"
"""Node plans dropped into the inbox go under `DIR/raw/plans/YYYY/`, never a month's."""


def scan_inbox(raw_dir: Path, tz: str) -> list[InboxFile]:
    """Every regular file under `raw_dir`, recursively, sorted by name. Only stats; never writes.

    Skipped, and only these: names starting with `.` (hidden files and folders, LibreOffice's
    `.~lock.…#`) and `~$…` (the lock file Excel and WPS keep beside an open workbook), which are
    never submissions; the plans inbox `plans/` at the top (node plans, received by
    `intake.plans`, are not monthly submissions); and anything that is not a regular file (a
    pipe would block a read).
    Symbolic links to files are followed; links to folders are not (no loops).
    """
    zone = ZoneInfo(tz)
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    found: list[InboxFile] = []
    for folder, dirs, names in os.walk(raw_dir):
        top = Path(folder) == raw_dir
        dirs[:] = sorted(d for d in dirs if not _ignored(d) and not (top and d == PLAN_INBOX))
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
                    mtime=moment_of(st.st_mtime_ns, zone),
                    mtime_ns=st.st_mtime_ns,
                )
            )
    return sorted(found, key=lambda f: f.name)


def holds_new_bytes(raw_dir: Path, workspace: Path) -> bool:
    """Whether some inbox file holds bytes that have no archived copy yet: a new or changed
    workbook. Only hashes (never writes); a file that cannot be read counts as not new."""
    for file in scan_inbox(raw_dir, "UTC"):
        try:
            sha256 = file_sha256(file.path)
        except OSError:
            continue
        if not (Path(workspace) / archive_name(sha256, file.name)).exists():
            return True
    return False


def _ignored(name: str) -> bool:
    return name.startswith((".", "~$"))


def moment_of(ns: int, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(ns // 1_000_000_000, zone).replace(
        microsecond=(ns % 1_000_000_000) // 1000
    )
