"""Great Expectations in a process of its own (校验进程), for a command that audits once.

Importing Great Expectations takes about four seconds of one core, and nothing else in a
command can use that core meanwhile: a thread importing it holds the interpreter. So a command
that will validate (`progress-audit run`, `demo`) starts this process first thing; it imports
Great Expectations and `checks/` on the other core while the command imports Prefect, starts or
reaches its server and reads the month's workbooks. The month's validation is then sent to it
(the rows as a pickled DataFrame, the same `SuiteParams`) and its answer comes back as the same
plain records `progress_audit.quality.month` would have made in-process: the results are the
functions' own, only the process differs. The process's own side is `validator_child`.

The process ends when the command does (its end of the pipe closes). If it cannot start, dies
or answers nonsense, the command validates in-process as before and says so in its debug log;
a rule that raised raises in the command, as in-process.

A long-running process (the portal's audit engine) imports Great Expectations once itself and
never starts one.
"""

from __future__ import annotations

import logging
import pickle
import struct
import subprocess
import sys
import threading
from typing import IO, Any

_log = logging.getLogger(__name__)

FUNCTIONS = ("validate", "validate_by_unit")
"""What may be asked of the process: functions of progress_audit.quality.month."""

_HEADER = struct.Struct("!Q")
_process: ValidatorProcess | None = None


class Unavailable(Exception):
    """The process cannot answer (did not start, died, or its answer could not be read)."""


class ValidatorProcess:
    """A child process with Great Expectations imported, answering one call at a time."""

    def __init__(self, niceness: int = 0) -> None:
        # Popen, not fork: a clean interpreter, and nothing of this process's state to inherit.
        self._child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _BOOT.format(niceness=niceness, path=list(sys.path)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # its failures come back as answers, not as noise
            close_fds=True,
        )
        self._lock = threading.Lock()
        self._broken = False

    def call(self, name: str, *args: Any) -> Any:
        """`progress_audit.quality.month.<name>(*args)`, computed in the child."""
        if name not in FUNCTIONS:
            raise ValueError(f"not a validation: {name}")
        with self._lock:
            if self._broken:
                raise Unavailable("the validating process stopped earlier")
            try:
                send_message(self._child.stdin, (name, args))
                kind, value = receive_message(self._child.stdout)
            except (OSError, EOFError, pickle.PickleError, struct.error, ValueError) as e:
                self._broken = True
                raise Unavailable(f"{type(e).__name__}: {e}") from e
        if kind == "raised":
            raise value
        return value

    def close(self) -> None:
        """End the child now (it may still be importing) and reap it."""
        self._child.kill()
        self._child.wait()
        for pipe in (self._child.stdin, self._child.stdout):
            if pipe is not None:
                pipe.close()


def start(niceness: int = 0) -> None:
    """Start the process for this command (once; not where Great Expectations is imported
    already, as in a run forked from the portal's warm engine), at `niceness` (`GIVING_WAY`:
    while the command waits for a server to start, its import gives way to the server's and
    the command's own, which are waited for first)."""
    global _process
    if _process is not None or "great_expectations" in sys.modules:
        return
    try:
        _process = ValidatorProcess(niceness)
    except OSError:
        _log.debug("the validating process did not start; validating in-process", exc_info=True)


def running() -> ValidatorProcess | None:
    """The command's validating process, if one was started (and has not failed)."""
    if _process is None or _process._broken:
        return None
    return _process


def stop() -> None:
    """End the process (tests; a command simply exits)."""
    global _process
    if _process is not None:
        _process.close()
        _process = None


def send_message(stream: IO[bytes] | None, value: Any) -> None:
    """One pickled value, its length first (both sides of the pipe)."""
    if stream is None:
        raise EOFError("no pipe")
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive_message(stream: IO[bytes] | None) -> Any:
    """The next value `send_message` sent; EOFError when the other side has ended."""
    if stream is None:
        raise EOFError("no pipe")
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the validating process ended")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the validating process ended mid-answer")
    # Only ever our own child's answer, over a pipe nobody else holds.
    return pickle.loads(data)


_BOOT = (
    "import os, sys; hasattr(os, 'nice') and os.nice({niceness}); sys.path[:] = {path!r}; "
    "from progress_audit.quality.validator_child import serve; serve()"
)
GIVING_WAY = 10
"""The niceness of a process that only has to be ready by the time the month is checked."""
