"""The units' routes (各单位的报送页面), each a few lines over `Desk`:

    GET  /u/<token>                   the unit's page
    GET  /u/<token>/template          this month's workbook, last month's figures beside
    POST /u/<token>/upload            multipart `file` → the receipt (JSON or a page)
    GET  /u/<token>/receipts/<sha256> a receipt as it stands (`?wait=N`: once checked)
    GET  /u/<token>/plan-template     the unit's node-plan workbook (节点计划表)
    POST /u/<token>/extension         JSON (or the page's form) → an extension request

An upload whose workbook has a `节点计划` sheet is the unit's node plan, with a receipt of its own.

A wrong, tampered or rotated token gets the same 404 page as a path that does not exist
(`UnitDep`), and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from progress_audit.intake.plan_reading import is_plan_workbook
from progress_audit.intake.plans import PlanReceipt, PlanRefused
from progress_audit.intake.reviews import review_actions
from progress_audit.model.period import Calendar, Period
from progress_audit.model.receipts import Receipt
from progress_audit.model.wording import deadline_label, moment_label
from progress_audit.portal import planning
from progress_audit.portal.checks_watch import WAIT_SECONDS
from progress_audit.portal.deps import CalendarDep, DeskDep, NowDep, UnitDep
from progress_audit.portal.desk import Desk
from progress_audit.portal.uploading import BadUpload, Incoming, TooLarge, receive_file, too_long
from progress_audit.portal.web import Answer, not_found, page, refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# One upload taken in at a time per process: in a rush, twenty readings side by side fight
# for the interpreter and use about 1.7 times the CPU, and none is answered before the last.
TAKING = anyio.CapacityLimiter(1)

units = APIRouter(prefix="/u/{token}")


async def fits(request: Request, desk: DeskDep) -> None:
    """Refused (413) before any of the body is read: a link's owner learns only the limit."""
    if too_long(request.headers.get("content-length"), desk.settings.max_workbook_bytes):
        raise Answer(too_large(request, desk.settings.max_workbook_bytes))


FitsDep = Annotated[None, Depends(fits)]


@units.get("")
async def unit_page(
    token: str, unit: UnitDep, desk: DeskDep, now: NowDep, asked: str | None = None
) -> Response:
    view = await run_in_threadpool(unit_view, desk, unit, now)
    return page("unit.html", {**view, "token": token, "asked": asked == "1"})


@units.get("/template")
async def template(unit: UnitDep, desk: DeskDep, now: NowDep) -> Response:
    name, body = await run_in_threadpool(desk.template, unit, now)
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})


@units.post("/upload")
async def upload(
    request: Request, token: str, _: FitsDep, unit: UnitDep, desk: DeskDep, calendar: CalendarDep
) -> Response:
    incoming = await received_file(request, desk, token)
    received_at = request.app.state.now()  # the upload completed
    try:
        taken = await anyio.to_thread.run_sync(
            _take, desk, unit, incoming, received_at, limiter=TAKING
        )
    except PlanRefused as e:
        return refusal(request, 400, str(e), office=False)
    if isinstance(taken, PlanReceipt):
        return plan_receipt_reply(request, taken, token, calendar)
    # Only where there is somewhere to send it: a background task is a worker thread's turn.
    mail = BackgroundTask(desk.mail_receipt, taken, token) if desk.mails_to(taken.unit) else None
    return receipt_reply(request, taken, token, calendar, mail)


def _take(
    desk: Desk, unit: str, incoming: Incoming, received_at: datetime
) -> Receipt | PlanReceipt:
    """A node plan (told by its sheet) or a month's workbook taken in, in one worker thread."""
    if is_plan_workbook(incoming.path):
        return planning.take_plan(desk, unit, incoming, received_at)
    return desk.take(unit, incoming, received_at)


@units.get("/plan-template")
async def plan_template(unit: UnitDep, desk: DeskDep, now: NowDep) -> Response:
    made = await run_in_threadpool(planning.plan_template, desk, unit, now)
    if made is None:
        return not_found()
    name, body = made
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})


@units.post("/extension")
async def extension(request: Request, token: str, unit: UnitDep, desk: DeskDep) -> Response:
    """A unit asks to move a node of its approved plan: JSON `{"task_id", "node", "new_month",
    "reason"}`, or the page's form (its `which` is `task#node`)."""
    asked = await extension_body(request)
    at = request.app.state.now()
    try:
        action = await run_in_threadpool(planning.ask_extension, desk, unit, asked, at)
    except PlanRefused as e:
        if asked.get("_form"):
            context = {"title": "未能申请延期", "message": str(e), "token": token}
            return page("message.html", context, 400)
        return JSONResponse({"detail": str(e)}, status_code=400)
    if asked.get("_form"):
        return RedirectResponse(f"/u/{token}?asked=1#plan", status_code=303)
    return JSONResponse(action.to_json())


@units.get("/receipts/{sha256}")
async def receipt(
    request: Request,
    token: str,
    sha256: str,
    unit: UnitDep,
    desk: DeskDep,
    calendar: CalendarDep,
    wait: Annotated[float, Query(ge=0, le=WAIT_SECONDS)] = 0,
) -> Response:
    """The receipt as it stands; with `wait`, held until its checks are done (at most `wait` s)."""
    sha256 = sha256.lower()
    found = await run_in_threadpool(desk.receipt, unit, sha256)
    if found is None:
        return not_found()
    if wait and found.checking:
        await request.app.state.checks_watch.until_checked(unit, sha256, wait)
        found = await run_in_threadpool(desk.receipt, unit, sha256) or found
    return receipt_reply(request, found, token, calendar)


# -- what the routes give back ----------------------------------------------------------------


async def received_file(request: Request, desk: Desk, token: str) -> Incoming:
    """The upload's file, streamed to the workspace; 413 or 400 (with the reason) else."""
    limit = desk.settings.max_workbook_bytes
    content_type = request.headers.get("content-type")
    try:
        return await receive_file(content_type, request.stream(), limit, desk.temporary)
    except TooLarge:
        raise Answer(too_large(request, limit)) from None
    except BadUpload as e:
        if "application/json" in request.headers.get("accept", ""):
            raise Answer(JSONResponse({"detail": str(e)}, status_code=400)) from None
        context = {"title": "上传有误", "message": str(e), "token": token}
        raise Answer(page("message.html", context, 400)) from None


def receipt_reply(
    request: Request,
    receipt: Receipt,
    token: str,
    calendar: Calendar,
    background: BackgroundTask | None = None,
) -> Response:
    """The receipt as JSON (`Accept: application/json`) or as its page."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(receipt.as_dict(), background=background)
    context = {"unit": receipt.unit, "token": token, "receipt": receipt}
    context |= {"tz": calendar.timezone, "zone_label": calendar.zone_label}
    response = page("receipt.html", context)
    response.background = background
    return response


async def extension_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or the page's form as one (marked `_form`); 400 in Chinese
    for anything else."""
    wrong = '请求内容有误：应为 JSON 对象 {"task_id", "node", "new_month", "reason"}'
    if "form" in request.headers.get("content-type", ""):
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        task_id, _, node = fields.get("which", "").partition("#")
        return {**fields, "task_id": task_id, "node": node, "_form": True}
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Answer(JSONResponse({"detail": wrong}, status_code=400))
    body.pop("_form", None)
    return body


def plan_receipt_reply(
    request: Request, receipt: PlanReceipt, token: str, calendar: Calendar
) -> Response:
    """A plan's receipt as JSON (`Accept: application/json`) or as its page."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(receipt.to_json())
    context = {"unit": receipt.plan.unit, "token": token, "zone_label": calendar.zone_label}
    return page("plan_receipt.html", {**context, "r": planning.receipt_view(receipt, calendar)})


def too_large(request: Request, limit: int) -> Response:
    message = (
        f"文件超过 {limit // (1024 * 1024)} MB 的上限，未予接收。"
        "填好的填报表通常不到 1 MB，请检查是否选错了文件"
    )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=413, headers={"Connection": "close"})
    return page("message.html", {"title": "文件过大", "message": message}, 413)


def unit_view(desk: Desk, unit: str, moment: datetime) -> dict[str, Any]:
    """What the unit's page shows: the open month, its deadline, the unit's receipts, every
    return not yet answered by a new file (of any month), tasks and last month's feedback."""
    calendar = desk.calendar
    period = desk.open_month(moment)
    due = calendar.due(period)
    receipts = desk.receipts(unit)
    return {
        "unit": unit,
        "tz": calendar.timezone,
        "zone_label": calendar.zone_label,
        "period": period,
        "due_label": deadline_label(due),
        "due_iso": due.isoformat(),
        "now_iso": calendar.local(moment).isoformat(timespec="seconds"),
        "past_due": moment > due,
        "lines": desk.audit(period, moment).assignments.get(unit, ()),
        "receipts": receipts,
        "returns": returns_view(desk, unit, receipts, calendar),
        "feedback": desk.last_feedback(unit, period),
        "limit_mb": desk.settings.max_workbook_bytes // (1024 * 1024),
        "plan": planning.unit_plan(desk, unit, moment),
    }


def returns_view(
    desk: Desk, unit: str, receipts: list[Receipt], calendar: Calendar
) -> list[dict[str, Any]]:
    """The office's returns of the unit's files, newest first; `open` until the unit has sent
    a new file for that month (then the page no longer calls for one)."""
    result = []
    for a in reversed(review_actions(desk.ledger, unit=unit)):
        if a.action != "return":
            continue
        answered = any(
            r.period == a.period and r.sha256 != a.sha256 and r.received_at > a.at for r in receipts
        )
        result.append(
            {
                "period_label": Period.parse(a.period).label,
                "at": moment_label(calendar.local(a.at)),
                "reason": a.reason,
                "open": not answered,
            }
        )
    return result
