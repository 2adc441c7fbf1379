"""Atomic file writes: a report is either the old file or the whole new one, never half of one.

Write to a temporary file in the same folder, flush it to disk, then `os.replace` it over the
target (atomic on POSIX and Windows within one file system). A killed run leaves at most a
stray `.tmp` file, which the next run's writes ignore.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces `target` atomically.

    For writers that want a path (openpyxl's `save`, pandas): `with atomic_path(p) as tmp:
    workbook.save(tmp)`.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 `text` to `target` atomically."""
    write_bytes(target, text.encode("utf-8"))
