"""Console HTML pages: login, live queue, escalation view and admin pages (data comes from the JSON API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from helpdesk.api.deps import SESSION_COOKIE
from helpdesk.console import store
from helpdesk.console.api import LANG_COOKIE
from helpdesk.console.strings import labels, pick, texts
from helpdesk.principals import StaffPrincipal
from helpdesk.store import accounts

HERE = Path(__file__).resolve().parent
router = APIRouter(prefix="/console", include_in_schema=False)
AdminSection = Literal["sites", "kiosks", "staff", "canned", "settings", "versions"]
DISPLAY_TIMEZONE = "Asia/Tokyo"
"""Times are stored in UTC and shown in this zone (unless the settings name another `display_timezone`)."""


def templates(request: Request) -> Jinja2Templates:
    """The console's Jinja2 templates (built once in `mount`)."""
    return request.app.state.console_templates


async def _member(request: Request) -> StaffPrincipal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    svc = request.app.state.services
    return await svc.run(lambda: accounts.staff_by_session(svc.db, token, idle_s=svc.settings.session_idle_s))


def _home(member: StaffPrincipal) -> str:
    if member.password_change_required:
        return "/console/password"
    homes = {
        "staff": "/console/queue",
        "admin": "/console/admin/sites",
        "editor": "/console/editor",
        "trainer": "/trainer/",
    }
    return homes.get(member.role, "/console/login?role=none")


def render(request: Request, name: str, member: StaffPrincipal | None, **context: Any) -> Response:
    """A page in the console language chosen by the staff member (Japanese by default)."""
    lang = pick(request.cookies.get(LANG_COOKIE))
    strings, names = texts(lang), labels(lang)
    return templates(request).TemplateResponse(
        request,
        name,
        {
            "t": strings,
            "labels": names,
            "lang": lang,
            "member": member,
            "strings_json": json.dumps({"t": strings, "labels": names}, ensure_ascii=False),
            "timezone": getattr(request.app.state.services.settings, "display_timezone", DISPLAY_TIMEZONE),
            **context,
        },
    )


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    """Send the member to their page, or to the login page."""
    member = await _member(request)
    return RedirectResponse(_home(member) if member else "/console/login", status_code=303)


@router.get("/login")
async def login_page(request: Request, role: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    """The login form (it posts to /api/v1/auth/login from login.js)."""
    member = await _member(request)
    if member and role is None:
        return RedirectResponse(_home(member), status_code=303)
    return render(request, "login.html", None, no_console=role == "none")


@router.get("/lang/{lang}")
async def switch_language(
    request: Request,
    lang: Literal["ja", "en"],
    next_page: Annotated[str, Query(alias="next", max_length=200)] = "/console/",
) -> Response:
    """Remember the console language in a cookie and go back (only to a console page)."""
    target = next_page if next_page.startswith("/console/") and "//" not in next_page else "/console/"
    response = RedirectResponse(target, status_code=303)
    secure = request.app.state.services.settings.cookie_secure
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", httponly=True, secure=secure)
    return response


async def _page_for(request: Request, role: str) -> StaffPrincipal | Response:
    member = await _member(request)
    if member is None:
        return RedirectResponse("/console/login", status_code=303)
    if member.role != role or member.password_change_required:
        return RedirectResponse(_home(member), status_code=303)
    return member


@router.get("/password")
async def password_page(request: Request) -> Response:
    """Change your own password (required after an administrator reset it)."""
    member = await _member(request)
    if member is None:
        return RedirectResponse("/console/login", status_code=303)
    return render(request, "password.html", member, page="password")


@router.get("/queue")
async def queue_page(request: Request) -> Response:
    """The live queue."""
    member = await _page_for(request, "staff")
    if isinstance(member, Response):
        return member
    svc = request.app.state.services
    sites = await svc.run(store.member_sites, svc.db, member)
    kiosks = await svc.run(store.member_kiosks, svc.db, member)
    return render(request, "queue.html", member, sites=sites, kiosks_json=json.dumps(kiosks), page="queue")


@router.get("/escalations/{escalation_id}")
async def escalation_page(
    request: Request, escalation_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]
) -> Response:
    """One escalation: the resident's screen, path, conversation and actions (filled by escalation.js)."""
    member = await _page_for(request, "staff")
    if isinstance(member, Response):
        return member
    svc = request.app.state.services
    kiosks = await svc.run(store.member_kiosks, svc.db, member)
    return render(
        request, "escalation.html", member, escalation_id=escalation_id, kiosks_json=json.dumps(kiosks), page="queue"
    )


@router.get("/admin/{section}")
async def admin_page(request: Request, section: AdminSection) -> Response:
    """Admin pages: sites, kiosks, staff accounts, canned replies (filled by admin.js)."""
    member = await _page_for(request, "admin")
    if isinstance(member, Response):
        return member
    return render(request, "admin.html", member, section=section, page=section)


@router.get("/editor")
async def editor_page(request: Request) -> Response:
    """The content editor (filled by editor.js): trainers, editors and administrators."""
    import json

    member = await _member(request)
    if member is None:
        return RedirectResponse("/console/login", status_code=303)
    if member.role not in ("trainer", "editor", "admin"):
        return RedirectResponse(_home(member), status_code=303)
    svc = request.app.state.services
    if member.role == "admin":
        sites = await svc.run(store.list_sites, svc.db)
    else:
        sites = await svc.run(store.member_sites, svc.db, member)
    sites_json = json.dumps([{"id": s["id"], "name": s["name"]} for s in sites], ensure_ascii=False)
    return render(request, "editor.html", member, page="editor", sites_json=sites_json)
