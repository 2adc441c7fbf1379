"""Receipt pages waiting for the quality checks (等待校验结果), told the moment they are done.

A receipt is `checking` until the checking process (`portal.checking`) has run the month's
suites over its upload. The page asks `GET /u/<token>/receipts/<sha256>?wait=N`: the answer
is held until the checks have joined the receipt or N seconds have passed. However many pages
wait, a web worker looks at the ledger once every LOOK_SECONDS for all of them (one query of
the uploads still being checked), so a deadline rush of waiting pages costs the checks no
more than one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

_log = logging.getLogger(__name__)

LOOK_SECONDS = 0.1
WAIT_SECONDS = 25.0
"""The longest an answer is held; the page then asks again."""


class ChecksWatch:
    """Waiters for uploads still being checked, woken together.

    `still_checking()` answers which (unit, sha256) are still being checked: the ledger's
    uploads without a check, looked at in a worker thread.
    """

    def __init__(self, still_checking: Callable[[], set[tuple[str, str]]]) -> None:
        self._still_checking = still_checking
        self._waiting: dict[tuple[str, str], list[asyncio.Event]] = {}
        self._looking: asyncio.Task[None] | None = None

    async def until_checked(self, unit: str, sha256: str, within: float) -> None:
        """Return once the unit's upload of these bytes is no longer being checked, or after
        `within` seconds (at most WAIT_SECONDS)."""
        key, done = (unit, sha256), asyncio.Event()
        self._waiting.setdefault(key, []).append(done)
        if self._looking is None or self._looking.done():
            self._looking = asyncio.create_task(self._look())
        try:
            await asyncio.wait_for(done.wait(), min(max(within, 0.0), WAIT_SECONDS))
        except TimeoutError:
            pass
        finally:
            waiters = self._waiting.get(key, [])
            if done in waiters:
                waiters.remove(done)
            if not waiters:
                self._waiting.pop(key, None)

    async def _look(self) -> None:
        while self._waiting:
            try:
                checking = await run_in_threadpool(self._still_checking)
            except Exception:  # the ledger did not answer: the pages wait, and ask again
                _log.exception("could not look at the uploads being checked")
                await asyncio.sleep(1.0)
                continue
            for key, waiters in list(self._waiting.items()):
                if key not in checking:
                    for done in waiters:
                        done.set()
            await asyncio.sleep(LOOK_SECONDS)
