"""Reading escalations: one escalation, its messages, a resident's place in line and estimated wait."""

from __future__ import annotations

import time

from sqlalchemy import Connection, func, select, update

from helpdesk import domain
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.store import audit
from helpdesk.store.escalation_rows import Caller, StoreState
from helpdesk.tables import escalations, messages, sites


class Reading(StoreState):
    """The escalation store's reads (and the kiosk's contact time, written at most every 15 s)."""

    def get(self, caller: Caller, escalation_id: str) -> dict:
        """An escalation the caller may see (NotFound otherwise, so ids do not leak)."""
        with self.db.read() as conn:
            row = self._visible(conn, caller, escalation_id)
        if isinstance(caller, KioskPrincipal):
            self.touch(escalation_id)
        return row

    def touch(self, escalation_id: str) -> None:
        """Note that the kiosk is still there (written at most every 15 s per escalation)."""
        now = time.monotonic()
        with self._lock:
            if now - self._contact.get(escalation_id, 0.0) < 15.0:
                return
            self._contact[escalation_id] = now
        with self.db.write() as conn:
            conn.execute(
                update(escalations)
                .where(escalations.c.id == escalation_id, escalations.c.status.in_(("waiting", "claimed")))
                .values(kiosk_contact_at=utcnow())
            )

    def messages_after(self, caller: Caller, escalation_id: str, after: int) -> tuple[list[dict], dict]:
        """Messages with id > after (at most 100), and the escalation."""
        with self.db.read() as conn:
            row = self._visible(conn, caller, escalation_id)
            rows = conn.execute(
                select(messages)
                .where(messages.c.escalation_id == escalation_id, messages.c.id > after)
                .order_by(messages.c.id)
                .limit(100)
            ).mappings()
            found = [dict(r) for r in rows]
        if isinstance(caller, KioskPrincipal):
            self.touch(escalation_id)
        return found, row

    def position_and_wait(self, row: dict) -> tuple[int | None, int | None]:
        """The resident's place in line and estimated wait (None once claimed or ended).

        A row fresh from `create` carries its position (counted in the insert's transaction).
        """
        if row["status"] != "waiting":
            return None, None
        if row.get("position_at_create"):
            position = row["position_at_create"]
            return position, self.estimate(row["site_id"], position)
        with self.db.read() as conn:
            sla_s = _sla_s(conn, row["site_id"])
            waiting = _waiting(conn, row["site_id"], sla_s)
        position = domain.positions(waiting, utcnow(), self.settings.long_wait_boost_s).get(row["id"], len(waiting))
        return position, self.estimate(row["site_id"], position)

    def estimate(self, site_id: str, position: int) -> int:
        """Estimated wait for a position, from recent handling times at the site (cached 30 s)."""
        now = time.monotonic()
        cached = self._stats.get(site_id)
        if cached is None or now - cached[0] > 30.0:
            with self.db.read() as conn:
                cached = (now, *_handling_stats(conn, site_id))
            self._stats[site_id] = cached
        _, handling, staff_count = cached
        return domain.estimated_wait_s(position, handling, staff_count, self.settings.default_handling_s)


def _sla_s(conn: Connection, site_id: str) -> int:
    minutes = conn.execute(select(sites.c.sla_minutes).where(sites.c.id == site_id)).scalar()
    return int(minutes or 10) * 60


def _waiting(conn: Connection, site_id: str, sla_s: int) -> list[domain.Waiting]:
    rows = conn.execute(
        select(escalations.c.id, escalations.c.created_at).where(
            escalations.c.site_id == site_id, escalations.c.status == "waiting"
        )
    ).all()
    return [domain.Waiting(r.id, r.created_at, sla_s) for r in rows]


def _handling_stats(conn: Connection, site_id: str) -> tuple[list[float], int]:
    rows = conn.execute(
        select(escalations.c.claimed_at, escalations.c.ended_at)
        .where(
            escalations.c.site_id == site_id,
            escalations.c.status == "resolved",
            escalations.c.claimed_at.is_not(None),
        )
        .order_by(escalations.c.created_at.desc())
        .limit(20)
    ).all()
    handling = [(r.ended_at - r.claimed_at).total_seconds() for r in rows if r.ended_at]
    staff_count = conn.execute(
        select(func.count(func.distinct(escalations.c.claimed_by))).where(
            escalations.c.site_id == site_id, escalations.c.status == "claimed"
        )
    ).scalar_one()
    return handling, int(staff_count)


def audit_view(db: Database, member: StaffPrincipal, escalation_id: str | None, what: str) -> None:
    """Record that a staff member looked at something (an escalation, its messages, the queue)."""
    with db.write() as conn:
        audit.record(conn, member, what, escalation_id)
