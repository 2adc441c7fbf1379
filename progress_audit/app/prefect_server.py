"""Prefect's temporary server, started the moment a command starts (临时服务器).

With no Prefect server configured, Prefect starts a temporary one when the first flow runs:
only after the command has imported Prefect, and by importing its server's module first in
this process as well. Both imports take seconds of one core, one after the other, before the
first task can run. `start()` instead launches the very same server (Prefect's own app, in a
process of its own, on the same database under PREFECT_HOME) before this process has imported
anything of Prefect, so its start overlaps the command's own imports; `use()` then points
Prefect at it once it answers. The flow runs, their logs and artifacts land where the
temporary server would have put them.

Only when no server is configured: PREFECT_API_URL in the environment is seen at once; one set
in Prefect's profile is seen once Prefect is imported, and the early server is then stopped
unused. If the early server fails to answer, it is stopped and Prefect starts its own as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

from progress_audit.flows.local_server import free_port, healthy

_log = logging.getLogger(__name__)

PORT_IN_USE = 3
"""uvicorn's exit status when its port was taken meanwhile: another port is tried."""

_server: TemporaryServer | None = None

UNUSED_BY_A_COMMAND = {
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_ACTIONS_ENABLED": "false",
}
"""Services Prefect's temporary server would start by default (automations: their triggers and
actions) that a server living for one command has no use for; starting them is on the way to
its first answer. Set in the environment, these settings win; a configured server is not
started here at all, and keeps its automations."""


class TemporaryServer:
    """Prefect's server app under uvicorn on a free local port, as Prefect runs its own."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = _launch(self.port)
        self.in_use = False

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self, timeout: float) -> bool:
        """Whether the server answers its health check within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (status := self.process.poll()) is not None:
                if status != PORT_IN_USE:
                    return False
                self.port = free_port()
                self.process = _launch(self.port)
            if healthy(self.api_url):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the server (gracefully, as Prefect stops its own), then reap it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start() -> None:
    """Launch the temporary server now, unless one is running or a server is configured in
    the environment. Call before Prefect is imported, after `configure_prefect`."""
    global _server
    if _server is not None or os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return
    if find_spec("uvicorn") is None:  # Prefect's own start then says what is missing
        return
    try:
        _server = TemporaryServer()
    except OSError:
        _log.debug("the early Prefect server did not start", exc_info=True)
        return
    # Registered before Prefect registers its own exit handlers, so it runs after them: the
    # last logs and events reach the server before it stops.
    atexit.register(stop)


def starting() -> bool:
    """Whether this process started a temporary server that Prefect does not use yet."""
    return _server is not None and not _server.in_use


def use() -> None:
    """Point Prefect at the early server, once it answers (as long as Prefect would wait for its
    own); stop it unused if a server is configured after all or if it does not answer."""
    if _server is None or _server.in_use:
        return
    # Prefect reads its settings (the profile too) when imported: only now is it known.
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings  # (the same)

    settings = get_current_settings()
    timeout = settings.server.ephemeral.startup_timeout_seconds
    if settings.api.url or not _server.wait_ready(timeout):
        stop()
        return
    os.environ["PREFECT_API_URL"] = _server.api_url
    refresh_global_settings_context()
    _server.in_use = True


def stop() -> None:
    """Stop the early server, if this process started one."""
    global _server
    if _server is not None:
        server, _server = _server, None
        server.stop()


def _launch(port: int) -> subprocess.Popen[bytes]:
    # Prefect's own way of running its temporary server: its app factory under uvicorn, without
    # the UI, flagged as ephemeral (no background services a one-off command does not need).
    app_dir = Path(find_spec("prefect").origin).parent.parent  # type: ignore[union-attr, arg-type]
    env = {
        **UNUSED_BY_A_COMMAND,
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    return subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
            "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "error", "--lifespan", "on",
        ],
        env=env,
        close_fds=True,
    )  # fmt: skip
