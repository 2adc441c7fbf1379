"""Reports left as they are when nothing they show has changed (渲染记录).

Rendering the month's workbooks takes seconds (one workbook per unit); a
rerun after nothing changed, or after one unit's late workbook, would rewrite the same bytes.
`RenderLog.render_many(jobs)` calls `writer(target, *inputs)` for each job unless the record
says that `target` was rendered from the same inputs by the same code and the file on disk
still has exactly the bytes rendered then (its sha256): a report the office edited, replaced
or deleted is rendered again.

The inputs are encoded with the ledger's codec (this package's records, tuples, dicts, dates;
deterministic, unlike `repr` of a set); inputs it cannot encode are always rendered. The code
is the package's source and the versions of openpyxl, jinja2 and python-docx. Every writer
depends only on its inputs (no wall clock in a report), which is what makes the skip exact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from progress_audit.cache.code_version import code_version
from progress_audit.cache.codec import encode
from progress_audit.files.atomic import write_text
from progress_audit.intake.pool import forking_workers


class RenderLog:
    """The record, kept at `path` (JSON), of what each report under `base` was rendered from."""

    def __init__(self, path: Path, base: Path) -> None:
        self.path, self.base = Path(path), Path(base)
        self._before: dict[str, list[str]] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(self.path.read_text("utf-8"))
            if isinstance(loaded, dict):
                self._before = loaded
        self._now: dict[str, list[str]] = {}
        self.skipped = 0

    def render_many(self, jobs: Sequence[Job]) -> list[Path]:
        """`writer(target, *inputs)` for each `(writer, target, inputs)` unless `target` already
        holds what it would write; those to be written, in parallel worker processes (each
        writer a module's function, its inputs picklable)."""
        keys, todo = [], []
        for writer, target, inputs in jobs:
            name = os.path.relpath(target, self.base)
            key = _key(writer, inputs)
            keys.append((name, key))
            if not self._unchanged(name, key, target):
                todo.append((writer, target, inputs))
        written = dict(zip((t for _, t, _ in todo), in_parallel(todo), strict=True))
        for (_, target, _), (name, key) in zip(jobs, keys, strict=True):
            if target in written and key is not None:
                self._now[name] = [key, _sha256(written[target])]
        return [written.get(target, target) for _, target, _ in jobs]

    def _unchanged(self, name: str, key: str | None, target: Path) -> bool:
        if key is not None and self._before.get(name, [None])[0] == key:
            with contextlib.suppress(OSError):
                if _sha256(target) == self._before[name][1]:
                    self._now[name] = self._before[name]
                    self.skipped += 1
                    return True
        return False

    def save(self) -> None:
        """Keep the record of this run's reports (those of earlier runs no longer written are
        dropped). A workspace that cannot be written to just renders again next time."""
        with contextlib.suppress(OSError):
            write_text(self.path, json.dumps(self._now, ensure_ascii=False, sort_keys=True))


MIN_PARALLEL = 4
"""Fewer files to write than this are written in this process: forking workers costs more."""


Job = tuple[Callable[..., Path], Path, tuple[Any, ...]]
"""A file to write: `writer(target, *inputs)`."""


def render_all(jobs: Sequence[Job], log: RenderLog | None) -> list[Path]:
    """Every job written (with `log`, those whose inputs changed), in parallel."""
    return log.render_many(jobs) if log else in_parallel(jobs)


def in_parallel(jobs: Sequence[Job]) -> list[Path]:
    """`writer(target, *inputs)` for each job, in forked worker processes where there are
    cores to spare (each file depends on its own inputs only), else in turn."""
    workers = min(forking_workers(), len(jobs)) if len(jobs) >= MIN_PARALLEL else 1
    if workers < 2:
        return [_call(job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_call, jobs))


def _call(job: Job) -> Path:
    writer, target, inputs = job
    return writer(target, *inputs)


def _key(writer: Callable[..., Path], inputs: tuple[Any, ...]) -> str | None:
    try:
        encoded = encode(inputs)
    except ValueError:  # CodecError: not encodable, so always rendered
        return None
    name = f"{writer.__module__}.{writer.__qualname__}"
    digest = hashlib.sha256(f"{_code_version()}|{name}|".encode())
    digest.update(encoded.encode())
    return digest.hexdigest()


@cache
def _code_version() -> str:
    """The package's source and templates, and the libraries that write the files."""
    return code_version(("progress_audit",), ("openpyxl", "jinja2", "python-docx"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
