"""The office's routes (督查室): thin, over `board`, `running` and `auth`.

    GET  /office/login, POST /office/login, POST /office/logout
    GET  /office                       the board for the open month
    GET  /office/units/<unit>          a unit's figures, files and review forms
    POST /office/review                a review action from a form (then back to the unit)
    POST /office/api/review            the same as JSON (contract section 8)
    POST /office/rotate                a new link for a unit
    GET  /office/log                   every review action, with its time and reason
    POST /office/run, GET /office/run  run the month's audit now; its state (JSON)
    GET  /office/reports/<period>/<name>  the month's reports

Without an office password configured, every office path answers 503 with the reason, and
the units' pages work as before. People sign in (a session cookie, HttpOnly and SameSite=Strict,
a CSRF token in every form); programs use HTTP Basic with user `office`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from progress_audit.intake.links import portal_key
from progress_audit.intake.reviews import ReviewRefused, review_actions
from progress_audit.model.period import Period
from progress_audit.model.records import REVIEW_ACTION_LABELS, SUBMISSION_STATUS_LABELS
from progress_audit.model.wording import (
    figure_label,
    moment_label,
    percent_label,
    reviewed_label,
)
from progress_audit.portal.desk import Desk
from progress_audit.portal.office import auth
from progress_audit.portal.office.board import (
    UNIT_STATES,
    board_rows,
    month_view,
    rotate_link,
    take_review,
    unit_state,
)
from progress_audit.portal.office.running import RunBusy, reports_of, run_state, start_run

Page = Callable[..., Response]
NO_PASSWORD = (
    "督查室页面未启用：没有设置督查室密码。请在 progress-audit.toml 中设置 office_password，"
    "或设置环境变量 PROGRESS_AUDIT_OFFICE_PASSWORD，然后重新启动门户。各单位的报送页面不受影响。"
)
EXPIRED = "表单已过期或来源不明（缺少 CSRF 令牌），请重新打开页面后再操作。"
MAX_FORM = 64 * 1024
REVIEWED = ("returned", "withdrawn")
"""The office's own notes on a file: shown as its status, not counted as its errors."""
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; sandbox allow-scripts"
)


class Gate:
    """Who may pass: the password's hash, the sessions and the lock-out of this process."""

    def __init__(self, desk: Desk) -> None:
        secret = desk.settings.office_password
        plain = secret.get_secret_value() if secret is not None else ""
        self.hash = auth.password_hash(plain) if plain else None
        self.sessions = auth.Sessions(portal_key(desk.data)) if self.hash else None
        self.lockout = auth.LockOut()

    def check(self, password: str) -> bool:
        return self.hash is not None and auth.check_password(password, self.hash)


def office_routes(desk: Desk, now: Callable[[], datetime], page: Page) -> APIRouter:
    router = APIRouter(prefix="/office")
    gate = Gate(desk)
    zone = ZoneInfo(desk.settings.timezone)

    def office_page(name: str, context: dict[str, Any], status: int = 200) -> Response:
        return page(name, {"office": True, **context}, status)

    def message(title: str, text: str, status: int, back: str | None = None) -> Response:
        context = {"title": title, "message": text, "back": back}
        return office_page("office_message.html", context, status)

    def closed() -> Response:
        return message("督查室页面未启用", NO_PASSWORD, 503)

    def who(request: Request) -> str:
        return request.client.host if request.client else "?"

    def locked_out() -> Response:
        text = (
            f"登录失败次数过多，已暂停登录 {auth.LOCK_SECONDS // 60} 分钟。"
            "如忘记密码，请联系系统管理员。"
        )
        return message("暂停登录", text, 429)

    async def allowed(
        request: Request, *, write: bool, token: str | None = None
    ) -> Response | None:
        """None when the request may go on; else the answer (login, 401, 403, 429, 503)."""
        if gate.hash is None or gate.sessions is None:
            return closed()
        header = request.headers.get("authorization")
        if header is not None:
            if gate.lockout.locked(who(request)):
                return locked_out()
            password = auth.basic_password(header)
            ok = password is not None and await run_in_threadpool(gate.check, password)
            if ok:
                gate.lockout.succeeded(who(request))
                return None
            gate.lockout.failed(who(request))
            return JSONResponse(
                {"detail": "督查室用户名或密码错误（用户名 office）"},
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="office", charset="UTF-8"'},
            )
        cookie = request.cookies.get(auth.COOKIE)
        if not gate.sessions.valid(cookie):
            if write or _wants_json(request):
                return JSONResponse({"detail": "请先登录督查室页面"}, status_code=401)
            return RedirectResponse("/office/login", status_code=303)
        if write:
            given = token or request.headers.get("x-csrf-token")
            if not gate.sessions.csrf_ok(cookie, given):
                return office_page(
                    "office_message.html",
                    {
                        "title": "请求已过期",
                        "message": "表单已过期或来源不明（缺少 CSRF 令牌），请回到看板重新操作。",
                    },
                    403,
                )
        return None

    def csrf(request: Request) -> str:
        assert gate.sessions is not None
        return gate.sessions.csrf(request.cookies.get(auth.COOKIE, ""))

    async def form(request: Request) -> dict[str, str]:
        body = await request.body()
        if len(body) > MAX_FORM:
            return {}
        parsed = await request.form()
        return {k: v for k, v in parsed.items() if isinstance(v, str)}

    # -- login ---------------------------------------------------------------------------

    @router.get("/login")
    async def login_page(request: Request) -> Response:
        if gate.hash is None:
            return closed()
        nonce = secrets.token_urlsafe(24)
        response = office_page("office_login.html", {"csrf": nonce, "error": None})
        _set_cookie(response, auth.LOGIN_COOKIE, nonce, "/office/login")
        return response

    @router.post("/login")
    async def login(request: Request) -> Response:
        if gate.hash is None or gate.sessions is None:
            return closed()
        if gate.lockout.locked(who(request)):
            return locked_out()
        fields = await form(request)
        expected = request.cookies.get(auth.LOGIN_COOKIE)
        if not expected or fields.get("csrf") != expected:
            return office_page(
                "office_message.html",
                {
                    "title": "请求已过期",
                    "message": "登录表单已过期（缺少 CSRF 令牌），请重新打开登录页面。",
                },
                403,
            )
        if not await run_in_threadpool(gate.check, fields.get("password", "")):
            gate.lockout.failed(who(request))
            nonce = secrets.token_urlsafe(24)
            response = office_page("office_login.html", {"csrf": nonce, "error": "密码错误"}, 401)
            _set_cookie(response, auth.LOGIN_COOKIE, nonce, "/office/login")
            return response
        gate.lockout.succeeded(who(request))
        response = RedirectResponse("/office", status_code=303)
        _set_cookie(response, auth.COOKIE, gate.sessions.new(), "/office")
        response.delete_cookie(auth.LOGIN_COOKIE, path="/office/login")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        fields = await form(request)
        refused = await allowed(request, write=True, token=fields.get("csrf"))
        if refused is not None:
            return refused
        response = RedirectResponse("/office/login", status_code=303)
        response.delete_cookie(auth.COOKIE, path="/office")
        return response

    # -- the board --------------------------------------------------------------------------

    @router.get("")
    async def board(request: Request) -> Response:
        refused = await allowed(request, write=False)
        if refused is not None:
            return refused
        moment = now()
        period = await run_in_threadpool(desk.open_month, moment)
        view = await run_in_threadpool(month_view, desk, period, moment)
        rows = board_rows(view)
        context = {
            "csrf": csrf(request),
            "period": period,
            "as_of_label": moment_label(view.as_of),
            "rows": [_board_row(r) for r in rows],
            "totals": _totals(rows),
            "reports": reports_of(desk.data, str(period)),
            "run": _run_view(run_state(desk.data), desk.data),
        }
        if _wants_json(request):
            return JSONResponse(
                {
                    "period": str(period),
                    "units": [
                        {"unit": r["unit"], "state": r["state"], "counts": r["counts"]}
                        for r in rows
                    ],
                }
            )
        return office_page("office_board.html", context)

    @router.get("/units/{unit}")
    async def unit_page(unit: str, request: Request) -> Response:
        refused = await allowed(request, write=False)
        if refused is not None:
            return refused
        moment = now()
        period = await run_in_threadpool(desk.open_month, moment)
        view = await run_in_threadpool(month_view, desk, period, moment)
        if unit not in view.units:
            return page("not_found.html", {"office": True}, 404)
        findings = [f for f in view.findings if f.unit == unit]
        context = {
            "csrf": csrf(request),
            "unit": unit,
            "period": period,
            "state": unit_state(unit, view.submissions),
            "as_of_label": moment_label(view.as_of),
            "findings": [_finding_view(f) for f in findings],
            "metrics": [f.metric_id for f in findings if f.metric_id],
            "submissions": [_submission_view(s) for s in view.submissions if s.unit == unit],
            "actions": [_action_view(a, zone) for a in view.actions if a.unit == unit],
            "done": request.query_params.get("done"),
            "link": request.query_params.get("link"),
        }
        context["state_label"] = UNIT_STATES[context["state"]]
        return office_page("office_unit.html", context)

    # -- review -----------------------------------------------------------------------------

    @router.post("/review")
    async def review_form(request: Request) -> Response:
        fields = await form(request)
        refused = await allowed(request, write=True, token=fields.get("csrf"))
        if refused is not None:
            return refused
        fields.pop("csrf", None)
        moment = now()
        period = await run_in_threadpool(desk.open_month, moment)
        fields.setdefault("period", str(period))
        try:
            action = await run_in_threadpool(take_review, desk, fields, moment, period)
        except ReviewRefused as e:
            return message("未能办理", str(e), 400, _unit_url(fields.get("unit", "")))
        return RedirectResponse(f"{_unit_url(action.unit)}?done={quote(action.label)}", 303)

    @router.post("/api/review")
    async def review_api(request: Request) -> Response:
        refused = await allowed(request, write=True)
        if refused is not None:
            return refused
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return JSONResponse({"detail": "请求不是有效的 JSON"}, status_code=400)
        moment = now()
        period = await run_in_threadpool(desk.open_month, moment)
        try:
            action = await run_in_threadpool(take_review, desk, body, moment, period)
        except ReviewRefused as e:
            return JSONResponse({"detail": str(e)}, status_code=400)
        return JSONResponse(action.to_json())

    @router.post("/rotate")
    async def rotate(request: Request) -> Response:
        fields = await form(request)
        refused = await allowed(request, write=True, token=fields.get("csrf"))
        if refused is not None:
            return refused
        moment = now()
        period = await run_in_threadpool(desk.open_month, moment)
        units = tuple(desk.audit(period, moment).assignments)
        unit = fields.get("unit", "")
        if unit not in units:
            return message("未能办理", f"未知的单位“{unit}”：不是牵头单位", 400, "/office")
        url = await run_in_threadpool(
            rotate_link, desk, unit, fields.get("reason", ""), moment, units
        )
        if _wants_json(request):
            return JSONResponse({"unit": unit, "url": url})
        return RedirectResponse(
            f"{_unit_url(unit)}?done={quote('更换链接')}&link={quote(url)}", 303
        )

    @router.get("/log")
    async def log(request: Request) -> Response:
        refused = await allowed(request, write=False)
        if refused is not None:
            return refused
        actions = await run_in_threadpool(review_actions, desk.ledger)
        if _wants_json(request):
            return JSONResponse([a.to_json() for a in actions])
        return office_page(
            "office_log.html",
            {"csrf": csrf(request), "actions": [_action_view(a, zone) for a in reversed(actions)]},
        )

    # -- run now ----------------------------------------------------------------------------

    @router.post("/run")
    async def run_now(request: Request) -> Response:
        fields = await form(request)
        refused = await allowed(request, write=True, token=fields.get("csrf"))
        if refused is not None:
            return refused
        moment = now()
        period = await run_in_threadpool(desk.open_month, moment)
        try:
            state = await run_in_threadpool(start_run, desk.data, period, moment)
        except RunBusy as e:
            state = {"state": "running", "message": str(e)}
        if _wants_json(request):
            return JSONResponse(_run_view(state, desk.data), status_code=202)
        return RedirectResponse("/office#run", status_code=303)

    @router.get("/run")
    async def run_status(request: Request) -> Response:
        refused = await allowed(request, write=False)
        if refused is not None:
            return refused
        return JSONResponse(_run_view(run_state(desk.data), desk.data))

    @router.get("/reports/{period}/{name}")
    async def report(period: str, name: str, request: Request) -> Response:
        refused = await allowed(request, write=False)
        if refused is not None:
            return refused
        try:
            month = str(Period.parse(period))
        except ValueError:
            return page("not_found.html", {}, 404)
        found = {r["name"] for r in reports_of(desk.data, month)}
        if name not in found:
            return page("not_found.html", {}, 404)
        path = Path(desk.data) / "reports" / month / name
        inline = name.endswith((".html", ".json"))
        response = FileResponse(
            path,
            filename=f"{month}-{name}",
            content_disposition_type="inline" if inline else "attachment",
        )
        if name.endswith(".html"):
            # The engine's own offline pages, with their inline style and sorting script; in a
            # sandbox (an origin of their own), so they can never act with the office's session.
            response.headers["Content-Security-Policy"] = REPORT_POLICY
        return response

    return router


# -- views ----------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _set_cookie(response: Response, name: str, value: str, path: str) -> None:
    response.set_cookie(
        name, value, path=path, httponly=True, samesite="strict", max_age=auth.SESSION_SECONDS
    )


def _unit_url(unit: str) -> str:
    return f"/office/units/{quote(unit)}"


def _board_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "url": _unit_url(r["unit"]),
        "last_label": moment_label(r["last"]) if r["last"] else "",
        "files": [_submission_view(s) for s in r["submissions"]],
        "counts_label": "，".join(f"{k} {v}" for k, v in r["counts"].items()),
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["state_label"]] = totals.get(r["state_label"], 0) + 1
    return totals


def _submission_view(s: Any) -> dict[str, Any]:
    return {
        "file": s.file.rsplit("/", 1)[-1],
        "sha256": s.sha256,
        "status": s.status,
        "status_label": SUBMISSION_STATUS_LABELS.get(s.status, s.status),
        "received_label": moment_label(s.received_at),
        "errors": sum(p.severity == "error" and p.code not in REVIEWED for p in s.problems)
        + sum(p.severity == "error" for r in s.rows for p in r.problems),
        "notes": [p.message for p in s.problems if p.code in REVIEWED],
    }


def _finding_view(f: Any) -> dict[str, Any]:
    uom = f.unit_of_measure
    return {
        "task_id": f.task_id,
        "metric_id": f.metric_id or "",
        "name": f.name,
        "status": f.status,
        "status_label": f.status_label,
        "target": figure_label(f.target, missing=""),
        "actual": reviewed_label(f.actual, f.reported, uom, corrected=f.review is not None),
        "expected": figure_label(f.expected, missing=""),
        "uom": uom,
        "ratio": percent_label(f.ratio),
        "reasons": "；".join(f.reasons),
    }


def _action_view(a: Any, zone: ZoneInfo) -> dict[str, Any]:
    what = ""
    if a.action == "correct":
        what = f"{a.metric_id} 审核值 {figure_label(a.value)}"
    elif a.sha256:
        what = f"文件 {a.sha256[:12]}…"
    return {
        "unit": a.unit,
        "period": a.period,
        "action": a.action,
        "label": REVIEW_ACTION_LABELS.get(a.action, a.action),
        "reason": a.reason,
        "at_label": moment_label(a.at.astimezone(zone)),
        "what": what,
    }


def _run_view(state: dict[str, Any], data: Path) -> dict[str, Any]:
    labels = {
        "idle": "尚未运行",
        "running": "正在督查……",
        "done": "督查完成",
        "failed": "督查未能完成",
    }
    view = {k: v for k, v in state.items() if k != "pid"}
    for key in ("started", "ended"):
        if state.get(key):
            view[f"{key}_label"] = moment_label(datetime.fromisoformat(state[key]))
    view["label"] = labels.get(state.get("state", "idle"), "")
    period = state.get("period")
    view["reports"] = (
        [{**r, "url": f"/office/reports/{period}/{r['name']}"} for r in reports_of(data, period)]
        if period and state.get("state") == "done"
        else []
    )
    return view
