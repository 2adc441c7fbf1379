"""Warming up (预热): the libraries an audit is about to need, imported while it waits.

`progress-audit run` and `demo` first wait seconds for Prefect: its import, and its temporary
server (a separate process) to answer. The audit will need pandas and openpyxl (every run) and
Great Expectations (the slowest to import) when the month's rows must be validated.

`start_validating(workspace)`, called first thing, starts Great Expectations' own process
(`progress_audit.quality.validator`) on the other core, so its import overlaps Prefect's
rather than following it; only when the inbox holds bytes the archive has not seen (a new or
changed workbook), since only then can the month's rows differ from a validation kept in
`DIR/cache/` (`validation_cache`): a rerun with nothing changed never imports it. The guess
decides only where the time is spent, never a result.

`start()` then imports pandas and openpyxl in a background thread while the temporary
server starts; the audit imports them as usual where it uses them, and Python's import lock
makes it wait for a half-done import rather than import twice.

Only for a command (one audit or the demo, then the process ends), never in a long-running
`serve`: it also freezes the objects loaded so far out of the garbage collector's sight.
"""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path

from progress_audit.app import prefect_server
from progress_audit.intake import before_forking, holds_new_bytes
from progress_audit.paths import Workspace
from progress_audit.quality import validator

_log = logging.getLogger(__name__)
_thread: threading.Thread | None = None


def start_validating(workspace: Path, *, surely: bool = False) -> None:
    """Start Great Expectations' own process if this audit of `workspace` will validate (or
    `surely`: the demo, whose inbox is still being written). Call after `prefect_server.start`:
    while a temporary server starts, the process gives way to it and to this process's import
    (on two cores, three imports at once would delay what the command waits for first); with a
    server up, nothing is waited for longer than the validation, so it does not."""
    if validator.running() is not None:  # started already: the demo's, for all its months
        return
    workspace = Path(workspace)
    if surely or holds_new_bytes(Workspace(workspace).raw, workspace):
        validator.start(validator.GIVING_WAY if prefect_server.starting() else 0)


def start() -> None:
    """Begin importing what an audit needs (once per process)."""
    global _thread
    if _thread is not None:
        return
    # Not a daemon: a thread stopped in the middle of an import at interpreter exit can crash
    # it; the import ends well within the server's start-up anyway.
    _thread = threading.Thread(target=_warm, name="warm-up")
    _thread.start()
    before_forking(wait)


def wait() -> None:
    """Let the warming up finish (before forking worker processes: a fork while another thread
    is in the middle of an import leaves that import's lock held in the child)."""
    if _thread is not None:
        _thread.join()


def _warm() -> None:
    try:
        # Importing these here, in the background, is the point of warming up.
        import jinja2  # noqa: F401
        import pandas  # noqa: F401

        from progress_audit.files import xlsx_style  # noqa: F401  (openpyxl)
    except Exception:  # the audit imports them again where it needs them, and says what failed
        _log.debug("warming up failed", exc_info=True)
    # What is loaded now stays for the life of the command. Out of the cycle collector's sight, it
    # is no longer scanned by every collection that reading and reporting trigger (with these
    # libraries loaded a full collection scans hundreds of thousands of objects), so
    # allocation-heavy work runs several times faster. Collected first, so nothing collectable is
    # kept.
    gc.collect()
    gc.freeze()
