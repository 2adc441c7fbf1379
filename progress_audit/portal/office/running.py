"""The month's audit started from the board (立即督查): the same command and flow as the
schedule (`progress-audit run`), in a process of its own, one at a time per workspace.

Its state is a small JSON file in the workspace (`.office-run.json`), so every web worker
answers the board's polling alike; the run's output goes to `.office-run.log`.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from progress_audit.files.atomic import write_text
from progress_audit.model.period import Period

STATE_FILE = ".office-run.json"
LOG_FILE = ".office-run.log"
REPORTS = (
    ("exceptions.html", "督办通报（网页）"),
    ("exceptions.xlsx", "督办通报（Excel）"),
    ("exceptions.docx", "督办通报（Word）"),
    ("at-risk.xlsx", "预警任务"),
    ("overdue.xlsx", "逾期任务"),
    ("quality.html", "数据质量报告"),
    ("findings.json", "督查结果（JSON）"),
)
_start = threading.Lock()
COMMAND = (
    "import sys; from progress_audit.app.cli import main; sys.argv[0] = 'progress-audit'; main()"
)


class RunBusy(RuntimeError):
    """A run of this workspace is under way."""


def run_state(data: Path) -> dict[str, Any]:
    """`{"state": "idle|running|done|failed", "period", "started", "ended", "log"}`."""
    try:
        state = json.loads((Path(data) / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {"state": "idle"}
    if state.get("state") == "running" and not _alive(state.get("pid")):
        state["state"] = "failed"
        state["message"] = "督查进程意外结束"
    log = Path(data) / LOG_FILE
    with contextlib.suppress(OSError):
        state["log"] = log.read_text("utf-8", "replace")[-4000:]
    return state


def start_run(data: Path, period: Period, as_of: datetime) -> dict[str, Any]:
    """Start `progress-audit run` for the month as of `as_of`; raises RunBusy when one runs."""
    data = Path(data)
    with _start:
        if run_state(data).get("state") == "running":
            raise RunBusy("本工作区已有一次督查正在运行，请等它结束")
        data.mkdir(parents=True, exist_ok=True)
        log = open(data / LOG_FILE, "wb")  # noqa: SIM115 (the child process writes it)
        command = [
            sys.executable,
            "-c",
            COMMAND,
            "run",
            "--period",
            str(period),
            "--as-of",
            as_of.isoformat(timespec="seconds"),
            "--data",
            str(data.resolve()),
        ]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        state = {
            "state": "running",
            "pid": process.pid,
            "period": str(period),
            "as_of": as_of.isoformat(timespec="seconds"),
            "started": datetime.now(as_of.tzinfo).isoformat(timespec="seconds"),
        }
        _save(data, state)
    threading.Thread(target=_wait, args=(data, process, log, state), daemon=True).start()
    return state


def _wait(data: Path, process: subprocess.Popen, log: Any, state: dict[str, Any]) -> None:
    code = process.wait()
    log.close()
    ended = datetime.now(datetime.fromisoformat(state["as_of"]).tzinfo)
    _save(
        data,
        {
            **state,
            "state": "done" if code == 0 else "failed",
            "code": code,
            "ended": ended.isoformat(timespec="seconds"),
        },
    )


def reports_of(data: Path, period: str) -> list[dict[str, str]]:
    """The month's reports that exist, with their titles."""
    folder = Path(data) / "reports" / period
    return [{"name": n, "title": t} for n, t in REPORTS if (folder / n).is_file()]


def _save(data: Path, state: dict[str, Any]) -> None:
    write_text(data / STATE_FILE, json.dumps(state, ensure_ascii=False))


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child not yet waited for is a zombie: not alive.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
