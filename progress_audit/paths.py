"""The workspace (工作区): `DIR/raw/` inbox, `DIR/archive/`, `DIR/reports/`, and the ledger.

Also the lock that keeps two audits from writing the same workspace at once: the second one
waits (up to the configured time) and then refuses with a clear message.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The project folder (the repository, or where the package is installed)."""


class WorkspaceBusy(RuntimeError):
    """Another audit holds the workspace; the message says which and what to do."""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def raw(self) -> Path:
        """收件箱: read-only to the engine."""
        return self.root / "raw"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def period_reports(self, period: object) -> Path:
        return self.reports / str(period)

    @property
    def lock_file(self) -> Path:
        return self.root / ".progress-audit.lock"

    @contextmanager
    def locked(
        self, timeout: float, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the workspace for one audit; wait up to `timeout` seconds for another to end."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                    if time.monotonic() >= deadline:
                        raise WorkspaceBusy(
                            f"工作区 {self.root} 正被另一个督查运行占用（{holder or '未知进程'}），"
                            f"已等待 {timeout:g} 秒；请等它结束后再运行"
                        ) from None
                    if on_wait and not told:
                        on_wait(f"另一个督查正在运行（{holder or '未知进程'}），等待它结束…")
                        told = True
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock
