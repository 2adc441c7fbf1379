"""Prefect the way this engine runs it by default: a temporary local server, no internet.

Called before Prefect is imported. Telemetry off (there is no internet on the office's
intranet, and a failed attempt prints errors); Prefect's own console chatter at INFO is kept
for the Prefect UI but not printed to the terminal unless asked for (`--verbose`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def configure_prefect(verbose: bool = False) -> None:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
    # A busy machine (the deadline rush, a CI runner) can take longer than Prefect's 20 s to
    # start the temporary server; failing the audit for that helps nobody.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs inside send no heartbeat. Prefect's heartbeat thread sleeps a second at a time
    and each run waits for it to wake before ending: up to a second per run, most of a warm
    run's own cost. A command reports its run's end itself (completed, failed or crashed), and
    heartbeats only serve to find a run whose process vanished; a configured server's
    automations lose that signal for the command's runs. Enter once Prefect's API URL is final
    (the settings are copied on entry)."""
    from prefect.settings import temporary_settings  # Prefect, configured before

    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


def server_configured() -> bool:
    """Whether a real Prefect server (or Cloud) is configured, rather than the temporary one."""
    configure_prefect()
    # Prefect reads its settings when imported, so configure_prefect() must run first
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def server_unreachable() -> str | None:
    """Why the configured Prefect server does not answer (its address and the error), or None."""
    # Prefect takes seconds to import: only `serve` pays it
    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings  # the same: Prefect only for `serve`

    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is None:
        return None
    return f"{get_current_settings().api.url}（{type(error).__name__}: {error}）"


def deployments_in_pools(names: list[str]) -> list[tuple[str, str]]:
    """Those of the deployments `flow/deployment` that exist on the server in a work pool."""
    # Prefect takes seconds to import: only `serve` pays it
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound  # the same: Prefect only for `serve`

    found = []
    with get_client(sync_client=True) as client:
        for name in names:
            try:
                deployment = client.read_deployment_by_name(name)
            except ObjectNotFound:
                continue
            if deployment.work_pool_name:
                found.append((name, deployment.work_pool_name))
    return found
