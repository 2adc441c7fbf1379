"""The submission portal under a deadline rush (报送门户基准), run by `make bench` after the
audit's own figures, or alone: `python bench/portal.py`.

Starts `progress-audit portal` on 127.0.0.1 (a free port, loopback only) over a fresh
workspace, then:

1. one upload at a time: every lead unit's May workbook (typical synthetic workbooks, the
   `bench` profile), each timed from the request to the receipt: the median is the receipt's
   speed for one upload;
2. waits until the quality suites have checked them (the process is then warm);
3. the rush, three times: all 40 units upload a June workbook at once (40 concurrent requests,
   no more; other figures each time, as units correcting their June report): each receipt's
   time, and the time from each receipt until the quality suites' problems have joined it as
   the receipt page sees it (asking as the page's script does, `?wait=`: the portal answers
   once the checks are done): the p95 of each over the three rushes' 120 uploads. The
   client is the standard library's, with each request's body made beforehand, so that the
   measuring costs the portal's two cores as little as it can (in the office, the units'
   browsers run on their own machines).

Prints the figures; `measure()` returns them for `bench/run.py`.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's progress_audit, whatever is installed
BIN = Path(sys.executable).parent
RUSH = 40
RUSHES = 3
FIRST_LOOK = 0.5
WAIT = 25
"""The receipt page's first look at a receipt still being checked, FIRST_LOOK seconds after it
shows, held by the portal for at most WAIT seconds until the checks have joined it."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workbooks(folder: Path) -> dict[str, dict[str, bytes]]:
    """Each unit's May workbook, and a June workbook for each rush: {"2019-05": {unit: bytes},
    "rush-1": {…}, …}, the rushes' from other seeds (other figures)."""
    from progress_audit.config import Settings
    from progress_audit.demo.synthetic import make_inbox
    from progress_audit.model.period import Period
    from progress_audit.standards.catalogue import load_catalogue
    from progress_audit.standards.responsibility import assignments

    settings = Settings()
    catalogue = load_catalogue(2019, settings.standards_dir)
    lines = assignments(catalogue, settings.unit_groups)
    wanted = [("2019-05", Period(2019, 5), 2019)] + [
        (f"rush-{i}", Period(2019, 6), 2019 + i) for i in range(1, RUSHES + 1)
    ]
    books: dict[str, dict[str, bytes]] = {}
    for key, month, seed in wanted:
        out = folder / key
        manifest = make_inbox(out, catalogue, lines, [month], seed=seed, profile="bench")
        books[key] = {}
        for f in sorted(manifest.files, key=lambda f: f.path):
            if f.unit in lines and f.path.endswith(".xlsx"):
                books[key][f.unit] = (out / f.path).read_bytes()  # the last of a unit's
    return books


def p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank: the 38th of 40 values, the 114th of 120."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(work: Path, env: dict[str, str] | None = None) -> dict[str, list[float]]:
    """Receipt times (one at a time, and in the rush) and the quality follow-up's, in seconds."""
    env = {**os.environ, **(env or {})}
    data = work / "portal"
    books = _workbooks(work / "portal-books")
    links = subprocess.run(
        [str(BIN / "progress-audit"), "portal", "links", "--data", str(data), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    tokens = {i["unit"]: i["url"].rsplit("/", 1)[1] for i in json.loads(links.stdout)}
    port = _free_port()
    log = open(work / "portal.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            str(BIN / "progress-audit"),
            "portal",
            "--data",
            str(data),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--period",
            "2019-06",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        _wait_until_up(port, server)
        _wait_for_engine(data, server)

        forms = {m: {u: _form(u, body) for u, body in b.items()} for m, b in books.items()}

        def post(unit: str, month: str) -> tuple[float, float, str]:
            content_type, body = forms[month][unit]
            start = time.perf_counter()
            status, reply = _request(port, "POST", f"/u/{tokens[unit]}/upload", body, content_type)
            done = time.perf_counter()
            if status != 200:
                raise SystemExit(f"{unit} 上传失败：HTTP {status} {reply[:200]!r}")
            return done - start, done, json.loads(reply)["sha256"]

        def checked_after(unit: str, sha: str, since: float) -> float:
            time.sleep(FIRST_LOOK)
            while True:
                # As the receipt page: answered as soon as the checks have joined the receipt.
                _, reply = _request(port, "GET", f"/u/{tokens[unit]}/receipts/{sha}?wait={WAIT}")
                if not json.loads(reply)["checking"]:
                    return time.perf_counter() - since
                if time.perf_counter() - since > 120:
                    raise SystemExit(f"{unit} 的质量校验两分钟仍未完成")

        single, last = [], None
        for unit in books["2019-05"]:
            seconds, done, sha = post(unit, "2019-05")
            single.append(seconds)
            last = (unit, sha, done)
        assert last is not None
        checked_after(*last)  # warm: the suites have run

        def one(unit: str, key: str, start: threading.Barrier) -> tuple[float, float]:
            start.wait()
            seconds, done, sha = post(unit, key)
            return seconds, checked_after(unit, sha, done)

        rush: list[tuple[float, float]] = []
        for i in range(1, RUSHES + 1):
            key = f"rush-{i}"
            units = list(books[key])[:RUSH]
            start = threading.Barrier(len(units))
            os.sync()  # untimed, as before every run of the bench: no earlier write-back lands here
            with ThreadPoolExecutor(len(units)) as pool:
                # each waits until its checks have joined it: the next rush starts on a quiet portal
                rush += pool.map(one, units, [key] * len(units), [start] * len(units))
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    return {
        "single": single,
        "rush": [r[0] for r in rush],
        "checks": [r[1] for r in rush],
    }


def _form(unit: str, workbook: bytes) -> tuple[str, bytes]:
    """The multipart body a browser sends for the upload form, made before the timing."""
    boundary = f"----bench{secrets.token_hex(12)}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{unit}.xlsx"\r\n'
        f"Content-Type: {XLSX}\r\n\r\n"
    ).encode()
    return f"multipart/form-data; boundary={boundary}", head + workbook + (
        f"\r\n--{boundary}--\r\n".encode()
    )


def _request(
    port: int, method: str, path: str, body: bytes | None = None, content_type: str = ""
) -> tuple[int, bytes]:
    """One request on a connection of its own, as a browser opening the page: the status and
    the body. The standard library's client, which costs this machine the least CPU while the
    portal is being measured."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def _wait_for_engine(data: Path, server: subprocess.Popen) -> None:
    """Until the audit engine beside the portal is up (its Prefect server started, its imports
    done): an office's portal is started long before a deadline rush, so the rush is measured
    against a portal at rest, not one still starting."""
    from progress_audit.portal.office.running import ENGINE_FILE

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("门户没有启动，见 portal.log")
        if (data / ENGINE_FILE).exists():
            return
        time.sleep(0.2)
    raise SystemExit("督查引擎三分钟内没有就绪，见 portal.log")


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("门户没有启动，见 portal.log")
        try:
            _request(port, "GET", "/static/portal.css")
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("门户两分钟内没有启动")


def summary(figures: dict[str, list[float]]) -> list[str]:
    single, rush, checks = figures["single"], figures["rush"], figures["checks"]
    return [
        f"portal receipt, one upload at a time ({len(single)} uploads): "
        f"median {statistics.median(single) * 1e3:.0f} ms",
        f"portal receipt, 40 units at once ({len(rush)} uploads in {RUSHES} rushes): "
        f"p95 {p95(rush) * 1e3:.0f} ms "
        f"(median {statistics.median(rush) * 1e3:.0f} ms)",
        f"portal quality suites after the receipt, 40 at once ({len(checks)} uploads): "
        f"p95 {p95(checks):.2f} s (median {statistics.median(checks):.2f} s)",
    ]


def main() -> int:
    # Imported here: bench/ is a folder of scripts, put on sys.path when one runs.
    from budgets import portal_verdicts

    with tempfile.TemporaryDirectory(prefix="progress-audit-portal-bench-") as work:
        figures = measure(Path(work))
    for line in summary(figures):
        print(line)
    failed = [v for v in portal_verdicts(figures) if not v.ok]
    for v in portal_verdicts(figures):
        print(
            f"{v.name}: {v.measured:.2f} {v.unit} ≤ {v.limit:.2f} {v.unit} "
            f"{'PASS' if v.ok else 'FAIL'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
