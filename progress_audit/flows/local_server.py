"""A Prefect server on this machine, started by a command or by the portal's audit engine: a
free loopback port for it, and whether it answers yet."""

from __future__ import annotations

import contextlib
import socket
import urllib.request


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str) -> bool:
    """Whether the Prefect API at `api_url` answers its health check now."""
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer,
    ):
        return answer.status == 200
    return False
