"""Ending the command without tearing the interpreter down (快速退出).

When `progress-audit` is done, Python would unload every module it imported, one object at a time:
with pandas, Great Expectations and Prefect loaded that takes a noticeable share of a run, and
produces nothing. `quick_exit()` lets the command end normally — every exit handler runs: Prefect
stops its temporary server and sends its last logs and events, logging flushes — and then, as the
very last handler, flushes stdout and stderr and ends the process with the command's exit status.

Only for a command that ended by returning or by `sys.exit` (typer's way, status 0, 1 or 2).
A command that died of an exception or Ctrl-C ends the ordinary way, traceback and all.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

_status: list[int] = []


@contextmanager
def quick_exit() -> Iterator[None]:
    """Run the command inside; at exit, skip the interpreter's teardown (see the module)."""
    atexit.register(_end)  # registered first, so it runs after every other exit handler
    try:
        yield
    except SystemExit as e:
        _status.append(_code(e.code))
        raise
    else:
        _status.append(0)


def _code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1  # a message: Python has printed it already


def _end() -> None:
    if not _status:
        return  # an exception or an interrupt: the ordinary way out
    for stream in (sys.stdout, sys.stderr):
        with suppress(AttributeError, OSError, ValueError):  # closed or replaced
            stream.flush()
    os._exit(_status[-1])
