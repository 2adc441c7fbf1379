"""The month's quality suites over new uploads (质量校验跟进): a warm worker thread that takes
every upload still being checked, runs one validation per month over the month's submissions
(inbox and portal alike, as `run` does), and adds each upload's own problems to its receipt.

Uploads arriving while a validation runs wait for the next one, which takes them all together:
in a deadline rush the suites run a few times, not once per upload. Great Expectations is
imported once, when the thread starts.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from progress_audit.intake.ledger import Upload
from progress_audit.intake.uploads import problems_json
from progress_audit.model.period import Period
from progress_audit.pipeline import check, collect
from progress_audit.portal.desk import Desk

_log = logging.getLogger(__name__)

GATHER_SECONDS = 0.05
"""After the first new upload, wait this long for others to arrive with it."""


def check_pending(desk: Desk, now: datetime) -> int:
    """Run the quality suites for every upload still being checked; how many were checked."""
    ledger = desk.ledger
    pending = ledger.uploads(unchecked=True)
    by_month: dict[str, list[Upload]] = {}
    for u in pending:
        by_month.setdefault(u.period or "", []).append(u)
    done: dict[tuple[str, str, int], str] = {}
    for period, uploads in by_month.items():
        if not period:
            done.update({(u.unit, u.sha256, u.received_ns): "[]" for u in uploads})
            continue
        audit = desk.audit(Period.parse(period), now)
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
    ledger.mark_checked(done)
    return len(done)


class FollowUp:
    """The worker thread: `poke()` after an upload; `stop()` at shutdown."""

    def __init__(self, run: Callable[[], int], warm: Callable[[], None] | None = None) -> None:
        self._run = run
        self._warm = warm
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="quality-follow-up", daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        self._wake.set()  # uploads a previous process left unchecked
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        if self._warm is not None:
            try:
                self._warm()
            except Exception:
                _log.exception("warming the quality suites failed")
        self.ready.set()
        while True:
            self._wake.wait()
            if self._stopping:
                return
            time.sleep(GATHER_SECONDS)
            self._wake.clear()
            try:
                self._run()
            except Exception:
                # The receipts stay "being checked"; the next upload tries again.
                _log.exception("quality follow-up failed")
