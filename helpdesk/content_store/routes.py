"""The content room's JSON for the console: versions, rollout, and site settings, with who may do what.

Reading versions: trainers, editors, admins. Rolling a version out: an editor to the sites assigned to them, an
admin to any site or all. Site settings: an admin any site, an editor their sites. Every change is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.deps import AnyStaffDep, ServicesDep
from helpdesk.content_store import site_settings, versions
from helpdesk.errors import Forbidden

router = APIRouter(prefix="/console/api/content", include_in_schema=False)
SitePath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
READERS = frozenset({"trainer", "editor", "admin"})


class Rollout(BaseModel):
    """Make a stored version the one a site (or, for admins, every site) runs."""

    model_config = ConfigDict(extra="forbid")
    version: Annotated[str, Field(pattern=r"^[0-9a-f]{6,64}$")]
    site_id: Annotated[str | None, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")] = None
    note: Annotated[str, Field(max_length=500)] = ""


class SettingValues(BaseModel):
    """Values to set; an empty string clears one."""

    model_config = ConfigDict(extra="forbid")
    values: Annotated[dict[Annotated[str, Field(max_length=63)], str], Field(max_length=200)]


@router.get("/versions")
async def list_versions(member: AnyStaffDep, svc: ServicesDep) -> dict[str, Any]:
    """Published versions, newest first, with note, author, lint result and the sites running each."""
    if member.role not in READERS:
        raise Forbidden("content versions are for trainers, editors and administrators")
    found = await svc.run(versions.versions, svc.db)
    return {"versions": [{**v, "published_at": v["published_at"].isoformat()} for v in found]}


@router.post("/rollout")
async def rollout(body: Rollout, member: AnyStaffDep, svc: ServicesDep) -> dict[str, Any]:
    """Roll a version out (also how a rollback is done: roll an older version out again)."""
    allowed = member.role == "admin" or (
        member.role == "editor" and body.site_id is not None and body.site_id in member.site_ids
    )
    if not allowed:
        raise Forbidden("only an administrator, or an editor of that site, may roll content out")
    full = await svc.run(
        lambda: versions.rollout(
            svc.db, body.version, by=member.login, note=body.note, site_id=body.site_id, actor=member
        )
    )
    return {"version": full, "site_id": body.site_id}


@router.get("/sites/{site_id}/settings")
async def get_settings(site_id: SitePath, request: Request, member: AnyStaffDep, svc: ServicesDep) -> dict[str, Any]:
    """The site's settings: every declared one, its value, whether it is empty, which procedures need it."""
    if not site_settings.may_edit_site(member, site_id):
        raise Forbidden("only an administrator, or an editor of this site, may see its settings")
    catalog = request.app.state.console_catalog
    rows = await svc.run(site_settings.settings_table, svc.db, site_id, catalog)
    return {"site_id": site_id, "settings": rows, "empty": sum(1 for r in rows if r["empty"])}


@router.put("/sites/{site_id}/settings")
async def put_settings(site_id: SitePath, body: SettingValues, member: AnyStaffDep, svc: ServicesDep) -> dict:
    """Change some of a site's values; its kiosks receive them with their next heartbeat answer."""
    values = await svc.run(site_settings.set_values, svc.db, member, site_id, body.values)
    return {"site_id": site_id, "values": values}
