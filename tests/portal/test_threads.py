"""What an upload hands to worker threads (工作线程): only the two steps that touch the ledger
or the disk. Every hand-over costs the event loop's process about as much as a step that only
looks at the app's state, and in a deadline rush every unit's receipt waits behind them."""

from __future__ import annotations

import functools

import anyio.to_thread
import pytest

from tests.plans.test_plans import _plan_bytes
from tests.portal.conftest import JOBS, upload
from tests.portal.test_plans_portal import PLAN, UNIT, send_plan


@pytest.fixture
def handed(monkeypatch):
    """The names of the functions given to worker threads, in order."""
    names: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(function, *args, **kwargs):
        inner = function.func if isinstance(function, functools.partial) else function
        names.append(getattr(inner, "__name__", repr(inner)))
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return names


def test_an_upload_uses_a_worker_thread_for_its_token_and_its_taking_in_only(
    client, tokens, workbook, handed
):
    reply = upload(client, tokens["人社局"], workbook("人社局", {JOBS: {"本年累计完成": 4000}}))
    assert reply.status_code == 200 and reply.json()["status"] == "on_time"
    assert handed == ["unit", "_take"]


def test_a_node_plan_is_taken_in_by_the_same_one_step(client, tokens, units, handed):
    reply = send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN))
    assert reply.status_code == 200 and reply.json()["status"] == "received"
    assert handed == ["unit", "_take"]
