"""The portal's routes (门户的网页和接口): thin, over `Desk`.

    GET  /u/<token>                   the unit's page
    GET  /u/<token>/template          this month's workbook, last month's figures beside
    POST /u/<token>/upload            multipart `file` → the receipt (JSON or a page)
    GET  /u/<token>/receipts/<sha256> a receipt as it stands
    GET  /static/portal.css, portal.js

A wrong, tampered or rotated token gets the same 404 page as a path that does not exist, and
changes nothing. Every page is autoescaped and sent with a Content-Security-Policy that allows
only the portal's own style and script; no page shows a stack trace. The office's board (an
`office` router) is added beside `unit_routes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from progress_audit.intake.reviews import review_actions
from progress_audit.intake.uploads import receipt_as_it_stands
from progress_audit.model.period import Period
from progress_audit.model.records import SUBMISSION_STATUS_LABELS
from progress_audit.model.wording import SEVERITY_LABELS, deadline_label, moment_label
from progress_audit.portal.desk import Desk, utc_now
from progress_audit.portal.office.routes import office_routes
from progress_audit.portal.uploading import BadUpload, TooLarge, receive_file, too_long

_log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC = {"portal.css": "text/css; charset=utf-8", "portal.js": "text/javascript; charset=utf-8"}
RECEIPT_STATUS_LABELS = {**SUBMISSION_STATUS_LABELS, "rejected": "未予采用"}

_pages = Environment(
    loader=PackageLoader("progress_audit.portal", "pages"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def create_app(desk: Desk, *, now: Callable[[], datetime] = utc_now) -> FastAPI:
    """The portal for `desk`'s workspace; `now` is the clock (tests set it). The quality
    suites run in a process of their own (`checking`), which finds new uploads in the ledger."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = desk

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return _page("not_found.html", {}, 405)
        return not_found()

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> Response:
        _log.exception("portal request failed: %s %s", request.method, request.url.path)
        return _page("error.html", {}, 500)

    @app.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC:
            return not_found()
        body = resources.files("progress_audit.portal").joinpath("static", name).read_bytes()
        return Response(body, media_type=STATIC[name])

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)  # browsers ask for it; there is none

    app.include_router(unit_routes(desk, now))
    app.include_router(office_routes(desk, now, _page))
    return app


class SecurityHeaders:
    """Every response with SECURITY_HEADERS (a report's own policy stands), and an error page,
    never a stack trace, for a request that fails before its response has begun. Plain ASGI:
    Starlette's `@app.middleware` wraps every request in tasks and streams of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            _log.exception("portal request failed: %s %s", scope["method"], scope["path"])
            if started:
                raise
            await _page("error.html", {}, 500)(scope, receive, with_headers)


def unit_routes(desk: Desk, now: Callable[[], datetime]) -> APIRouter:
    router = APIRouter(prefix="/u/{token}")
    # One upload taken in at a time per process: in a rush, twenty readings side by side fight
    # for the interpreter and use about 1.7 times the CPU, and none is answered before the last.
    taking = anyio.CapacityLimiter(1)

    @router.get("")
    async def page(token: str) -> Response:
        unit = await run_in_threadpool(desk.unit, token)
        if unit is None:
            return not_found()
        context = await run_in_threadpool(_unit_page, desk, unit, token, now())
        return _page("unit.html", context)

    @router.get("/template")
    async def template(token: str) -> Response:
        unit = await run_in_threadpool(desk.unit, token)
        if unit is None:
            return not_found()
        name, body = await run_in_threadpool(desk.template, unit, now())
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )

    @router.post("/upload")
    async def upload(token: str, request: Request) -> Response:
        wants_json = _wants_json(request)
        limit = desk.settings.max_workbook_bytes
        # Refused before any of the body is read: a link's owner learns only the limit.
        if too_long(request.headers.get("content-length"), limit):
            return _too_large(wants_json, limit)
        unit = await run_in_threadpool(desk.unit, token)
        if unit is None:
            return not_found()
        try:
            incoming = await receive_file(
                request.headers.get("content-type"), request.stream(), limit, desk.temporary
            )
        except TooLarge:
            return _too_large(wants_json, limit)
        except BadUpload as e:
            if wants_json:
                return JSONResponse({"detail": str(e)}, status_code=400)
            return _page(
                "message.html", {"title": "上传有误", "message": str(e), "token": token}, 400
            )
        received_at = now()  # the upload completed
        taken = await anyio.to_thread.run_sync(
            desk.take, unit, incoming, received_at, limiter=taking
        )
        receipt = receipt_as_it_stands(taken.upload)
        mail = BackgroundTask(desk.mail_receipt, receipt, token)
        if wants_json:
            return JSONResponse(receipt, background=mail)
        response = _page("receipt.html", _receipt_page(unit, token, receipt))
        response.background = mail
        return response

    @router.get("/receipts/{sha256}")
    async def receipt(token: str, sha256: str, request: Request) -> Response:
        unit = await run_in_threadpool(desk.unit, token)
        if unit is None:
            return not_found()
        found = await run_in_threadpool(desk.receipt, unit, sha256.lower())
        if found is None:
            return not_found()
        if _wants_json(request):
            return JSONResponse(found)
        return _page("receipt.html", _receipt_page(unit, token, found))

    return router


def not_found() -> Response:
    return _page("not_found.html", {}, 404)


def _too_large(wants_json: bool, limit: int) -> Response:
    message = (
        f"文件超过 {limit // (1024 * 1024)} MB 的上限，未予接收。"
        "填好的填报表通常不到 1 MB，请检查是否选错了文件"
    )
    if wants_json:
        return JSONResponse({"detail": message}, status_code=413, headers={"Connection": "close"})
    return _page("message.html", {"title": "文件过大", "message": message}, 413)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _page(name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    html = _pages.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status)


# -- what the pages show ----------------------------------------------------------------


def _receipt_view(receipt: dict[str, Any], tz: Any = None) -> dict[str, Any]:
    received = datetime.fromisoformat(receipt["received_at"])
    problems = receipt["problems"]
    return {
        **receipt,
        "status_label": RECEIPT_STATUS_LABELS.get(receipt["status"], receipt["status"]),
        "received_label": moment_label(received),
        "period_label": Period.parse(receipt["period"]).label if receipt["period"] else None,
        "errors": sum(p["severity"] == "error" for p in problems),
        "warnings": sum(p["severity"] != "error" for p in problems),
        "problem_rows": [
            {**p, "severity_label": SEVERITY_LABELS.get(p["severity"], p["severity"])}
            for p in problems
        ],
    }


def _receipt_page(unit: str, token: str, receipt: dict[str, Any]) -> dict[str, Any]:
    return {"unit": unit, "token": token, "receipt": _receipt_view(receipt)}


def _unit_page(desk: Desk, unit: str, token: str, moment: datetime) -> dict[str, Any]:
    period = desk.open_month(moment)
    audit = desk.audit(period, moment)
    due = period.due(desk.settings.timezone, desk.settings.due_day)
    receipts = [_receipt_view(r) for r in desk.receipts(unit)]
    actions = review_actions(desk.ledger, period=str(period), unit=unit)
    gone = {a.sha256: a.action for a in actions if a.action in ("return", "withdraw")}
    for r in receipts:
        if r["sha256"] in gone and r["period"] == str(period):
            r["status"] = "returned" if gone[r["sha256"]] == "return" else "withdrawn"
            r["status_label"] = SUBMISSION_STATUS_LABELS[r["status"]]
    return {
        "unit": unit,
        "token": token,
        "period": period,
        "due_label": deadline_label(due),
        "due_iso": due.isoformat(),
        "now_iso": moment.astimezone(due.tzinfo).isoformat(timespec="seconds"),
        "past_due": moment > due,
        "lines": audit.assignments.get(unit, ()),
        "receipts": receipts,
        "returns": [
            {
                "at": moment_label(a.at.astimezone(due.tzinfo)),
                "reason": a.reason,
                "current": bool(receipts) and receipts[0]["sha256"] == a.sha256,
            }
            for a in reversed(actions)
            if a.action == "return"
        ],
        "feedback": desk.last_feedback(unit, period),
        "limit_mb": desk.settings.max_workbook_bytes // (1024 * 1024),
    }
