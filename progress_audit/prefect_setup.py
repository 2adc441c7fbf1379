"""Prefect the way this engine runs it by default: a temporary local server, no internet.

Called before Prefect is imported. Telemetry off (there is no internet on the office's
intranet, and a failed attempt prints errors); Prefect's own console chatter at INFO is kept
for the Prefect UI but not printed to the terminal unless asked for (`--verbose`).
"""

from __future__ import annotations

import os


def configure_prefect(verbose: bool = False) -> None:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


def server_configured() -> bool:
    """Whether a real Prefect server (or Cloud) is configured, rather than the temporary one."""
    configure_prefect()
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)
