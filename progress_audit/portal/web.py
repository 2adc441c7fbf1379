"""What every route of the portal shares (门户的网页基础): the pages (Jinja, autoescaped),
the security headers, and `Answer`, which a dependency raises to reply at once (a 404, a
login page, a 429) instead of letting the route run.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

_pages = Environment(
    loader=PackageLoader("progress_audit.portal", "pages"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class Answer(Exception):
    """The reply to give now, raised from a dependency or a route."""

    def __init__(self, response: Response) -> None:
        self.response = response


def page(name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return HTMLResponse(_pages.get_template(name).render(**context), status_code=status)


def not_found(office: bool = False) -> Response:
    return page("not_found.html", {"office": office}, 404)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def refusal(request: Request, status: int, message: str, office: bool) -> Response:
    """A request refused with `message` (Chinese): JSON for programs, a page for people."""
    if wants_json(request) or request.url.path.startswith("/office/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    name = "office_message.html" if office else "message.html"
    title = "请求已过期" if status == 403 else "请求有误"
    return page(name, {"title": title, "message": message, "office": office}, status)


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
            office = scope["path"].startswith("/office")
            await page("error.html", {"office": office}, 500)(scope, receive, with_headers)
