"""Starting the portal and printing the units' links (启动门户、列出链接)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from progress_audit.config import Settings, get_settings
from progress_audit.intake.links import link_url, unit_links
from progress_audit.model.period import Period
from progress_audit.portal.app import create_app
from progress_audit.portal.checking import start_follow_up
from progress_audit.portal.desk import Desk, utc_now
from progress_audit.portal.office import accounts
from progress_audit.portal.office.running import start_engine

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def open_desk(data: Path, settings: Settings, period: Period | None = None) -> Desk:
    desk = Desk.open(data, settings, period)
    # The office's tables are made as the portal opens, so that no page view writes.
    accounts.prepare(desk.ledger)
    return desk


def portal_app(
    data: Path,
    settings: Settings,
    *,
    period: Period | None = None,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """The portal's web app over workspace `data`; `now` is the clock (the tests fix it)."""
    return create_app(open_desk(data, settings, period), now=now)


DATA_ENV = "PROGRESS_AUDIT_PORTAL_DATA"
PERIOD_ENV = "PROGRESS_AUDIT_PORTAL_PERIOD"


def worker_app() -> FastAPI:
    """The app of one web worker process (uvicorn imports it by name in each)."""
    period = os.environ.get(PERIOD_ENV)
    return portal_app(
        Path(os.environ[DATA_ENV]), get_settings(), period=Period.parse(period) if period else None
    )


def serve(
    data: Path,
    settings: Settings,
    host: str,
    port: int,
    period: Period | None = None,
    *,
    workers: int | None = None,
    now: Callable[[], datetime] | None = None,
) -> None:
    """Serve the portal until stopped (Ctrl+C): a web worker per core (at most 4), the
    quality suites' process and the audit engine for 立即督查 (with its Prefect server). With
    `now` (the tests' clock), one worker in this process and no engine (a run is a command of
    its own).
    Raises PortInUse, before anything starts, when the address cannot be listened on."""
    # uvicorn is needed only by this command.
    import uvicorn

    from progress_audit.portal.listener import check_port, serve_workers  # uvicorn's too

    check_port(host, port)
    open_desk(data, settings, period).clear_temporary()
    checking = start_follow_up(data, settings)
    engine = start_engine(data) if now is None else None
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "server_header": False,
        "date_header": False,
        "proxy_headers": True,
        "forwarded_allow_ips": ",".join(settings.portal_proxies),
        "timeout_graceful_shutdown": 10,
    }
    try:
        if now is not None:
            uvicorn.run(portal_app(data, settings, period=period, now=now), **options)
            return
        os.environ[DATA_ENV] = str(Path(data).resolve())
        if period is not None:
            os.environ[PERIOD_ENV] = str(period)
        config = uvicorn.Config(f"{__name__}:worker_app", factory=True, **options)
        serve_workers(config, workers or min(4, os.cpu_count() or 1))
    finally:
        helpers = [p for p in (checking, engine) if p is not None]
        for process in helpers:
            process.terminate()
        for process in helpers:  # the engine stops its Prefect server first
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join(5)
        _stop_resource_tracker()


def _stop_resource_tracker() -> None:
    """End the helper process multiprocessing starts beside spawned children, and wait for it:
    left alone it ends only when it notices that the portal has gone, so for a moment it
    would outlive the portal."""
    # Only at the portal's stop: the tracker exists once a child has been spawned.
    from multiprocessing import resource_tracker

    tracker = getattr(resource_tracker, "_resource_tracker", None)
    stop = getattr(tracker, "_stop", None)
    if stop is not None:
        with contextlib.suppress(Exception):
            stop()


def links(
    data: Path,
    settings: Settings,
    base_url: str,
    *,
    rotate: tuple[str, ...] = (),
    period: Period | None = None,
) -> list[dict[str, Any]]:
    """Each lead unit's link (`[{"unit", "url"}]`, in the table's order), made on first use;
    the units in `rotate` get new ones (their old links end at once). Raises KeyError naming
    a unit in `rotate` that is not a lead unit."""
    desk = open_desk(data, settings, period)
    try:
        now = utc_now()
        audit = desk.audit(desk.open_month(now), now)
        units = list(audit.assignments)
        unknown = [u for u in rotate if u not in units]
        if unknown:
            raise KeyError("、".join(unknown))
        tokens = unit_links(Path(data), desk.ledger, units, rotate=rotate)
        return [{"unit": u, "url": link_url(base_url, t)} for u, t in tokens.items()]
    finally:
        desk.ledger.close()
