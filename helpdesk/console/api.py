"""JSON the console pages read besides the public API: escalation context and the member's sites."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from helpdesk.api.deps import ServicesDep, StaffDep
from helpdesk.clock import utcnow
from helpdesk.console import screens, store
from helpdesk.console.strings import pick
from helpdesk.content_store import delivery
from helpdesk.content_store.catalogs import VersionCatalogs
from helpdesk.errors import NotFound
from helpdesk.store.escalations import audit_view
from yorisoi.vocabulary import OFFER_PREFIX

router = APIRouter(prefix="/console/api", include_in_schema=False)
LANG_COOKIE = "yorisoi_console_lang"
EscalationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
VersionId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
PictureName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.png$")]


@router.get("/titles")
async def titles(request: Request, _member: StaffDep) -> dict[str, Any]:
    """Procedure and step titles in the console language, for the queue table."""
    catalog = request.app.state.console_catalog
    lang = screens.staff_language(pick(request.cookies.get(LANG_COOKIE)))
    return {
        pid: {"title": screens.procedure_title(catalog, pid, lang), "steps": screens.step_titles(catalog, pid, lang)}
        for pid in [*catalog.procedures, screens.NO_PLACE]
    }


@router.get("/escalations/{escalation_id}")
async def escalation_context(
    escalation_id: EscalationId, request: Request, member: StaffDep, svc: ServicesDep
) -> dict[str, Any]:
    """Everything the escalation view shows: the resident's screen, path, holder, steps, canned replies."""
    row = await svc.run(store.escalation_row, svc.db, member, escalation_id)
    await svc.run(audit_view, svc.db, member, escalation_id, "view")
    exact = await svc.run(_versions(request, svc).get, row.get("content_version"))
    catalog = exact.catalog if exact else request.app.state.console_catalog
    pictures_url = f"/console/api/content/{exact.version}/pictures/" if exact else screens.PICTURES_URL
    site_target = await svc.run(delivery.desired_for_site, svc.db, row["site_id"])
    staff_lang = screens.staff_language(pick(request.cookies.get(LANG_COOKIE)))
    titles = screens.step_titles(catalog, row["procedure_id"], staff_lang)
    canned = await svc.run(store.canned_for, svc.db, row["site_id"], row["language"])
    others = await svc.run(store.colleagues, svc.db, row["site_id"], member.id)
    kiosk_status = await svc.run(store.kiosk_status, svc.db, row["kiosk_id"])
    return {
        "call_unavailable": kiosk_status.get("call_unavailable", "no-media-stack") if kiosk_status else None,
        **_summary(row, member),
        "procedure_title": screens.procedure_title(catalog, row["procedure_id"], staff_lang),
        "screen": screens.step_screen(
            catalog, row["procedure_id"], row["step_id"], row["language"], pictures_url=pictures_url
        ),
        "content": _content_facts(row.get("content_version"), exact is not None, site_target),
        "step_title": titles.get(row["step_id"], row["step_id"]),
        "path": [{**p, "title": titles.get(p["step_id"], p["step_id"])} for p in row["path"]],
        "steps": [{"id": k, "title": v} for k, v in titles.items()],
        "canned": canned,
        "colleagues": others,
    }


@router.get("/content/{version}/pictures/{name}")
async def version_picture(
    version: VersionId, name: PictureName, request: Request, _member: StaffDep, svc: ServicesDep
) -> Response:
    """A picture exactly as a published version has it (the escalation view shows the resident's screen)."""
    exact = await svc.run(_versions(request, svc).get, version)
    if exact is None or name not in exact.pictures:
        raise NotFound("no such picture in that content version")
    return Response(exact.pictures[name], media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


def _versions(request: Request, svc: Any) -> VersionCatalogs:
    """The app's cache of loaded content versions (made on first use)."""
    cache = getattr(request.app.state, "content_versions", None)
    if cache is None:
        cache = request.app.state.content_versions = VersionCatalogs(svc.db)
    return cache


def _content_facts(version: str | None, exact: bool, site_target: Any) -> dict[str, Any]:
    """Which content the resident saw, whether the console shows exactly it, and whether the kiosk lags its site."""
    wanted = site_target.version if site_target else None
    return {
        "version": version[:12] if version else None,
        "exact": exact,
        "site_version": wanted[:12] if wanted else None,
        "older": bool(version and wanted and version != wanted),
    }


def _summary(row: dict, member: Any) -> dict[str, Any]:
    reason: str = row["reason"]
    created: dt.datetime = row["created_at"]
    holder = None
    if row["claimed_by"] is not None:
        holder = {"name": row["claimer_name"], "login": row["claimer_login"], "me": row["claimed_by"] == member.id}
    return {
        "id": row["id"],
        "status": row["status"],
        "site_id": row["site_id"],
        "site_name": row["site_name"],
        "sla_minutes": row["sla_minutes"],
        "kiosk_id": row["kiosk_id"],
        "procedure_id": row["procedure_id"],
        "step_id": row["step_id"],
        "language": row["language"],
        "reason": reason,
        "offered": reason.startswith(OFFER_PREFIX),
        "offer_signal": reason.removeprefix(OFFER_PREFIX) if reason.startswith(OFFER_PREFIX) else None,
        "created_at": created.isoformat(),
        "waited_s": int((utcnow() - created).total_seconds()),
        "holder": holder,
        "outcome": row["outcome"],
    }
