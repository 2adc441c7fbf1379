"""The portal's dependencies (门户的依赖项), each named once as an `Annotated` alias: the desk,
the clock, the unit a link's token opens, and whether the caller wants JSON.

Those that only look at the app's state are coroutines: FastAPI runs a plain function in a worker
thread, and handing it over costs more than the look itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from progress_audit.model.period import Calendar, Period
from progress_audit.portal.desk import Desk
from progress_audit.portal.web import Answer, not_found, wants_json


async def desk_of(request: Request) -> Desk:
    return request.app.state.desk


async def now_of(request: Request) -> datetime:
    return request.app.state.now()


DeskDep = Annotated[Desk, Depends(desk_of)]
NowDep = Annotated[datetime, Depends(now_of)]
"""The moment the request is served (the tests fix the clock)."""


async def calendar_of(desk: DeskDep) -> Calendar:
    return desk.calendar


CalendarDep = Annotated[Calendar, Depends(calendar_of)]


async def open_month_of(desk: DeskDep, now: NowDep) -> Period:
    return await run_in_threadpool(desk.open_month, now)


OpenMonthDep = Annotated[Period, Depends(open_month_of)]


async def unit_from_token(token: str, desk: DeskDep) -> str:
    """The unit a link's token opens; a wrong, tampered or rotated token gets the same 404 as
    a path that does not exist, and changes nothing."""
    unit = await run_in_threadpool(desk.unit, token)
    if unit is None:
        raise Answer(not_found())
    return unit


UnitDep = Annotated[str, Depends(unit_from_token)]


async def json_wanted(request: Request) -> bool:
    return wants_json(request)


JsonDep = Annotated[bool, Depends(json_wanted)]
