"""Reading an archived copy (识读存档副本): the reader and the version its cached readings are
keyed on, a fresh reading of the archived bytes or the ledger's cached one decoded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progress_audit.cache.code_version import code_version
from progress_audit.cache.codec import CodecError, decode, encode
from progress_audit.intake.reading import (
    READER_VERSION,
    SafetyLimits,
    WorkbookReading,
    read_workbook,
)
from progress_audit.model.problems import CellRef, Problem

if TYPE_CHECKING:
    from progress_audit.standards.catalogue import Catalogue
    from progress_audit.standards.responsibility import TaskLine

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkbookReader:
    """The reader `receive` uses, with the version its cached readings are keyed on."""

    version: str
    read: Callable[[Path, str, Any, Mapping[str, Any]], WorkbookReading]


def default_reader() -> WorkbookReader:
    """The project's reader, with the office's size limits. The limits decide whether a file is
    read at all, so they are part of the version its readings are cached under."""
    limits = SafetyLimits.from_settings()
    digest = hashlib.sha256(repr(limits).encode())
    digest.update(_reading_code_version().encode())
    version = f"{READER_VERSION}:{digest.hexdigest()[:12]}"
    return WorkbookReader(version, functools.partial(read_workbook, limits=limits))


READING_PACKAGES = ("progress_audit.intake.reading", "progress_audit.model")
"""The code a reading depends on: a change to any of it means read again (a cached reading
must be what today's reader would make of the same bytes)."""


def _reading_code_version() -> str:
    return code_version(READING_PACKAGES, ("python-calamine",))


# Decoded readings by their text: the demo audits six months in one process over the same
# inbox, and a reading is immutable, so each is decoded once.
_DECODED: dict[str, WorkbookReading] = {}
_DECODED_LIMIT = 4096


def decoded(text: str) -> WorkbookReading:
    key = hashlib.sha256(text.encode()).hexdigest()
    reading = _DECODED.get(key)
    if reading is None:
        reading = decode(text)
        if len(_DECODED) >= _DECODED_LIMIT:
            _DECODED.clear()
        _DECODED[key] = reading
    return reading


def read_archived(
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
        return rejected(name, "reader_failed", message, "validity"), False, None
    try:
        return reading, False, encode(reading)
    except CodecError:
        return reading, False, None  # not cacheable: read again next time (slower, never wrong)


def rejected(name: str, code: str, message: str, dimension: str) -> WorkbookReading:
    problem = Problem(code=code, message=message, ref=CellRef(name), dimension=dimension)
    return WorkbookReading(unit=None, period=None, rows=(), problems=(problem,), usable=False)
