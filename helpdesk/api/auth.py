"""Staff login/logout (session cookie + CSRF token) and personal API tokens."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from helpdesk import security
from helpdesk.api.deps import CSRF_COOKIE, SESSION_COOKIE, AnyStaffDep, CookieDep, ServicesDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.api.models import (
    LoginRequest,
    LoginResult,
    PasswordChange,
    StaffInfo,
    TokenCreate,
    TokenCreated,
    TokenInfo,
    TokenList,
)
from helpdesk.api.services import Services
from helpdesk.errors import LoginThrottled, Unauthenticated
from helpdesk.principals import StaffPrincipal
from helpdesk.store import accounts, audit

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


def _info(member: StaffPrincipal) -> StaffInfo:
    return StaffInfo(
        login=member.login, display_name=member.display_name, role=member.role, site_ids=sorted(member.site_ids)
    )


def _check_password(svc: Services, login: str, password: str) -> accounts.StaffAccount | None:
    account = accounts.find_login(svc.db, login)
    ok = security.verify_password(account.password_hash if account else None, password)
    return account if ok and account and not account.disabled else None


@router.post("/login", response_model=LoginResult)
async def login(
    body: LoginRequest, request: Request, response: Response, svc: ServicesDep, old: CookieDep
) -> LoginResult:
    """Log in: sets an HttpOnly SameSite session cookie (a new one every time) and returns a CSRF token."""
    keys = (f"login:{body.login.lower()}", f"addr:{request.client.host if request.client else '-'}")
    limits = {keys[0]: svc.settings.login_max_failures, keys[1]: svc.settings.login_address_max_failures}
    wait = await svc.run(svc.login_throttle.wait_s, limits)  # on PostgreSQL shared by every process
    if wait > 0:
        minutes = math.ceil(wait / 60)
        raise LoginThrottled(
            f"too many failed logins; try again in {minutes} minute{'s' if minutes > 1 else ''}",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    account = await svc.run(_check_password, svc, body.login, body.password)
    if account is None:
        await svc.run(svc.login_throttle.failed, *keys)
        raise Unauthenticated("wrong login or password")
    await svc.run(svc.login_throttle.succeeded, keys[0])
    if old:
        await svc.run(accounts.end_session, svc.db, session_hash=security.digest(old))
    max_age = svc.settings.session_max_age_s
    token, csrf = await svc.run(accounts.start_session, svc.db, staff_id=account.id, max_age_s=max_age)
    member = await svc.run(accounts.staff_by_session, svc.db, token)
    await svc.run(_audit, svc, member, "login")
    secure = svc.settings.cookie_secure
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="strict", secure=secure)
    response.headers["Cache-Control"] = "no-store"
    return LoginResult(staff=_info(member), csrf_token=csrf)


@router.post("/password", status_code=204, response_class=Response)
async def change_password(body: PasswordChange, member: AnyStaffDep, svc: ServicesDep) -> Response:
    """Replace your own password (needed once after an administrator reset it); your other sessions end."""
    ended = await svc.run(
        lambda: accounts.change_password(
            svc.db,
            staff_id=member.id,
            current=body.current_password,
            new=body.new_password,
            keep_session=member.session_hash,
        )
    )
    await svc.bus.committed([ended])
    await svc.run(_audit, svc, member, "change-password")
    return Response(status_code=204)


def _audit(svc: Services, member: StaffPrincipal, action: str) -> None:
    with svc.db.write() as conn:
        audit.record(conn, member, action)


@router.post("/logout", status_code=204, response_class=Response)
async def logout(member: AnyStaffDep, svc: ServicesDep, response: Response) -> Response:
    """End the session (the cookie stops working at once)."""
    if member.session_hash:
        await svc.run(accounts.end_session, svc.db, session_hash=member.session_hash)
        await svc.run(_audit, svc, member, "logout")
    response.status_code = 204
    secure = svc.settings.cookie_secure  # a deletion carries the flags of the cookie it replaces
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=secure)
    response.delete_cookie(CSRF_COOKIE, httponly=False, samesite="strict", secure=secure)
    return response


@router.get("/me", response_model=StaffInfo)
async def me(member: AnyStaffDep) -> StaffInfo:
    """Who is logged in."""
    return _info(member)


@router.post("/tokens", status_code=201, response_model=TokenCreated)
async def create_token(body: TokenCreate, member: AnyStaffDep, svc: ServicesDep) -> TokenCreated:
    """A personal API token for scripts; the secret is shown only in this answer."""
    token_id, token = await svc.run(accounts.create_api_token, svc.db, staff_id=member.id, name=body.name)
    tokens = await svc.run(accounts.list_api_tokens, svc.db, staff_id=member.id)
    created = next(t for t in tokens if t["id"] == token_id)
    return TokenCreated(**created, token=token)


@router.get("/tokens", response_model=TokenList)
async def list_tokens(member: AnyStaffDep, svc: ServicesDep) -> TokenList:
    """Your live API tokens (names and dates, never secrets)."""
    tokens = await svc.run(accounts.list_api_tokens, svc.db, staff_id=member.id)
    return TokenList(tokens=[TokenInfo(**t) for t in tokens])


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
async def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**62)], member: AnyStaffDep, svc: ServicesDep
) -> Response:
    """Revoke one of your API tokens."""
    await svc.run(accounts.revoke_api_token, svc.db, staff_id=member.id, token_id=token_id)
    return Response(status_code=204)
