"""The portal's web app (门户): the units' routes (`units`), the office's (`office.routes`),
the static files, and what every request shares: security headers on every response, an
error page and never a stack trace, `Answer`s raised by dependencies, and a 400 with the
reason in Chinese for a body or form that is not what the route expects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from progress_audit.portal.checks_watch import ChecksWatch
from progress_audit.portal.desk import Desk, utc_now
from progress_audit.portal.office import auth
from progress_audit.portal.office.routes import office, signing_in
from progress_audit.portal.units import units
from progress_audit.portal.web import Answer, SecurityHeaders, not_found, page, refusal

_log = logging.getLogger(__name__)

STATIC = {"portal.css": "text/css; charset=utf-8", "portal.js": "text/javascript; charset=utf-8"}
NOT_AN_OBJECT = (
    '请求内容有误：应为 JSON 对象，例如 {"unit": "人社局", "period": "2019-06", '
    '"action": "return", "reason": "…"}'
)
BAD_FORM = "表单内容有误或不完整，请回到页面重新填写后再提交。"


def create_app(desk: Desk, *, now: Callable[[], datetime] = utc_now) -> FastAPI:
    """The portal for `desk`'s workspace; `now` is the clock (tests set it). The quality
    suites run in a process of their own (`checking`), which finds new uploads in the ledger."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = desk
    app.state.now = now
    app.state.checks_watch = ChecksWatch(desk.still_checking)
    secret = desk.settings.office_password
    plain = secret.get_secret_value() if secret is not None else ""
    app.state.office_hash = auth.password_hash(plain) if plain else None
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(Answer, answer)
    app.add_exception_handler(RequestValidationError, malformed)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, any_error)
    app.add_api_route("/static/{name}", static, methods=["GET"])
    app.add_api_route("/favicon.ico", favicon, methods=["GET"])
    app.include_router(units)
    app.include_router(signing_in)
    app.include_router(office)
    return app


async def answer(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Answer)
    return exc.response


async def malformed(request: Request, exc: Exception) -> Response:
    office = request.url.path.startswith("/office")
    wording = NOT_AN_OBJECT if request.url.path.startswith("/office/api/") else BAD_FORM
    return refusal(request, 400, wording, office)


async def http_error(request: Request, exc: Exception) -> Response:
    office = request.url.path.startswith("/office")
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
        return page("not_found.html", {"office": office}, 405)
    return not_found(office)


async def any_error(request: Request, exc: Exception) -> Response:
    _log.exception("portal request failed: %s %s", request.method, request.url.path)
    return page("error.html", {"office": request.url.path.startswith("/office")}, 500)


def static(name: str) -> Response:
    if name not in STATIC:
        return not_found()
    body = resources.files("progress_audit.portal").joinpath("static", name).read_bytes()
    return Response(body, media_type=STATIC[name])


def favicon() -> Response:
    return Response(status_code=204)  # browsers ask for it; there is none
