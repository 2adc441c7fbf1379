"""Prefect's temporary server started with the command (`app.prefect_server`): the flow runs
land on it, in PREFECT_HOME's database as with Prefect's own, and it ends with the command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from progress_audit.app import prefect_server

ROOT = Path(__file__).resolve().parents[2]


def _command(tmp_path: Path, script: str, **env: str) -> dict:
    """`script` in a fresh interpreter (Prefect not imported yet), as a command starts; the
    JSON it prints last."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**clean, "PREFECT_HOME": str(tmp_path / "prefect-home"), **env},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_flow_runs_on_the_early_server_which_ends_with_the_command(tmp_path):
    seen = _command(
        tmp_path,
        """
        import json
        from progress_audit.app import prefect_server
        from progress_audit.app.prefect_setup import configure_prefect, without_heartbeats

        configure_prefect()
        prefect_server.start()
        server = prefect_server._server
        from prefect import flow, get_run_logger
        from prefect.settings import get_current_settings

        prefect_server.use()

        @flow(name="early")
        def early():
            return get_current_settings().flows.heartbeat_frequency

        with without_heartbeats():
            heartbeat = early()
        environ = open(f"/proc/{server.process.pid}/environ", "rb").read().split(bytes(1))
        print(json.dumps({
            "services": sorted(
                v.decode() for v in environ if v.startswith(b"PREFECT_SERVER_SERVICES_")
            ),
            "pid": server.process.pid,
            "server_url": server.api_url,
            "prefect_url": get_current_settings().api.url,
            "heartbeat_inside": heartbeat,
            "heartbeat_after": get_current_settings().flows.heartbeat_frequency,
        }))
        """,
    )
    assert seen["prefect_url"] == seen["server_url"]
    # Automations' services are not started in a server that lives for one command.
    assert seen["services"] == [
        "PREFECT_SERVER_SERVICES_ACTIONS_ENABLED=false",
        "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED=false",
    ]
    assert seen["heartbeat_inside"] is None and seen["heartbeat_after"] is not None
    assert _gone(seen["pid"])
    db = sqlite3.connect(tmp_path / "prefect-home" / "prefect.db")
    states = db.execute("select state_type from flow_run where name is not null").fetchall()
    assert states == [("COMPLETED",)]


def test_a_service_setting_in_the_environment_wins(monkeypatch):
    launched = {}

    def popen(command, **options):
        launched.update(options["env"])
        return None

    monkeypatch.setattr(prefect_server.subprocess, "Popen", popen)
    monkeypatch.setenv("PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED", "true")
    prefect_server._launch(4200)
    assert launched["PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED"] == "true"
    assert launched["PREFECT_SERVER_SERVICES_ACTIONS_ENABLED"] == "false"


def test_a_server_in_the_profile_is_used_and_the_early_one_stopped(tmp_path):
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "profiles.toml").write_text(
        'active = "office"\n[profiles.office]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n'
    )
    seen = _command(
        tmp_path,
        """
        import json
        from progress_audit.app import prefect_server
        from progress_audit.app.prefect_setup import configure_prefect

        configure_prefect()
        prefect_server.start()
        process = prefect_server._server.process
        import prefect
        from prefect.settings import get_current_settings

        prefect_server.use()
        print(json.dumps({
            "stopped": process.poll() is not None,
            "kept": prefect_server._server is not None,
            "prefect_url": get_current_settings().api.url,
        }))
        """,
    )
    assert seen == {"stopped": True, "kept": False, "prefect_url": "http://127.0.0.1:9/api"}


def test_no_early_server_where_the_environment_names_one(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setattr(prefect_server, "_server", None)
    prefect_server.start()
    assert prefect_server._server is None


class _Silent:
    """A server that never answers."""

    api_url = "http://127.0.0.1:9/api"
    in_use = False
    stopped = False
    asked: float | None = None

    def wait_ready(self, timeout: float) -> bool:
        self.asked = timeout
        return False

    def stop(self) -> None:
        self.stopped = True


def test_a_server_that_does_not_answer_is_stopped_and_prefect_left_to_start_its_own(
    monkeypatch,
):
    silent = _Silent()
    monkeypatch.setattr(prefect_server, "_server", silent)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        patience = get_current_settings().server.ephemeral.startup_timeout_seconds
        prefect_server.use()
    assert silent.asked == patience  # as long as Prefect would wait for its own
    assert silent.stopped and prefect_server._server is None
    assert "PREFECT_API_URL" not in os.environ


def test_the_validating_process_gives_way_only_while_a_temporary_server_starts(
    monkeypatch, tmp_path
):
    from progress_audit.app import warm_up
    from progress_audit.quality import validator

    asked: list[int] = []
    monkeypatch.setattr(validator, "start", asked.append)
    monkeypatch.setattr(prefect_server, "_server", _Silent())
    warm_up.start_validating(tmp_path, surely=True)
    monkeypatch.setattr(prefect_server, "_server", None)  # a server up already: none started
    warm_up.start_validating(tmp_path, surely=True)
    assert asked == [validator.GIVING_WAY, 0]
