"""Request dependencies: who is calling (kiosk key, staff session cookie, API token), CSRF, rate limit."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from helpdesk import security
from helpdesk.api.services import Services
from helpdesk.errors import (
    CsrfFailed,
    DatabaseUnavailable,
    Forbidden,
    PasswordChangeRequired,
    RateLimited,
    Unauthenticated,
)
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.store import accounts

SESSION_COOKIE = "yorisoi_session"
CSRF_COOKIE = "yorisoi_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WHILE_PASSWORD_CHANGE_REQUIRED = frozenset({"/api/v1/auth/password", "/api/v1/auth/logout", "/api/v1/auth/me"})
"""What a session may call before its member replaced the password an administrator reset."""

bearer = HTTPBearer(auto_error=False, description="Kiosk key (yk_…) or staff API token (yt_…)")
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Staff console session")


async def services(request: Request) -> Services:
    """The process's shared services."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
CookieDep = Annotated[str | None, Depends(session_cookie)]


async def any_caller(
    request: Request, svc: ServicesDep, credentials: BearerDep, cookie: CookieDep
) -> KioskPrincipal | StaffPrincipal:
    """The authenticated kiosk or staff member (401 otherwise)."""
    if credentials is not None:
        token = credentials.credentials
        if token.startswith(security.KIOSK_KEY_PREFIX):
            kiosk = svc.kiosk_keys.remembered(token)
            if kiosk is False:  # not checked recently: ask the database (off the event loop)
                kiosk = await svc.run(svc.kiosk_keys.lookup, token)
            if kiosk is None:
                raise Unauthenticated("unknown or revoked kiosk key")
            rate_limit(svc, kiosk)
            return kiosk
        if token.startswith(security.API_TOKEN_PREFIX):
            member = await svc.run(accounts.staff_by_token, svc.db, token)
            if member is None:
                raise Unauthenticated("unknown or revoked API token")
            return member
        raise Unauthenticated("unknown credentials")
    if cookie:
        member = await svc.run(
            lambda: accounts.staff_by_session(
                svc.db, cookie, idle_s=svc.settings.session_idle_s, touch=not getattr(request.state, "recheck", False)
            )
        )
        if member is None:
            raise Unauthenticated("the session has ended; log in again")
        await _check_csrf(request, member)
        if member.password_change_required and request.url.path not in WHILE_PASSWORD_CHANGE_REQUIRED:
            raise PasswordChangeRequired("choose your own password first (your administrator reset it)")
        return member
    raise Unauthenticated("log in, or send a kiosk key or API token as a Bearer credential")


def rate_limit(svc: Services, kiosk: KioskPrincipal) -> None:
    """Refuse the request (429) when this kiosk is over its rate; other kiosks are unaffected."""
    wait = svc.kiosk_rate.allow(kiosk.kiosk_id)
    if wait > 0:
        raise RateLimited("too many requests from this kiosk", headers={"Retry-After": str(math.ceil(wait))})


async def _check_csrf(request: Request, member: StaffPrincipal) -> None:
    """Cookie-authenticated changes must carry the session's CSRF token: the X-CSRF-Token header, or a
    `csrf_token` field in a form post."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else ""
    if not (member.csrf_token and sent and security.same_secret(sent, member.csrf_token)):
        raise CsrfFailed("missing or wrong CSRF token")


async def still_the_same(request: Request, svc: Services, member: StaffPrincipal) -> bool:
    """Re-authenticate a long-running request's credentials: False once the session or token has ended, the account
    is disabled, or its role or sites are no longer what the request started with."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if token else None
    request.state.recheck = True  # not the member's doing: does not keep an idle session alive
    try:
        now = await any_caller(request, svc, credentials, request.cookies.get(SESSION_COOKIE))
    except Unauthenticated:
        return False
    except DatabaseUnavailable:  # cannot tell now; the stream's next check will
        return True
    same = isinstance(now, StaffPrincipal) and now.id == member.id and now.role == member.role
    return same and now.site_ids == member.site_ids  # type: ignore[union-attr]


Caller = Annotated[KioskPrincipal | StaffPrincipal, Depends(any_caller)]


async def kiosk_from_request(request: Request, svc: Services) -> KioskPrincipal:
    """The calling kiosk, read straight from the request (for the hot path that has no dependencies); anyone else is
    refused exactly as `kiosk_caller` would refuse them."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer_token = scheme.lower() == "bearer" and token
    credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if bearer_token else None
    caller = await any_caller(request, svc, credentials, request.cookies.get(SESSION_COOKIE))
    return await kiosk_caller(caller)


async def kiosk_caller(caller: Caller) -> KioskPrincipal:
    """Only a kiosk may call this."""
    if not isinstance(caller, KioskPrincipal):
        raise Forbidden("only kiosks call this")
    return caller


async def staff_caller(caller: Caller) -> StaffPrincipal:
    """Only a staff member with the `staff` role (queue work) may call this."""
    if not isinstance(caller, StaffPrincipal) or caller.role != "staff":
        raise Forbidden("only helpdesk staff call this")
    return caller


async def any_staff(caller: Caller) -> StaffPrincipal:
    """Any logged-in staff account (staff, trainer or admin)."""
    if not isinstance(caller, StaffPrincipal):
        raise Forbidden("only staff accounts call this")
    return caller


async def kiosk_or_staff(caller: Caller) -> KioskPrincipal | StaffPrincipal:
    """A kiosk, or a member with the `staff` role (trainers and admins never read resident conversations)."""
    if isinstance(caller, StaffPrincipal) and caller.role != "staff":
        raise Forbidden("only helpdesk staff read conversations")
    return caller


KioskDep = Annotated[KioskPrincipal, Depends(kiosk_caller)]
StaffDep = Annotated[StaffPrincipal, Depends(staff_caller)]
AnyStaffDep = Annotated[StaffPrincipal, Depends(any_staff)]
KioskOrStaffDep = Annotated[KioskPrincipal | StaffPrincipal, Depends(kiosk_or_staff)]
