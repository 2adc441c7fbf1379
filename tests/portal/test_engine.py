"""The audit engine behind 立即督查: a process that stays up with a Prefect server beside it and
runs each queued month as `progress-audit run`, forked from its warm interpreter; the flow run
and its artifacts are on that server, and the engine takes its server down when it stops."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from progress_audit.config import get_settings
from progress_audit.demo.synthetic import make_inbox
from progress_audit.model.period import Period
from progress_audit.portal.office.running import (
    ENGINE_FILE,
    STATE_FILE,
    engine_of,
    reports_of,
    run_state,
    start_engine,
    start_run,
)
from progress_audit.standards.responsibility import assignments

JUNE = Period(2019, 6)
AS_OF = datetime(2019, 7, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the processes from /proc (Linux)")
def test_run_now_is_a_flow_run_of_the_warm_engine_on_its_prefect_server(
    tmp_path, catalogue_2019, monkeypatch
):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    data = tmp_path / "data"
    settings = get_settings()
    make_inbox(
        data / "raw",
        catalogue_2019,
        assignments(catalogue_2019, settings.unit_groups),
        [JUNE],
        profile="bench",
    )
    engine = start_engine(data)
    server_pids: set[int] = set()
    try:
        ready = _wait(lambda: engine_of(data), 300, "the engine did not come up")
        api = ready["api_url"]
        assert httpx.get(f"{api}/health", timeout=5).status_code == 200
        for _ in range(2):
            # Queued for the engine, which takes it up at once: to the board it is running.
            assert start_run(data, JUNE, AS_OF)["state"] == "running"
            assert json.loads((data / STATE_FILE).read_text("utf-8"))["state"] in (
                "queued",
                "running",
            )
            state = _wait(
                lambda: (s := run_state(data))["state"] in ("done", "failed") and s,
                300,
                "the run did not end",
            )
            assert state["state"] == "done", state.get("log")
            # Forked from the engine, not a new interpreter.
            assert state["engine"] == ready["pid"] and state["pid"] != ready["pid"]
        assert {r["name"] for r in reports_of(data, "2019-06")} >= {
            "exceptions.html",
            "quality.html",
            "findings.json",
        }
        runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
        assert [r["state_type"] for r in runs] == ["COMPLETED", "COMPLETED"]
        flows = httpx.post(f"{api}/flows/filter", json={}, timeout=10).json()
        assert [f["name"] for f in flows] == ["monthly-audit"]
        keys = {a["key"] for a in httpx.post(f"{api}/artifacts/filter", json={}, timeout=10).json()}
        assert "audit-2019-06" in keys
        server_pids = {
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and "prefect" in _cmdline(p) and "server" in _cmdline(p)
            and str(data) in _environ(p)
        }  # fmt: skip
        assert server_pids
    finally:
        engine.terminate()
        engine.join(30)
    assert engine.exitcode == 0
    assert not (data / ENGINE_FILE).exists()
    assert not [p for p in server_pids if _alive(p)]
    # A run queued for an engine that has gone is not left waiting.
    (data / STATE_FILE).write_text(json.dumps({"state": "queued", "period": "2019-06"}), "utf-8")
    assert run_state(data)["state"] == "failed"


def _cmdline(p: Path) -> str:
    try:
        return (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _environ(p: Path) -> str:
    try:
        return (p / "environ").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
