"""Site settings: each site's values for the settings procedures declare (`{site.NAME}`: library URL, fees, counter
hours...), kept by the helpdesk and sent to the site's kiosks in the heartbeat answer, so a kiosk's own file keeps
only what is about the machine. Admins edit every site; an editor only the sites assigned to them."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from content.loader import Catalog
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.errors import BadRequest, Forbidden, NotFound
from helpdesk.principals import StaffPrincipal
from helpdesk.store import audit
from helpdesk.tables import site_values, sites

MAX_VALUE = 500


def may_edit_site(member: StaffPrincipal, site_id: str) -> bool:
    """Admins edit any site; editors the sites assigned to them; nobody else."""
    return member.role == "admin" or (member.role == "editor" and site_id in member.site_ids)


def declared(catalog: Catalog) -> dict[str, dict]:
    """Every setting the procedures declare: description, example, and which procedures need it."""
    found: dict[str, dict] = {}
    for procedure in sorted(catalog.procedures.values(), key=lambda p: p.id):
        for setting in procedure.site_settings:
            entry = found.setdefault(
                setting.name, {"description": setting.description, "example": setting.example, "procedures": []}
            )
            entry["procedures"].append(procedure.id)
    return dict(sorted(found.items()))


def values_for_site(db: Database, site_id: str) -> dict[str, str]:
    """The site's values (what its kiosks fill `{site.NAME}` with)."""
    with db.read() as conn:
        rows = conn.execute(select(site_values.c.name, site_values.c.value).where(site_values.c.site_id == site_id))
        return {r.name: r.value for r in rows}


def settings_table(db: Database, site_id: str, catalog: Catalog) -> list[dict]:
    """One row per declared setting for a site: value, empty or not, procedures needing it (the admin page)."""
    with db.read() as conn:
        if conn.execute(select(sites.c.id).where(sites.c.id == site_id)).first() is None:
            raise NotFound(f"no site {site_id!r}")
    values = values_for_site(db, site_id)
    rows = [
        {"name": name, **info, "value": values.get(name, ""), "empty": not values.get(name, "").strip()}
        for name, info in declared(catalog).items()
    ]
    rows += [  # values kept for a setting no procedure declares any more: shown, so they can be cleared
        {"name": n, "description": "", "example": None, "procedures": [], "value": v, "empty": False}
        for n, v in sorted(values.items())
        if n not in {r["name"] for r in rows}
    ]
    return rows


def set_values(db: Database, member: StaffPrincipal, site_id: str, changes: dict[str, str]) -> dict[str, str]:
    """Set (or, with an empty string, clear) values of a site; audited; refused for sites the member may not edit."""
    if not may_edit_site(member, site_id):
        raise Forbidden("only an administrator, or an editor of this site, may change its settings")
    for name, value in changes.items():
        if not name.replace("_", "a").isalnum() or not name[:1].isalpha() or name.lower() != name:
            raise BadRequest(f"{name!r} is not a setting name (lower-case letters, digits and _)")
        if len(value) > MAX_VALUE or "\n" in value:
            raise BadRequest(f"{name}: one line of at most {MAX_VALUE} characters")
    now = utcnow()
    with db.write() as conn:
        if conn.execute(select(sites.c.id).where(sites.c.id == site_id)).first() is None:
            raise NotFound(f"no site {site_id!r}")
        for name, value in changes.items():
            conn.execute(delete(site_values).where(site_values.c.site_id == site_id, site_values.c.name == name))
            if value.strip():
                conn.execute(
                    insert(site_values).values(
                        site_id=site_id, name=name, value=value.strip(), updated_by=member.login, updated_at=now
                    )
                )
            audit.record(conn, member, "site-setting", detail=f"{site_id}: {name}")
    return values_for_site(db, site_id)
