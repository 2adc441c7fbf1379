"""Starting the portal and printing the units' links (启动门户、列出链接)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from progress_audit.config import Settings
from progress_audit.intake.ledger import Ledger
from progress_audit.intake.links import link_url, unit_links
from progress_audit.model.period import Period
from progress_audit.portal.app import create_app
from progress_audit.portal.checking import FollowUp, check_pending
from progress_audit.portal.desk import Desk, utc_now

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def open_desk(data: Path, settings: Settings, period: Period | None = None) -> Desk:
    ledger = Ledger.open(settings.ledger_url or data)
    return Desk(Path(data), settings, ledger, period)


def portal_app(
    data: Path,
    settings: Settings,
    *,
    period: Period | None = None,
    checks: bool = True,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """The portal over workspace `data`, with the quality follow-up unless `checks` is False;
    `now` is the clock (the tests fix it)."""
    desk = open_desk(data, settings, period)
    follow_up = FollowUp(lambda: check_pending(desk, now()), warm=_warm_quality) if checks else None
    return create_app(desk, follow_up=follow_up, now=now)


def _warm_quality() -> None:
    # Great Expectations costs seconds to import: once, in the follow-up thread at start, never
    # in a request.
    import great_expectations  # noqa: F401


def serve(
    data: Path, settings: Settings, host: str, port: int, period: Period | None = None
) -> None:
    """Serve the portal until stopped (Ctrl+C)."""
    # uvicorn is needed only by this command.
    import uvicorn

    app = portal_app(data, settings, period=period)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        date_header=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


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
