"""Scheduled runs with a real server: `prefect server start`, `prefect deploy --all`, a process
worker and `progress-audit serve`, run as the office runs them, each a real process on loopback.

One Prefect server for the module (it takes seconds to start) in a temporary PREFECT_HOME, so
nothing of the user's Prefect is read or touched; skipped, with the reason, when it cannot start in
time. Every process a test starts is ended in teardown together with the processes it started, also
when the test fails.

The tests that share the server run in file order: `prefect deploy` registers the deployments
that a worker runs; `serve` then refuses them (same names, in a work pool) until they are deleted,
and after that registers and runs its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from progress_audit.demo.manifest import InboxManifest
from progress_audit.demo.synthetic import make_inbox
from progress_audit.model.period import Period
from progress_audit.standards.responsibility import assignments
from tests.conftest import PROJECT_ROOT

BIN = Path(sys.executable).parent
PREFECT = str(BIN / "prefect")
PROGRESS_AUDIT = str(BIN / "progress-audit")
POOL = "progress-audit"
AUDIT = "monthly-audit/monthly-audit"
REMINDER = "submission-reminder/submission-reminder"
AS_OF = "2019-07-06T09:00:00+08:00"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVER_START_SECONDS = 60
RUN_SECONDS = 90


# -- processes: started in their own session, ended with everything they started -------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, start time) from /proc; empty where there is no /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = (int(fields[1]), fields[19])
    return table


def _descendants(pid: int) -> list[tuple[int, str]]:
    """The processes `pid` started, at any depth (a flow run may sit in a session of its own)."""
    table = _process_table()
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, started) in table.items():
            if ppid == parent:
                found.append((child, started))
                todo.append(child)
    return found


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """End a process started with start_new_session=True, its group and its descendants."""
    children = _descendants(proc.pid)
    for s in (sig, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, s)
        table = _process_table()
        for child, started in children:
            if table.get(child, (None, None))[1] == started:  # still that process, not a reuse
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(child, s)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is not None and not any(
            _process_table().get(c, (None, None))[1] == st for c, st in children
        ):
            return


def _spawn(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """`args` started as from a terminal. Run in the background (`make test &`), the tests
    inherit Ctrl-C ignored, and an ignored signal stays ignored in every command they start:
    `serve` would then never see the Ctrl-C a test stops it with. A handler, unlike "ignored",
    is not inherited, so the command starts with Ctrl-C's default."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with log.open("wb") as out:
            return subprocess.Popen(
                args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-chars:] if log.exists() else ""


def _clean_env(tmp: Path) -> dict[str, str]:
    """This machine's environment without any Prefect or progress-audit setting of the user's:
    a fresh PREFECT_HOME, an empty settings file (no e-mail sent), telemetry off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PROGRESS_AUDIT_"))}
    home, settings = tmp / "prefect-home", tmp / "progress-audit.toml"
    home.mkdir(exist_ok=True)
    settings.write_text("", encoding="utf-8")
    env.update(
        PREFECT_HOME=str(home),
        PROGRESS_AUDIT_SETTINGS=str(settings),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    return env


@dataclass(frozen=True)
class Server:
    api_url: str
    env: dict[str, str]  # the clean environment with PREFECT_API_URL pointing at this server
    tmp: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("prefect-server")
    env, port, log = _clean_env(tmp), _free_port(), tmp / "server.log"
    args = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    proc = _spawn(args, env, tmp, log)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.skip(
                    f"Prefect 服务器未能启动（退出码 {proc.returncode}），跳过真实服务器测试："
                    f"{_tail(log, 500)}"
                )
            if time.monotonic() > deadline:
                pytest.skip(
                    f"Prefect 服务器 {SERVER_START_SECONDS} 秒内未就绪，跳过真实服务器测试："
                    f"{_tail(log, 500)}"
                )
            with contextlib.suppress(OSError):
                url = f"http://127.0.0.1:{port}/api/health"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            time.sleep(0.3)
        api_url = f"http://127.0.0.1:{port}/api"
        yield Server(api_url, {**env, "PREFECT_API_URL": api_url}, tmp)
    finally:
        _stop(proc)


def _cli(
    server: Server, *args: str, cwd: Path = PROJECT_ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [PREFECT, *args],
        env=server.env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


# Read back through the Prefect client, in a process that sees only the test server.
_READ_BACK = r"""
import json, sys, time
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter, ArtifactFilterFlowRunId, DeploymentFilter, DeploymentFilterId,
    FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.exceptions import ObjectNotFound

def deployment(client, name):
    try:
        d = client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None
    scheduled = client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[d.id])),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
        ),
    )
    return {
        "work_pool_name": d.work_pool_name, "parameters": d.parameters,
        "pull_steps": d.pull_steps, "entrypoint": d.entrypoint,
        "schedules": [
            {"cron": getattr(s.schedule, "cron", None),
             "timezone": getattr(s.schedule, "timezone", None), "active": s.active}
            for s in d.schedules
        ],
        "scheduled_starts": sorted(r.expected_start_time.isoformat() for r in scheduled),
    }

def flow_run(client, run_id):
    run = client.read_flow_run(run_id)
    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
    )
    return {"state": run.state_type.value, "final": run.state.is_final(),
            "message": run.state.message, "artifacts": {a.key: a.data for a in artifacts if a.key}}

kind, wait, *args = sys.argv[1:]
deadline = time.monotonic() + float(wait)
with get_client(sync_client=True) as client:
    while True:
        if kind == "deployments":
            out = {name: deployment(client, name) for name in args}
            ready = all(d is None or d["scheduled_starts"] for d in out.values())
        else:
            out = flow_run(client, args[0])
            ready = out["final"]
        if ready or time.monotonic() > deadline:
            break
        time.sleep(0.5)
print(json.dumps(out, default=str))
"""


def _read_back(server: Server, kind: str, *args: str, wait: float = 0) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _READ_BACK, kind, str(wait), *args],
        env=server.env,
        cwd=server.tmp,
        capture_output=True,
        text=True,
        timeout=wait + 60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _deployments(server: Server, *, wait_for_schedules: float = 0) -> dict:
    """Both deployments as the server has them (None where absent), with their scheduled runs."""
    return _read_back(server, "deployments", AUDIT, REMINDER, wait=wait_for_schedules)


def _flow_run(server: Server, run_id: str, wait: float = 0) -> dict:
    return _read_back(server, "flow_run", run_id, wait=wait)


def _trigger(server: Server, deployment: str, **params: str) -> str:
    """`prefect deployment run` with parameters; the id of the flow run it created."""
    args = ["deployment", "run", deployment]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    out = _cli(server, *args, cwd=server.tmp).stdout
    uuid = [line.split("UUID:")[1].strip() for line in out.splitlines() if "UUID:" in line]
    assert len(uuid) == 1, out
    return uuid[0]


def _small_inbox(data: Path, catalogue) -> InboxManifest:
    """Four lead units' June workbooks, received on the dates make_inbox plants."""
    units = assignments(catalogue)
    four = {unit: units[unit] for unit in sorted(units)[:4]}
    return make_inbox(data / "raw", catalogue, four, [Period(2019, 6)], seed=7, messy=False)


def _not_reported(markdown: str) -> set[str]:
    return {line[2:].strip() for line in markdown.splitlines() if line.startswith("- ")}


def _owed(catalogue, manifest: InboxManifest, as_of: datetime) -> set[str]:
    arrived = {f.unit for f in manifest.files if f.kind == "submission" and f.received_at <= as_of}
    return set(assignments(catalogue)) - arrived


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and line.startswith("错误："), done.stderr
    return line


# -- `progress-audit serve` with no usable server: one line, exit 1 (no server needed) -------


def test_serve_without_a_server_says_how_to_start_one(tmp_path):
    done = subprocess.run(
        [PROGRESS_AUDIT, "serve"],
        env=_clean_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = _one_line_error(done)
    assert "未配置 Prefect 服务器" in line
    assert "prefect server start" in line and "PREFECT_API_URL" in line


def test_serve_with_a_stopped_server_names_it(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/api"  # nothing listens there
    done = subprocess.run(
        [PROGRESS_AUDIT, "serve"],
        env={**_clean_env(tmp_path), "PREFECT_API_URL": url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = _one_line_error(done)
    assert f"无法连接 Prefect 服务器 {url}" in line and "prefect server start" in line


# -- `prefect deploy --all` and a process worker ---------------------------------------------


@pytest.fixture(scope="module")
def deployed(server: Server) -> bytes:
    """The work pool and `prefect deploy --all` from the project folder, as the README says.
    Returns prefect.yaml as it was before, to show that deploying leaves it alone."""
    before = (PROJECT_ROOT / "prefect.yaml").read_bytes()
    _cli(server, "work-pool", "create", POOL, "--type", "process", cwd=server.tmp)
    _cli(server, "deploy", "--all", "--no-prompt")
    return before


def test_deploy_all_registers_both_with_their_shanghai_schedules(deployed, server):
    assert (PROJECT_ROOT / "prefect.yaml").read_bytes() == deployed
    got = _deployments(server, wait_for_schedules=30)
    expected = {AUDIT: ("0 9 6 * *", 6), REMINDER: ("0 9 3 * *", 3)}
    for name, (cron, day) in expected.items():
        d = got[name]
        assert d is not None, f"{name} not registered"
        assert d["schedules"] == [{"cron": cron, "timezone": "Asia/Shanghai", "active": True}]
        assert d["work_pool_name"] == POOL
        assert d["parameters"] == {"data": "data"}
        # No pull section in prefect.yaml: the worker runs in the project folder.
        step = "prefect.deployments.steps.set_working_directory"
        assert d["pull_steps"] == [{step: {"directory": str(PROJECT_ROOT)}}]
        # The server itself reads the cron in Shanghai time: its runs start at 09:00 +08:00.
        starts = [datetime.fromisoformat(s).astimezone(SHANGHAI) for s in d["scheduled_starts"]]
        assert starts, f"{name}: no scheduled runs"
        assert {(t.day, t.hour, t.minute) for t in starts} == {(day, 9, 0)}


def test_a_process_worker_runs_a_triggered_audit_and_reminder(
    deployed, server, tmp_path, catalogue_2019
):
    audit_data, reminder_data = tmp_path / "audit", tmp_path / "reminder"
    manifest = _small_inbox(audit_data, catalogue_2019)
    reminder_manifest = _small_inbox(reminder_data, catalogue_2019)
    reminder_as_of = "2019-07-05T12:00:00+08:00"
    audit_run = _trigger(server, AUDIT, period="2019-06", as_of=AS_OF, data=str(audit_data))
    reminder_run = _trigger(
        server, REMINDER, period="2019-06", as_of=reminder_as_of, data=str(reminder_data)
    )
    # Started elsewhere: the deployment's pull step must take the run to the project folder.
    elsewhere, log = tmp_path / "elsewhere", tmp_path / "worker.log"
    elsewhere.mkdir()
    worker = _spawn(
        [PREFECT, "worker", "start", "--pool", POOL, "--run-once"], server.env, elsewhere, log
    )
    try:
        worker.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not finish within {RUN_SECONDS} s:\n{_tail(log)}")
    finally:
        _stop(worker)
    assert worker.returncode == 0, _tail(log)

    run = _flow_run(server, audit_run)
    assert run["state"] == "COMPLETED", f"{run['message']}\n{_tail(log)}"
    assert any(k == "audit-2019-06" for k in run["artifacts"]), run["artifacts"].keys()
    findings = json.loads((audit_data / "reports" / "2019-06" / "findings.json").read_text())
    assert (findings["period"], findings["as_of"]) == ("2019-06", AS_OF)
    submitted = {f.unit for f in manifest.files if f.kind == "submission"}
    assert {s["unit"] for s in findings["submissions"]} == submitted
    statuses: dict[str, set[str]] = {}
    for f in findings["findings"]:
        statuses.setdefault(f["unit"], set()).add(f["status"])
    assert set(statuses) == set(assignments(catalogue_2019))
    for unit, seen in statuses.items():
        assert (seen == {"missing"}) == (unit not in submitted), (unit, seen)

    reminded = _flow_run(server, reminder_run)
    assert reminded["state"] == "COMPLETED", f"{reminded['message']}\n{_tail(log)}"
    owed = _owed(catalogue_2019, reminder_manifest, datetime.fromisoformat(reminder_as_of))
    assert submitted - owed, "the inbox should have some workbooks in by then"
    assert _not_reported(reminded["artifacts"]["reminder-2019-06"]) == owed


# -- `progress-audit serve` against the running server (after the tests above) ---------------


def _serve(server: Server, cwd: Path) -> tuple[subprocess.Popen, Path]:
    """`progress-audit serve`, started and waited for until it says it is serving."""
    log = cwd / "serve.log"
    env = {**server.env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}  # pick a triggered run up quickly
    proc = _spawn([PROGRESS_AUDIT, "serve"], env, cwd, log)
    deadline = time.monotonic() + 60
    while "being served" not in _tail(log, 100_000):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"progress-audit serve did not start:\n{_tail(log)}")
        time.sleep(0.2)
    return proc, log


def _stopped_cleanly(proc: subprocess.Popen, log: Path, sig: int) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"progress-audit serve still running 30 s after {sig!r}:\n{_tail(log)}")
    assert proc.returncode == 0, _tail(log)
    assert "Traceback" not in _tail(log, 100_000)


def test_serve_refuses_deployments_that_a_worker_runs(deployed, server, tmp_path):
    assert all(d and d["work_pool_name"] == POOL for d in _deployments(server).values())
    done = subprocess.run(
        [PROGRESS_AUDIT, "serve"],
        env=server.env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = _one_line_error(done)
    assert f"prefect deployment delete '{AUDIT}'" in line
    assert f"prefect deployment delete '{REMINDER}'" in line


def test_serve_registers_both_and_runs_them_until_terminated(server, tmp_path, catalogue_2019):
    for name, d in _deployments(server).items():  # as the refusal above says to
        if d is not None:
            _cli(server, "deployment", "delete", name, cwd=server.tmp)
    proc, log = _serve(server, tmp_path)
    try:
        got = _deployments(server, wait_for_schedules=30)
        for name, cron in ((AUDIT, "0 9 6 * *"), (REMINDER, "0 9 3 * *")):
            assert got[name] is not None, f"{name} not registered by serve"
            assert got[name]["work_pool_name"] is None  # served by this process, not a pool
            assert got[name]["schedules"] == [
                {"cron": cron, "timezone": "Asia/Shanghai", "active": True}
            ]
            assert got[name]["parameters"] == {"data": "data"}
        data = tmp_path / "workspace"
        manifest = _small_inbox(data, catalogue_2019)
        as_of = "2019-07-05T12:00:00+08:00"
        run_id = _trigger(server, REMINDER, period="2019-06", as_of=as_of, data=str(data))
        run = _flow_run(server, run_id, wait=RUN_SECONDS)
        assert run["state"] == "COMPLETED", f"{run['message']}\n{_tail(log)}"
        owed = _owed(catalogue_2019, manifest, datetime.fromisoformat(as_of))
        assert _not_reported(run["artifacts"]["reminder-2019-06"]) == owed
        assert proc.poll() is None, "serve must keep running until stopped"
        _stopped_cleanly(proc, log, signal.SIGTERM)
    finally:
        _stop(proc)


def test_serve_stops_cleanly_on_ctrl_c(server, tmp_path):
    proc, log = _serve(server, tmp_path)
    try:
        _stopped_cleanly(proc, log, signal.SIGINT)
    finally:
        _stop(proc)
