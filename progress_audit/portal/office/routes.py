"""The office's routes (督查室), each a few lines over `board`, `running` and `accounts`:

    GET  /office/login, POST /office/login, POST /office/logout
    GET  /office                       the board for the open month (?state=…&sort=…)
    GET  /office/units/<unit>          a unit's figures, files and review forms
    POST /office/review                a review action from a form (then back to the unit)
    POST /office/api/review            the same as JSON (contract section 8)
    POST /office/rotate                a new link for a unit, shown once in the reply
    GET  /office/log                   every review action, with its time, reason and person
    GET  /office/plans/<unit>          a unit's node plan, its extensions and the forms to decide
    POST /office/run, GET /office/run  run the month's audit now; its state (JSON)
    GET  /office/reports/<period>/<name>  the month's reports

People sign in with their name (a session kept in the ledger's database, its cookie HttpOnly,
SameSite=Strict and Secure over https, a CSRF token in every form); programs use HTTP Basic
with the same name and password.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict

from progress_audit.intake.plans import PlanRefused
from progress_audit.intake.receive import not_taken_in
from progress_audit.intake.reviews import ReviewRefused, review_actions
from progress_audit.model.period import Period, PeriodError
from progress_audit.portal import planning
from progress_audit.portal.deps import CalendarDep, DeskDep, JsonDep, NowDep, OpenMonthDep
from progress_audit.portal.office import accounts, auth, views
from progress_audit.portal.office.board import (
    month_view,
    out_of_date,
    rotate_link,
    take_review,
)
from progress_audit.portal.office.gate import (
    LOCKED,
    ClerkDep,
    WriterDep,
    clerk_of,
    message,
    require_office,
    set_cookie,
)
from progress_audit.portal.office.running import (
    RunBusy,
    reports_of,
    run_ended,
    start_run,
)
from progress_audit.portal.web import Answer, not_found, page

REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; sandbox allow-scripts"
)

signing_in = APIRouter(prefix="/office", dependencies=[Depends(require_office)])
office = APIRouter(prefix="/office", dependencies=[Depends(clerk_of)])


class ReviewRequest(BaseModel):
    """A review action (contract section 8); `check_action` checks its words and says what is
    wrong in Chinese. A body that is not such an object is refused before our code runs."""

    model_config = ConfigDict(extra="ignore")

    unit: str = ""
    period: str | None = None
    action: str = ""
    reason: str = ""
    metric_id: str | None = None
    value: float | str | None = None
    sha256: str | None = None
    year: int | str | None = None
    task_id: str | None = None
    node: int | str | None = None
    new_month: str | None = None


class LoginForm(BaseModel):
    name: str = accounts.SHARED_ACCOUNT
    password: str = ""
    csrf: str = ""


class RotateForm(BaseModel):
    unit: str
    reason: str = ""


class Board(BaseModel):
    """How the board shows the units: those in one state (a key of UNIT_STATES), sorted."""

    state: str = ""
    sort: Literal["table", "state", "unit"] = "table"


# -- signing in ---------------------------------------------------------------------------------


@signing_in.get("/login")
def login_page(request: Request) -> Response:
    return login_reply(request, None, 200)


@signing_in.post("/login")
def login(
    request: Request, form: Annotated[LoginForm, Form()], desk: DeskDep, now: NowDep
) -> Response:
    expected = request.cookies.get(auth.LOGIN_COOKIE)
    if not expected or not secrets.compare_digest(form.csrf, expected):
        raise Answer(message("请求已过期", "登录表单已过期，请重新打开登录页面。", 403))
    office_hash = request.app.state.office_hash
    verdict = accounts.sign_in(desk.ledger, form.name, form.password, office_hash, now)
    if verdict == "locked":
        return message("暂停登录", LOCKED, 429)
    if verdict == "wrong":
        return login_reply(request, "账号或密码错误", 401)
    response = RedirectResponse("/office", status_code=303)
    token = accounts.open_session(desk.ledger, form.name.strip(), now)
    set_cookie(request, response, auth.COOKIE, token, "/office")
    response.delete_cookie(auth.LOGIN_COOKIE, path="/office/login")
    return response


@office.post("/logout")
def logout(request: Request, clerk: WriterDep, desk: DeskDep) -> Response:
    accounts.close_session(desk.ledger, request.cookies.get(auth.COOKIE))
    response = RedirectResponse("/office/login", status_code=303)
    response.delete_cookie(auth.COOKIE, path="/office")
    return response


def login_reply(request: Request, error: str | None, status: int) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = page("office_login.html", {"csrf": None, "nonce": nonce, "error": error}, status)
    set_cookie(request, response, auth.LOGIN_COOKIE, nonce, "/office/login")
    return response


# -- the board ------------------------------------------------------------------------------------


@office.get("")
def board(
    clerk: ClerkDep,
    desk: DeskDep,
    now: NowDep,
    period: OpenMonthDep,
    calendar: CalendarDep,
    shown: Annotated[Board, Depends()],
    json: JsonDep,
) -> Response:
    view = month_view(desk, period, now)
    if json:
        units = [{"unit": r["unit"], "state": r["state"], "counts": r["counts"]} for r in view.rows]
        return JSONResponse({"period": str(period), "units": units})
    stale = out_of_date(desk, period)
    context = views.board_page(view, calendar, shown.state, shown.sort, stale, desk.data)
    context |= planning.plans_board(desk, now, calendar)
    context["waiting"] = not_taken_in(desk.workspace.raw, desk.ledger)
    return page("office_board.html", {**context, "csrf": clerk.csrf, "clerk": clerk.name})


@office.get("/units/{unit}")
def unit_page(
    unit: str,
    clerk: ClerkDep,
    desk: DeskDep,
    now: NowDep,
    period: OpenMonthDep,
    calendar: CalendarDep,
    done: str | None = None,
) -> Response:
    view = month_view(desk, period, now)
    if unit not in view.units:
        return not_found(office=True)
    context = views.unit_page(view, unit, calendar, done if done in DONE_WORDS else None)
    if planning.leads_milestones(desk, unit, now):
        context["plan_url"] = planning.plan_url(unit)
    return page("office_unit.html", {**context, "csrf": clerk.csrf, "clerk": clerk.name})


@office.get("/plans/{unit}")
def plan_page(
    unit: str,
    clerk: ClerkDep,
    desk: DeskDep,
    now: NowDep,
    calendar: CalendarDep,
    done: str | None = None,
) -> Response:
    if not planning.leads_milestones(desk, unit, now):
        return not_found(office=True)
    context = planning.plan_page(desk, unit, now, calendar)
    context["done"] = done if done in planning.DONE_WORDS else None
    return page("office_plan.html", {**context, "csrf": clerk.csrf, "clerk": clerk.name})


DONE_WORDS = {"退回", "核定审核值", "确认采用", "撤下文件"}

"""What `?done=` may say after an action: one of these words, never text from the URL."""


# -- review ---------------------------------------------------------------------------------------


@office.post("/review")
def review_form(
    form: Annotated[ReviewRequest, Form()],
    clerk: WriterDep,
    desk: DeskDep,
    now: NowDep,
    period: OpenMonthDep,
) -> Response:
    if form.action in planning.PLAN_ACTIONS:
        try:
            done = planning.decide(desk, form.model_dump(), now, period, clerk.name)
        except PlanRefused as e:
            return message("未能办理", str(e), 400, planning.plan_url(form.unit))
        return RedirectResponse(f"{planning.plan_url(done.unit)}?done={quote(done.label)}", 303)
    asked = form.model_copy(update={"period": form.period or str(period)})
    try:
        action = take_review(desk, asked.model_dump(), now, period, clerk.name)
    except ReviewRefused as e:
        return message("未能办理", str(e), 400, views.unit_url(form.unit))
    return RedirectResponse(f"{views.unit_url(action.unit)}?done={quote(action.label)}", 303)


@office.post("/api/review")
def review_api(
    asked: ReviewRequest, clerk: WriterDep, desk: DeskDep, now: NowDep, period: OpenMonthDep
) -> Response:
    if asked.action in planning.PLAN_ACTIONS:
        try:
            done = planning.decide(desk, asked.model_dump(), now, period, clerk.name)
        except PlanRefused as e:
            return JSONResponse({"detail": str(e)}, status_code=400)
        return JSONResponse(done.to_json())
    try:
        action = take_review(desk, asked.model_dump(), now, period, clerk.name)
    except ReviewRefused as e:
        return JSONResponse({"detail": str(e)}, status_code=400)
    return JSONResponse(action.to_json())


@office.post("/rotate")
def rotate(
    request: Request,
    form: Annotated[RotateForm, Form()],
    clerk: WriterDep,
    desk: DeskDep,
    now: NowDep,
    period: OpenMonthDep,
    json: JsonDep,
) -> Response:
    if form.unit not in desk.audit(period, now).assignments:
        return message("未能办理", f"未知的单位“{form.unit}”：不是牵头单位", 400, "/office")
    base = str(request.base_url)
    url = rotate_link(desk, form.unit, form.reason, now, base, clerk.name)
    if json:
        return JSONResponse({"unit": form.unit, "url": url})
    # Shown once, in this reply: a link never travels in a URL (history, proxies' logs).
    text = f"{form.unit}的新报送链接（旧链接已失效，请只发给该单位，本页关闭后不再显示）："
    context = {"title": "已更换链接", "message": text, "link": url, "office": True}
    context |= {"back": views.unit_url(form.unit), "csrf": clerk.csrf}
    return page("office_message.html", context)


@office.get("/log")
def log(
    clerk: ClerkDep, desk: DeskDep, now: NowDep, calendar: CalendarDep, json: JsonDep
) -> Response:
    actions = review_actions(desk.ledger)
    if json:
        return JSONResponse([a.to_json() for a in actions])
    shown = [(a.at, views.action_view(a, calendar)) for a in actions]
    shown += [(p["at"], p) for p in planning.plan_log(desk, now, calendar)]
    shown = [v for _, v in sorted(shown[::-1], key=lambda pair: pair[0], reverse=True)]
    context = {"csrf": clerk.csrf, "clerk": clerk.name, "zone_label": calendar.zone_label}
    return page("office_log.html", {**context, "actions": shown})


# -- run now --------------------------------------------------------------------------------------


@office.post("/run")
def run_now(
    clerk: WriterDep,
    desk: DeskDep,
    now: NowDep,
    period: OpenMonthDep,
    calendar: CalendarDep,
    json: JsonDep,
) -> Response:
    try:
        state = start_run(desk.data, period, now)
    except RunBusy as e:
        state = {"state": "running", "message": str(e)}
    if json:
        return JSONResponse(views.run_view(state, desk.data, calendar), status_code=202)
    return RedirectResponse("/office#run", status_code=303)


@office.get("/run")
async def run_status(
    desk: DeskDep, calendar: CalendarDep, wait: Annotated[float, Query(ge=0, le=60)] = 0
) -> Response:
    """The run's state; with `wait`, held until the run ends or `wait` seconds pass."""
    return JSONResponse(views.run_view(await run_ended(desk.data, wait), desk.data, calendar))


@office.get("/reports/{period}/{name}")
def report(period: str, name: str, desk: DeskDep) -> Response:
    try:
        month = str(Period.parse(period))
    except PeriodError:
        return not_found(office=True)
    if name not in {r["name"] for r in reports_of(desk.data, month)}:
        return not_found(office=True)
    inline = name.endswith((".html", ".json"))
    response = FileResponse(
        Path(desk.data) / "reports" / month / name,
        filename=f"{month}-{name}",
        content_disposition_type="inline" if inline else "attachment",
    )
    if name.endswith(".html"):
        # The engine's own offline pages, with their inline style and sorting script; in a
        # sandbox (an origin of their own), so they can never act with the office's session.
        response.headers["Content-Security-Policy"] = REPORT_POLICY
    return response
