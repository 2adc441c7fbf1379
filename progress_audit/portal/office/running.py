"""The month's audit started from the board (立即督查): the same command and flow as the
schedule (`progress-audit run`), one at a time per workspace.

With the portal up, the command runs in the portal's audit engine (`start_engine`): a process
that stays up with the portal, keeps a Prefect server up beside it (or uses the one the office
configured, PREFECT_API_URL) and has Prefect, pandas, openpyxl and Great Expectations imported
already. Each run is a child forked from it, so a click pays neither the imports nor a server's
start, and the flow run, its logs and artifacts are on that server, in Prefect's UI. Without an
engine (a web worker on its own), the command runs in a process of its own, as from a terminal.

Its state is a small JSON file in the workspace (`.office-run.json`), so every web worker
answers the board's polling alike; the run's output goes to `.office-run.log`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from progress_audit.files.atomic import write_text
from progress_audit.flows.local_server import free_port, healthy
from progress_audit.model.period import Period
from progress_audit.model.reports import REPORTS

_log = logging.getLogger(__name__)

STATE_FILE = ".office-run.json"
LOG_FILE = ".office-run.log"
ENGINE_FILE = ".office-engine.json"
"""The audit engine of this workspace: its process id and the Prefect server it runs against."""
SERVER_HOME = ".prefect-server"
"""The Prefect server's database (its flow runs, logs, artifacts) when the portal starts one."""
POLL_SECONDS = 0.05
WAIT_SECONDS = 25.0
"""The longest the board's request for a run's end is held open (`run_ended`)."""
CLI = "progress_audit.app.cli"
"""The command line, run by name: the portal sits below it and never imports it."""
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
    # A run in the engine is the engine's to end (it says done or failed as the child ends).
    owner = state.get("engine", state.get("pid"))
    if state.get("state") == "running" and not _alive(owner):
        state["state"] = "failed"
        state["message"] = "督查进程意外结束"
    elif state.get("state") == "queued":
        # Taken up by the engine within POLL_SECONDS: to the board it is already running.
        alive = engine_of(data) is not None
        state["state"] = "running" if alive else "failed"
        if not alive:
            state["message"] = "督查引擎已停止，请重新启动门户后再试"
    log = Path(data) / LOG_FILE
    with contextlib.suppress(OSError):
        state["log"] = log.read_text("utf-8", "replace")[-4000:]
    return state


async def run_ended(data: Path, within: float) -> dict[str, Any]:
    """The run's state as soon as it is no longer running, or as it is after `within` seconds
    (at most WAIT_SECONDS): the board hears of a run's end at once, without polling often."""
    deadline = time.monotonic() + min(max(within, 0.0), WAIT_SECONDS)
    while True:
        state = run_state(data)
        if state.get("state") != "running" or time.monotonic() >= deadline:
            return state
        await asyncio.sleep(POLL_SECONDS * 2)


def start_run(data: Path, period: Period, as_of: datetime) -> dict[str, Any]:
    """Start `progress-audit run` for the month as of `as_of`; raises RunBusy when one runs."""
    data = Path(data)
    with _start:
        if run_state(data).get("state") == "running":
            raise RunBusy("本工作区已有一次督查正在运行，请等它结束")
        data.mkdir(parents=True, exist_ok=True)
        if engine_of(data) is not None:  # the engine takes it up within POLL_SECONDS
            state = {
                "state": "queued",
                "period": str(period),
                "as_of": as_of.isoformat(timespec="seconds"),
                "started": datetime.now(as_of.tzinfo).isoformat(timespec="seconds"),
            }
            _save(data, state)
            return {**state, "state": "running"}
        log = open(data / LOG_FILE, "wb")  # noqa: SIM115 (the child process writes it)
        command = [
            sys.executable,
            "-c",
            COMMAND,
            *_arguments(data, str(period), state_as_of(as_of)),
        ]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        state = {
            "state": "running",
            "pid": process.pid,
            "period": str(period),
            "as_of": state_as_of(as_of),
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
    return [
        {"name": r.name, "title": r.title}
        for r in REPORTS
        if r.monthly and (folder / r.name).is_file()
    ]


def state_as_of(as_of: datetime) -> str:
    return as_of.isoformat(timespec="seconds")


def _arguments(data: Path, period: str, as_of: str) -> list[str]:
    """`progress-audit run`'s arguments for the month as of `as_of` in workspace `data`."""
    return ["run", "--period", period, "--as-of", as_of, "--data", str(Path(data).resolve())]


# ---- the audit engine ----------------------------------------------------------------------


def engine_of(data: Path) -> dict[str, Any] | None:
    """The workspace's running audit engine (`{"pid", "api_url"}`), or None."""
    try:
        engine = json.loads((Path(data) / ENGINE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return engine if isinstance(engine, dict) and _alive(engine.get("pid")) else None


def start_engine(data: Path) -> multiprocessing.process.BaseProcess:
    """Start the audit engine of workspace `data` (a fresh interpreter: the portal's threads are
    not copied); it stops with the process that started it."""
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=serve_runs,
        args=(Path(data), os.getpid()),
        name="progress-audit-engine",
        daemon=False,  # a run forks workers (reading, writing); the engine ends with its parent
    )
    process.start()
    return process


def serve_runs(data: Path, parent: int) -> None:
    """The engine's life: a Prefect server, everything an audit imports, then every queued run
    of the workspace, each in a child forked from here, until `parent` has gone."""
    data = Path(data)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # through `finally`: the server too
    # Receipts first: in a deadline rush the web workers get the cores.
    with contextlib.suppress(OSError):
        os.nice(10)
    started: list[subprocess.Popen] = []
    try:
        _prefect_server(data, started)
        _preload()
        for server in started:
            _wait_healthy(os.environ["PREFECT_API_URL"], server)
        (data / ENGINE_FILE).unlink(missing_ok=True)
        _save_engine(data, {"pid": os.getpid(), "api_url": os.environ["PREFECT_API_URL"]})
        while os.getppid() == parent:
            state = _queued(data)
            if state is None:
                time.sleep(POLL_SECONDS)
                continue
            _run_forked(data, state)
    finally:
        (data / ENGINE_FILE).unlink(missing_ok=True)
        for server in started:
            _stop(server)


def _prefect_server(data: Path, started: list[subprocess.Popen]) -> None:
    """Prefect configured to run against the office's server (PREFECT_API_URL, in the
    environment or Prefect's profile), or against one started here for as long as the engine
    lives (added to `started`)."""
    importlib.import_module("progress_audit.app.prefect_setup").configure_prefect()
    # The log gets the command's one-line message; Prefect's own lines are in its UI.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    from prefect.context import refresh_global_settings_context  # Prefect, configured above
    from prefect.settings import get_current_settings  # the same

    if configured := get_current_settings().api.url:
        os.environ["PREFECT_API_URL"] = configured
        return
    port = free_port()
    home = data / SERVER_HOME
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home.resolve())}
    log = open(home / "server.log", "ab")  # noqa: SIM115 (the server writes it while it lives)
    # SIGTERM waits until the server is on the list the engine stops on its way out.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                 "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_unblock_sigterm,  # the server itself stops on SIGTERM
            )
        )  # fmt: skip
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    log.close()
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    refresh_global_settings_context()


def _unblock_sigterm() -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _stop(server: subprocess.Popen) -> None:
    """Stop the Prefect server and the processes it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(wait)
            return


def _preload() -> None:
    """What every run imports, imported once here (the children are forked with it)."""
    # fastapi.encoders: what Prefect serializes a flow run's parameters with, imported lazily.
    for name in (
        CLI,
        "progress_audit.flows.monthly_audit",
        "checks.suites",
        "docx",
        "jinja2",
        "fastapi.encoders",
    ):
        importlib.import_module(name)


def _wait_healthy(api_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Prefect 服务器未能启动（退出码 {server.returncode}）")
        if healthy(api_url):
            return
        time.sleep(0.2)
    raise RuntimeError("Prefect 服务器 180 秒内未能启动")


def _queued(data: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((data / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return state if state.get("state") == "queued" else None


def _run_forked(data: Path, state: dict[str, Any]) -> None:
    """The queued run as `progress-audit run`, in a child forked from the warm engine."""
    arguments = _arguments(data, state["period"], state["as_of"])
    log = os.open(data / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    pid = os.fork()
    if pid == 0:  # the child: the command, then its own exit (never back into the engine)
        _child(log, arguments)
    os.close(log)
    _save(data, {**state, "state": "running", "pid": pid, "engine": os.getpid()})
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    ended = datetime.now(datetime.fromisoformat(state["as_of"]).tzinfo)
    _save(
        data,
        {
            **state,
            "state": "done" if code == 0 else "failed",
            "pid": pid,
            "engine": os.getpid(),
            "code": code,
            "ended": ended.isoformat(timespec="seconds"),
        },
    )


def _child(log: int, arguments: list[str]) -> None:
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        sys.argv = ["progress-audit", *arguments]
        try:
            importlib.import_module(CLI).main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        # The command's exit handlers (Prefect's last logs and events; the command's own quick
        # exit ends the process from the last of them), as at the end of the interpreter.
        import atexit

        atexit._run_exitfuncs()
    except BaseException:  # the engine must go on whatever a run does
        with contextlib.suppress(Exception):
            import traceback  # only when a run failed: its stack goes to the run's log

            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _save_engine(data: Path, engine: dict[str, Any]) -> None:
    write_text(data / ENGINE_FILE, json.dumps(engine, ensure_ascii=False))


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
