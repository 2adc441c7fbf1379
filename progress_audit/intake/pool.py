"""Reading several workbooks at once (并行识读): worker processes forked with the catalogue
and the reader loaded, for a first run that reads hundreds of workbooks.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progress_audit.intake.archived_reading import WorkbookReader, default_reader, read_archived
from progress_audit.intake.reading import WorkbookReading

if TYPE_CHECKING:
    from progress_audit.standards.catalogue import Catalogue
    from progress_audit.standards.responsibility import TaskLine

_log = logging.getLogger(__name__)

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
        self.reader_version = reader.version
        self._executor = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
            initargs=(reader, catalogue, assignments),
        )

    def submit(self, job: tuple[Path, str, str | None]) -> Future[Any]:
        """Start `read_archived` of a job (archived copy, name, cached text) in a worker."""
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
    cores = forking_workers() if workbooks >= POOL_MIN_WORKBOOKS else 1
    if cores < 2:
        yield None
        return
    with ReadingPool(cores, reader or default_reader(), catalogue, assignments) as pool:
        yield pool


def forking_workers() -> int:
    """How many worker processes to fork for independent work: one per core, or 1 (work in this
    process) on one core or where fork is not safe (not Linux). Before forking, a background
    import still under way is let finish (`before_forking`)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if cores < 2 or not sys.platform.startswith("linux"):
        return 1
    for wait in _before_fork:
        wait()
    return cores


_WORKER: dict[str, Any] = {}


def _worker_init(reader: WorkbookReader, catalogue: Catalogue, assignments: Any) -> None:
    _WORKER.update(reader=reader, catalogue=catalogue, assignments=assignments)


def _worker_reading(
    job: tuple[Path, str, str | None],
) -> tuple[tuple[WorkbookReading, bool, str | None], list[str]]:
    failures: list[str] = []
    result = read_archived(
        *job, _WORKER["reader"], _WORKER["catalogue"], _WORKER["assignments"], failures
    )
    return result, failures
