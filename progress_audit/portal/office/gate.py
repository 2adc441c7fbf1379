"""Who may pass into the office's pages (督查室门禁), as dependencies: the person from the
session cookie or from HTTP Basic (`ClerkDep`), and that person with the form's CSRF token
checked (`WriterDep`, for every POST). Without any office account every office path answers
503 with the reason.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from progress_audit.portal.deps import DeskDep, NowDep
from progress_audit.portal.office import accounts, auth
from progress_audit.portal.office.accounts import Clerk
from progress_audit.portal.web import Answer, page, refusal, wants_json

NO_ACCOUNT = (
    "督查室页面未启用：没有设置督查室密码，也没有督查室账号。请在 progress-audit.toml 中设置 "
    "office_password，或设置环境变量 PROGRESS_AUDIT_OFFICE_PASSWORD，或用 progress-audit portal "
    "users add 姓名 添加账号，然后重新启动门户。各单位的报送页面不受影响。"
)
EXPIRED = "表单已过期或来源不明（缺少 CSRF 令牌），请回到看板重新操作。"
LOCKED = (
    f"登录失败次数过多，该账号已暂停登录 {accounts.LOCK_SECONDS // 60} 分钟。"
    "如忘记密码，请联系系统管理员。"
)


def message(title: str, text: str, status: int, back: str | None = None) -> Response:
    context = {"title": title, "message": text, "back": back, "office": True}
    return page("office_message.html", context, status)


def shared_hash(request: Request) -> str | None:
    """The scrypt hash of the `office_password` setting (the account `office`), made once per
    process."""
    return request.app.state.office_hash


async def require_office(request: Request, desk: DeskDep) -> None:
    """503 with the reason while the office has no account at all."""
    opened = await run_in_threadpool(accounts.any_account, desk.ledger, shared_hash(request))
    if not opened:
        raise Answer(message("督查室页面未启用", NO_ACCOUNT, 503))


async def clerk_of(request: Request, desk: DeskDep, now: NowDep) -> Clerk:
    """The person asking: by HTTP Basic (name and password, every request), else by the
    session cookie; else 401 (a program) or the login page (a person)."""
    await require_office(request, desk)
    credentials = auth.basic_credentials(request.headers.get("authorization"))
    if request.headers.get("authorization") is not None:
        name, password = credentials or ("", "")
        verdict = await run_in_threadpool(
            accounts.sign_in, desk.ledger, name, password, shared_hash(request), now
        )
        if verdict == "locked":
            raise Answer(JSONResponse({"detail": LOCKED}, status_code=429))
        if verdict == "wrong":
            raise Answer(
                JSONResponse(
                    {"detail": "督查室账号或密码错误"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="office", charset="UTF-8"'},
                )
            )
        return Clerk(name.strip())
    cookie = request.cookies.get(auth.COOKIE)
    clerk = await run_in_threadpool(accounts.session_clerk, desk.ledger, cookie, now)
    if clerk is None:
        if request.method != "GET" or wants_json(request):
            raise Answer(JSONResponse({"detail": "请先登录督查室页面"}, status_code=401))
        raise Answer(RedirectResponse("/office/login", status_code=303))
    return clerk


ClerkDep = Annotated[Clerk, Depends(clerk_of)]


async def writer_of(request: Request, clerk: ClerkDep) -> Clerk:
    """The person, with the CSRF token of their session checked (a form's `csrf` field or the
    `X-CSRF-Token` header); HTTP Basic needs none (no cookie)."""
    if clerk.csrf is None:
        return clerk
    given = request.headers.get("x-csrf-token")
    if given is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()  # kept by Starlette: the route's own form reads it again
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, clerk.csrf):
        raise Answer(refusal(request, 403, EXPIRED, office=True))
    return clerk


WriterDep = Annotated[Clerk, Depends(writer_of)]


def secure_cookies(request: Request) -> bool:
    """Whether the portal is reached over https: directly, or through a proxy the settings
    name (`portal_proxies`; uvicorn then takes the scheme from X-Forwarded-Proto)."""
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, path: str) -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=accounts.SESSION_SECONDS,
    )
