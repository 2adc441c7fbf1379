"""Receipt pages waiting for their checks (portal.checks_watch): woken as soon as their upload
is checked, each after its own wait at most, with one look at the ledger for all of them."""

from __future__ import annotations

import asyncio
import time

from progress_audit.portal.checks_watch import LOOK_SECONDS, ChecksWatch


def test_many_waiters_share_one_look_and_each_wakes_when_its_upload_is_checked():
    checking = {("甲", "a"), ("乙", "b")}
    looks = []

    def still_checking() -> set[tuple[str, str]]:
        looks.append(time.monotonic())
        return set(checking)

    async def scenario() -> dict[str, float]:
        watch = ChecksWatch(still_checking)
        woke: dict[str, float] = {}
        start = time.monotonic()

        async def wait(name: str, unit: str, sha: str, within: float) -> None:
            await watch.until_checked(unit, sha, within)
            woke[name] = time.monotonic() - start

        async def check_a_later() -> None:
            await asyncio.sleep(0.4)
            checking.discard(("甲", "a"))

        await asyncio.gather(
            *(wait(f"甲{i}", "甲", "a", 10) for i in range(20)),
            wait("乙", "乙", "b", 0.6),  # never checked: its own wait runs out
            check_a_later(),
        )
        return woke

    woke = asyncio.run(scenario())
    assert all(0.4 <= woke[f"甲{i}"] < 0.4 + 5 * LOOK_SECONDS + 1 for i in range(20))
    assert 0.6 <= woke["乙"] < 2
    # One look every LOOK_SECONDS however many wait: about 0.6 s of looking, not 21 × that.
    assert len(looks) <= 0.6 / LOOK_SECONDS + 4


def test_an_upload_checked_already_wakes_its_waiter_at_the_first_look():
    async def scenario() -> float:
        watch = ChecksWatch(lambda: set())
        start = time.monotonic()
        await watch.until_checked("甲", "a", 10)
        return time.monotonic() - start

    assert asyncio.run(scenario()) < 1
