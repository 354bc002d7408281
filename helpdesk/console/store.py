"""Reads and writes the console needs beyond the JSON API: escalation context, admin lists, canned replies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, insert, select, update

from helpdesk import security
from helpdesk.bus import Recorded
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.errors import BadRequest, NotFound
from helpdesk.principals import StaffPrincipal
from helpdesk.store import accounts
from helpdesk.store.accounts import get_site
from helpdesk.tables import canned_replies, escalations, kiosks, sites, staff, staff_sessions, staff_sites

ONLINE_WITHIN_S = 120
"""A kiosk that sent a heartbeat within this many seconds counts as online."""

DEFAULT_CANNED: tuple[tuple[str, str], ...] = (
    ("ja", "ただいま確認しています。少しお待ちください。"),
    ("ja", "画面の「もどる」を押してください。"),
    ("ja-easy", "いま しらべて います。すこし まって ください。"),
    ("ja-easy", "がめんの「もどる」を おして ください。"),
    ("en", "I am checking now. Please wait a moment."),
    ("en", "Please press the Back button on the screen."),
)
"""Offered when an administrator has not written any canned replies yet."""


def escalation_row(db: Database, member: StaffPrincipal, escalation_id: str) -> dict:
    """An escalation with its site and claimer, if the member serves its site (NotFound otherwise)."""
    query = (
        select(
            escalations,
            sites.c.name.label("site_name"),
            sites.c.sla_minutes,
            staff.c.display_name.label("claimer_name"),
            staff.c.login.label("claimer_login"),
        )
        .join(sites, sites.c.id == escalations.c.site_id)
        .outerjoin(staff, staff.c.id == escalations.c.claimed_by)
        .where(escalations.c.id == escalation_id)
    )
    with db.read() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or not member.serves(row["site_id"]):
        raise NotFound("no such escalation")
    return dict(row)


def kiosk_status(db: Database, kiosk_id: str) -> dict | None:
    """The kiosk's last heartbeat (None before its first); a heartbeat without `call_unavailable` comes from a
    kiosk older than calls."""
    with db.read() as conn:
        status = conn.execute(select(kiosks.c.last_status).where(kiosks.c.id == kiosk_id)).scalar()
    return dict(status) if status else None


def colleagues(db: Database, site_id: str, exclude_id: int) -> list[dict]:
    """Enabled staff-role members of a site (transfer targets), without `exclude_id`."""
    query = (
        select(staff.c.login, staff.c.display_name)
        .join(staff_sites, staff_sites.c.staff_id == staff.c.id)
        .where(
            staff_sites.c.site_id == site_id,
            staff.c.role == "staff",
            staff.c.disabled_at.is_(None),
            staff.c.id != exclude_id,
        )
        .order_by(staff.c.display_name)
    )
    with db.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def canned_for(db: Database, site_id: str, language: str) -> list[dict]:
    """Active canned replies for a site (site-wide ones too), the resident's language first."""
    query = select(canned_replies.c.id, canned_replies.c.language, canned_replies.c.text).where(
        canned_replies.c.active.is_(True),
        (canned_replies.c.site_id.is_(None)) | (canned_replies.c.site_id == site_id),
    )
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(query.order_by(canned_replies.c.id)).mappings()]
    if not rows:
        rows = [{"id": None, "language": lang, "text": text} for lang, text in DEFAULT_CANNED]
    return sorted(rows, key=lambda r: r["language"] != language)


def member_sites(db: Database, member: StaffPrincipal) -> list[dict]:
    """The sites a member is assigned to, with name and SLA threshold."""
    with db.read() as conn:
        rows = conn.execute(
            select(sites.c.id, sites.c.name, sites.c.sla_minutes)
            .where(sites.c.id.in_(sorted(member.site_ids)))
            .order_by(sites.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def member_kiosks(db: Database, member: StaffPrincipal) -> dict[str, str]:
    """The names of the kiosks at a member's sites, by id (kiosks without a name are left out)."""
    with db.read() as conn:
        rows = conn.execute(
            select(kiosks.c.id, kiosks.c.name).where(
                kiosks.c.site_id.in_(sorted(member.site_ids)), kiosks.c.name.is_not(None)
            )
        ).all()
    return {row.id: row.name for row in rows}


# --- admin ----------------------------------------------------------------------------------------
def list_sites(db: Database) -> list[dict]:
    """Every site."""
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(sites).order_by(sites.c.id)).mappings()]


def update_site(db: Database, *, site_id: str, name: str, fallback_phone: str | None, sla_minutes: int) -> None:
    """Change a site's name, fallback phone and SLA threshold."""
    with db.write() as conn:
        done = conn.execute(
            update(sites)
            .where(sites.c.id == site_id)
            .values(name=name, fallback_phone=fallback_phone, sla_minutes=sla_minutes)
        ).rowcount
    if not done:
        raise NotFound(f"no site {site_id}")


def list_kiosks(db: Database, now: dt.datetime | None = None) -> list[dict]:
    """Every kiosk with its latest reported status and whether it is online."""
    now = now or utcnow()
    with db.read() as conn:
        rows = conn.execute(select(kiosks).order_by(kiosks.c.site_id, kiosks.c.id)).mappings().all()
    found = []
    for row in rows:
        status = row["last_status"] or {}
        seen = row["last_seen_at"]
        found.append(
            {
                "id": row["id"],
                "name": row["name"],
                "site_id": row["site_id"],
                "revoked": row["revoked_at"] is not None,
                "last_seen_at": seen.isoformat() if seen else None,
                "online": bool(seen and (now - seen).total_seconds() <= ONLINE_WITHIN_S and not row["revoked_at"]),
                "kiosk_version": status.get("kiosk_version"),
                "content_version": status.get("content_version"),
                "outbox_length": status.get("outbox_length"),
                "voice_available": status.get("voice_available"),
                "content_errors": status.get("content_errors", []),
                "content": status.get("content") or {},
            }
        )
    return found


def list_staff(db: Database) -> list[dict]:
    """Every staff account with its role, sites and whether it is disabled."""
    with db.read() as conn:
        rows = conn.execute(select(staff).order_by(staff.c.login)).mappings().all()
        links = conn.execute(select(staff_sites)).all()
    site_map: dict[int, list[str]] = {}
    for link in links:
        site_map.setdefault(link.staff_id, []).append(link.site_id)
    return [
        {
            "login": r["login"],
            "display_name": r["display_name"],
            "role": r["role"],
            "site_ids": sorted(site_map.get(r["id"], [])),
            "disabled": r["disabled_at"] is not None,
        }
        for r in rows
    ]


def update_staff(
    db: Database, *, login: str, role: str, site_ids: list[str], display_name: str
) -> tuple[Recorded, ...]:
    """Change a member's role, sites and display name. A new role or new sites end the member's sessions and open
    queue streams (returns the bus event that ends the streams); a new display name alone changes nothing else."""
    with db.write() as conn:
        found = conn.execute(select(staff.c.id, staff.c.role).where(staff.c.login == login)).first()
        if found is None:
            raise NotFound(f"no staff login {login}")
        staff_id = found.id
        _require_sites(conn, site_ids)
        before = set(conn.execute(select(staff_sites.c.site_id).where(staff_sites.c.staff_id == staff_id)).scalars())
        conn.execute(update(staff).where(staff.c.id == staff_id).values(role=role, display_name=display_name))
        conn.execute(delete(staff_sites).where(staff_sites.c.staff_id == staff_id))
        for site_id in sorted(set(site_ids)):
            conn.execute(insert(staff_sites).values(staff_id=staff_id, site_id=site_id))
        if found.role == role and before == set(site_ids):
            return ()
        conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
        return (accounts.access_changed(conn, staff_id),)


def reset_password(db: Database, *, login: str) -> tuple[str, tuple[Recorded, ...]]:
    """Give a member a new generated password (returned once; they must change it at their next login) and end
    their sessions and open queue streams."""
    password = security.generate_password()
    password_hash = security.hash_password(password)
    with db.write() as conn:
        staff_id = conn.execute(select(staff.c.id).where(staff.c.login == login)).scalar()
        if staff_id is None:
            raise NotFound(f"no staff login {login}")
        conn.execute(
            update(staff)
            .where(staff.c.id == staff_id)
            .values(password_hash=password_hash, password_change_required=True)
        )
        conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
        ended = (accounts.access_changed(conn, staff_id),)
    return password, ended


def _require_sites(conn: Connection, site_ids: list[str]) -> None:
    for site_id in site_ids:
        get_site(conn, site_id)


def list_canned(db: Database) -> list[dict]:
    """Every active canned reply."""
    with db.read() as conn:
        rows = conn.execute(
            select(canned_replies.c.id, canned_replies.c.site_id, canned_replies.c.language, canned_replies.c.text)
            .where(canned_replies.c.active.is_(True))
            .order_by(canned_replies.c.language, canned_replies.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def add_canned(db: Database, *, language: str, text: str, site_id: str | None) -> int:
    """Add a canned reply (for one site, or every site when `site_id` is None)."""
    if not text.strip():
        raise BadRequest("a canned reply needs text")
    with db.write() as conn:
        if site_id is not None:
            get_site(conn, site_id)
        new_id = conn.execute(
            insert(canned_replies).values(
                language=language, text=text.strip(), site_id=site_id, active=True, created_at=utcnow()
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
    return int(new_id)


def remove_canned(db: Database, *, canned_id: int) -> None:
    """Stop offering a canned reply."""
    with db.write() as conn:
        done = conn.execute(
            update(canned_replies).where(canned_replies.c.id == canned_id).values(active=False)
        ).rowcount
    if not done:
        raise NotFound("no such canned reply")
