"""The audit with Prefect already up (预热的督查引擎), run by `make bench` or alone:
`python bench/engine.py [--runs 5]`.

1. "Run now" (立即督查) as the board does it: the portal's audit engine (`start_engine`, with
   the Prefect server it starts) over a district-month of 40 workbooks; each run timed from the
   click (`start_run`) to the month's reports listed (`reports_of`), the first one included (the
   month not yet read).
2. `progress-audit run` of a cold month (June, 40 workbooks, a fresh workspace each time)
   against a Prefect server that is already up, alternating with a bare flow with one task on
   the same server: the difference is what the audit itself costs beyond Prefect's own.

Prints the figures; `measure()` returns them for `bench/run.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's progress_audit, whatever is installed
BIN = Path(sys.executable).parent
MONTH = ("2019-06", "2019-07-08T09:00:00+08:00")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _inbox(raw: Path) -> None:
    """Every lead unit's June workbook (the `bench` profile) under `raw`."""
    from progress_audit.config import Settings
    from progress_audit.demo.synthetic import make_inbox
    from progress_audit.model.period import Period
    from progress_audit.standards.catalogue import load_catalogue
    from progress_audit.standards.responsibility import assignments

    settings = Settings()
    catalogue = load_catalogue(2019, settings.standards_dir)
    make_inbox(
        raw,
        catalogue,
        assignments(catalogue, settings.unit_groups),
        [Period.parse(MONTH[0])],
        profile="bench",
    )


def _timed(cmd: list[str], env: dict[str, str], log: Path) -> float:
    os.sync()  # the previous run's writes reach the disk untimed
    with open(log, "wb") as out:
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = log.read_text("utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(cmd)} failed with status {done.returncode}:\n{tail}")
    return seconds


def run_now(work: Path, env: dict[str, str], raw: Path, runs: int) -> list[float]:
    """Seconds from each click on 立即督查 to the month's reports listed, warm engine: the
    first click (the month's workbooks read and validated for the first time), then `runs`
    more (the month as the portal keeps it: read and checked as the uploads came in)."""
    from progress_audit.model.period import Period
    from progress_audit.portal.office.running import (
        engine_of,
        reports_of,
        run_state,
        start_engine,
        start_run,
    )

    data = work / "run-now"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(raw, data / "raw", copy_function=shutil.copy2)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({k: v for k, v in env.items() if k != "PREFECT_API_URL"})
    engine = start_engine(data)
    try:
        deadline = time.monotonic() + 300
        while engine_of(data) is None:
            if not engine.is_alive() or time.monotonic() > deadline:
                raise SystemExit("the audit engine did not come up")
            time.sleep(0.1)
        period, as_of = Period.parse(MONTH[0]), datetime.fromisoformat(MONTH[1])
        seconds = []
        for _ in range(runs + 1):
            os.sync()
            start = time.perf_counter()
            start_run(data, period, as_of)
            while (state := run_state(data))["state"] in ("queued", "running"):
                time.sleep(0.02)
            if state["state"] != "done" or not reports_of(data, MONTH[0]):
                raise SystemExit(f"run now failed:\n{state.get('log', '')}")
            seconds.append(time.perf_counter() - start)
        return seconds
    finally:
        engine.terminate()
        engine.join(30)
        os.environ.clear()
        os.environ.update(saved)


def on_a_server(work: Path, env: dict[str, str], raw: Path, runs: int) -> dict[str, list[float]]:
    """A bare flow and `progress-audit run` of a cold month, alternating, both against one
    Prefect server started for them (its own PREFECT_HOME)."""
    port = _free_port()
    home = work / "prefect-server"
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "PREFECT_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Prefect server did not start (see {home}/server.log)")
            time.sleep(0.2)
        client_env = {**env, "PREFECT_API_URL": api}
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_flow.py")]
        _timed(bare_cmd, client_env, work / "logs" / "server-bare-warm-up.log")  # untimed
        out: dict[str, list[float]] = {"bare": [], "cold": []}
        for i in range(runs):
            out["bare"].append(_timed(bare_cmd, client_env, work / "logs" / f"server-bare-{i}.log"))
            ws = work / "server-cold"
            shutil.rmtree(ws, ignore_errors=True)
            shutil.copytree(raw, ws / "raw", copy_function=shutil.copy2)
            cmd = [str(BIN / "progress-audit"), "run", "--period", MONTH[0], "--as-of", MONTH[1]]
            cmd += ["--data", str(ws)]
            out["cold"].append(_timed(cmd, client_env, work / "logs" / f"server-cold-{i}.log"))
        return out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def measure(work: Path, env: dict[str, str], runs: int = 5) -> dict[str, list[float]]:
    """`run_now` and `on_a_server`, over one June inbox made under `work`."""
    raw = work / "engine-inbox" / "raw"
    if not raw.is_dir():
        _inbox(raw)
    (work / "logs").mkdir(exist_ok=True)
    figures = on_a_server(work, env, raw, runs)
    first, *warm = run_now(work, env, raw, runs)
    figures["run_now"], figures["run_now_first"] = warm, [first]
    return figures


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("run-now", "server"), default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="progress-audit-engine-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROGRESS_AUDIT_", "PREFECT_"))}
    env.update(DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env["PREFECT_HOME"] = str(work / "prefect-home")
    try:
        raw = work / "engine-inbox" / "raw"
        _inbox(raw)
        (work / "logs").mkdir()
        figures: dict[str, list[float]] = {}
        if args.only != "run-now":
            figures.update(on_a_server(work, env, raw, args.runs))
        if args.only != "server":
            first, *warm = run_now(work, env, raw, args.runs)
            figures["run_now"], figures["run_now_first"] = warm, [first]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({k: [round(x, 2) for x in v] for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
