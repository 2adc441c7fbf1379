"""The portal in a process of its own, on loopback, with a fixed clock: the tests that need a
real server (a browser, a kill -9, concurrent uploads) start it with `start_portal`.

    python -m tests.support.portal_server DATA PORT NOW
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2019-06"


@dataclass
class Running:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """kill -9 of the server and every process it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start_portal(data: Path, port: int, now: str, *, env: dict[str, str] | None = None) -> Running:
    """Start the portal on 127.0.0.1:`port` over workspace `data`; wait until it answers."""
    log = data.parent / f"portal-{port}.log"
    args = [sys.executable, "-m", "tests.support.portal_server", str(data), str(port), now]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with open(log, "ab") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=environment, stdout=out, stderr=out, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(f"{url}/static/portal.css", timeout=1)
            return Running(process, url, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"portal did not start: {log.read_text(errors='replace')[-2000:]}")


def main(argv: list[str]) -> None:
    from progress_audit.config import get_settings
    from progress_audit.model.period import Period
    from progress_audit.portal.server import serve

    data, port, now_text = Path(argv[0]), int(argv[1]), argv[2]
    moment = datetime.fromisoformat(now_text)
    started = time.monotonic()

    def now() -> datetime:
        # The fixed moment, advancing with the real clock (uploads keep their order).
        return moment + (datetime.fromtimestamp(time.monotonic()) - datetime.fromtimestamp(started))

    serve(data, get_settings(), "127.0.0.1", port, Period.parse(PERIOD), now=now)


if __name__ == "__main__":
    main(sys.argv[1:])
