"""The workspace lock: a second audit of the same workspace waits, then refuses clearly."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from progress_audit.paths import Workspace, WorkspaceBusy

HOLD = """
import sys, time
from pathlib import Path
from progress_audit.paths import Workspace
with Workspace(Path(sys.argv[1])).locked(5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(root, seconds):
    p = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout.readline().strip() == "held"
    return p


def test_second_run_refuses_after_waiting(tmp_path):
    holder = _hold(tmp_path, 5)
    try:
        waited: list[str] = []
        start = time.monotonic()
        with (
            pytest.raises(WorkspaceBusy, match="正被另一个督查运行占用") as e,
            Workspace(tmp_path).locked(0.5, on_wait=waited.append),
        ):
            pass
        assert time.monotonic() - start >= 0.5
        assert waited and "等待" in waited[0]
        assert "pid" in str(e.value)
    finally:
        holder.kill()
        holder.wait()


def test_second_run_waits_for_the_first(tmp_path):
    holder = _hold(tmp_path, 0.5)
    with Workspace(tmp_path).locked(10):
        assert holder.poll() is not None or holder.wait(5) == 0
    holder.wait()


def test_lock_is_released_when_the_holder_dies(tmp_path):
    holder = _hold(tmp_path, 30)
    holder.kill()
    holder.wait()
    with Workspace(tmp_path).locked(1):
        pass
