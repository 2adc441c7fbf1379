"""The month's quality suites over new uploads (质量校验跟进): a warm process of its own that
takes every upload still being checked, runs one validation per month over the month's
submissions (inbox and portal alike, as `run` does), and adds each upload's own problems to its
receipt in the ledger.

It looks at the ledger twenty times a second, so it serves every web worker (and every machine
sharing a PostgreSQL ledger) alike; uploads arriving while a validation runs are taken together
by the next one, so in a deadline rush the suites run a few times, not once per upload. Great
Expectations is imported once, when the process starts, never in a request; and the web
workers never wait for it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from progress_audit.config import Settings
from progress_audit.intake.inbox import moment_of
from progress_audit.intake.ledger import Upload
from progress_audit.intake.uploads import problems_json, quality_added
from progress_audit.model.period import Period
from progress_audit.pipeline import check, collect
from progress_audit.portal.desk import Desk

_log = logging.getLogger(__name__)

POLL_SECONDS = 0.05
"""How often the ledger is asked for uploads still being checked (a query of a millisecond)."""
QUIET_SECONDS = 0.1
GATHER_AT_MOST = 1.0
"""Once there are uploads to check, wait until none has arrived for QUIET_SECONDS (at most
GATHER_AT_MOST): a rush is then checked in one validation rather than several."""


def check_pending(desk: Desk) -> int:
    """Run the quality suites for every upload still being checked; how many were checked.

    Each month is checked as of its latest pending upload: everything received by then counts,
    and the result does not depend on the wall clock."""
    ledger = desk.ledger
    by_month: dict[str, list[Upload]] = {}
    for u in ledger.uploads(unchecked=True):
        by_month.setdefault(u.period or "", []).append(u)
    done: dict[tuple[str, str, int], str] = {}
    added: list[tuple[Upload, list[dict[str, Any]]]] = []
    for period, uploads in by_month.items():
        if not period:
            done.update({(u.unit, u.sha256, u.received_ns): "[]" for u in uploads})
            continue
        as_of = moment_of(max(u.received_ns for u in uploads), ZoneInfo(desk.settings.timezone))
        audit = desk.audit(Period.parse(period), as_of)
        month = collect(audit, ledger, workers=False)
        report = check(audit, month)
        for u in uploads:
            own = [
                p
                for p in report.problems
                if p.unit == u.unit and p.ref is not None and p.ref.file == u.name
            ]
            done[(u.unit, u.sha256, u.received_ns)] = json.dumps(
                problems_json(own), ensure_ascii=False
            )
            checked = replace(u, checked=done[(u.unit, u.sha256, u.received_ns)])
            if new := quality_added(checked):
                added.append((checked, new))
    ledger.mark_checked(done)
    desk.mail_followups(added)
    return len(done)


def warm_quality() -> None:
    # Great Expectations costs seconds to import: once, when the checking process starts.
    import great_expectations  # noqa: F401

    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def follow_up(data: Path, settings: Settings, parent: int) -> None:
    """The checking process's loop, until its parent has gone."""
    logging.basicConfig(level=logging.WARNING)
    # Receipts first: in a rush the web workers get the cores, the checks what is left.
    with contextlib.suppress(OSError):
        os.nice(10)
    desk = Desk.open(data, settings)
    warm_quality()
    while os.getppid() == parent:
        try:
            if not _gathered(desk):
                time.sleep(POLL_SECONDS)
                continue
            check_pending(desk)
        except Exception:
            # The receipts stay "being checked"; the next round tries again.
            _log.exception("quality follow-up failed")
            time.sleep(5)


def _gathered(desk: Desk) -> bool:
    """Whether uploads wait to be checked, after waiting for the rest of a rush."""
    waiting = len(desk.ledger.uploads(unchecked=True))
    if not waiting:
        return False
    deadline = time.monotonic() + GATHER_AT_MOST
    while time.monotonic() < deadline:
        time.sleep(QUIET_SECONDS)
        now = len(desk.ledger.uploads(unchecked=True))
        if now == waiting:
            break
        waiting = now
    return True


def start_follow_up(data: Path, settings: Settings) -> multiprocessing.process.BaseProcess:
    """Start the checking process (a fresh interpreter: the server's threads are not copied)."""
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=follow_up,
        args=(Path(data), settings, os.getpid()),
        name="progress-audit-quality",
        daemon=True,
    )
    process.start()
    return process
