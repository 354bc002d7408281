"""Handling escalations: claim, release, transfer, resolve, cancel, the conversation, abandoning silent ones.

Each change is one transaction holding the state move, its audit entry, its system message and its bus events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select, update

from helpdesk import domain
from helpdesk.bus import QUEUE_TOPIC, Recorded, escalation_topic
from helpdesk.bus import outbox as events
from helpdesk.clock import utcnow
from helpdesk.errors import ActiveLimitReached, AlreadyClaimed, BadRequest, InvalidTransferTarget, InvalidTransition
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.screening import screen_text
from helpdesk.store import audit
from helpdesk.store.accounts import active_staff_in
from helpdesk.store.escalation_rows import (
    Caller,
    Change,
    NotClaimer,
    StoreState,
    apply_action,
    change_of,
    insert_message,
    queue_payload,
    system_message,
)
from helpdesk.tables import escalations, staff


class Handling(StoreState):
    """The escalation store's lifecycle operations."""

    def cancel(self, kiosk: KioskPrincipal, escalation_id: str) -> tuple[dict, Change]:
        """The resident left: the kiosk cancels its escalation."""
        with self.db.write() as conn:
            row = self._visible(conn, kiosk, escalation_id)
            row = apply_action(conn, row, "cancel", ended_at=utcnow())
            audit.record(conn, kiosk, "cancel", escalation_id)
            system_message(conn, escalation_id, "cancelled")
            change = change_of(conn, row, "cancel")
        return row, change

    def claim(self, member: StaffPrincipal, escalation_id: str) -> tuple[dict, Change]:
        """Take an escalation: exactly one of several concurrent claimers wins."""
        with self.db.write() as conn:
            row = self._visible(conn, member, escalation_id)
            if row["status"] == "claimed":
                raise AlreadyClaimed("someone else is already helping this resident")
            self._check_limit(conn, member.id)
            row = apply_action(conn, row, "claim", claimed_by=member.id, claimed_at=utcnow())
            audit.record(conn, member, "claim", escalation_id)
            system_message(conn, escalation_id, "claimed")
            change = change_of(conn, row, "claim", member.display_name)
        return row, change

    def _check_limit(self, conn: Connection, staff_id: int) -> None:
        active = conn.execute(
            select(func.count())
            .select_from(escalations)
            .where(escalations.c.claimed_by == staff_id, escalations.c.status == "claimed")
        ).scalar_one()
        if not domain.may_claim_more(active, self.settings.active_limit_per_staff):
            raise ActiveLimitReached(f"you already handle {active} escalations")

    def release(self, member: StaffPrincipal, escalation_id: str) -> tuple[dict, Change]:
        """Put a claimed escalation back in the queue (it keeps its place by age)."""
        return self._claimer_action(member, escalation_id, "release", claimed_by=None, claimed_at=None)

    def resolve(self, member: StaffPrincipal, escalation_id: str, outcome: str) -> tuple[dict, Change]:
        """Close an escalation with an outcome category."""
        if outcome not in domain.OUTCOMES:
            raise BadRequest(f"outcome must be one of {', '.join(domain.OUTCOMES)}")
        return self._claimer_action(member, escalation_id, "resolve", outcome=outcome, ended_at=utcnow())

    def transfer(self, member: StaffPrincipal, escalation_id: str, to_login: str) -> tuple[dict, Change]:
        """Hand a claimed escalation to another staff member of the same site."""
        with self.db.write() as conn:
            row = self._visible(conn, member, escalation_id)
            target_id = conn.execute(select(staff.c.id).where(staff.c.login == to_login)).scalar()
            target = active_staff_in(conn, staff_id=target_id) if target_id is not None else None
            if target is None or not target.serves(row["site_id"]):
                raise InvalidTransferTarget("the transfer target does not work this site's queue")
            if row["claimed_by"] != member.id:
                raise NotClaimer("only the staff member handling this escalation can transfer it")
            self._check_limit(conn, target.id)
            row = apply_action(conn, row, "transfer", claimed_by=target.id, claimed_at=utcnow())
            audit.record(conn, member, "transfer", escalation_id, detail=f"to:{target.id}")
            system_message(conn, escalation_id, "transferred")
            change = change_of(conn, row, "transfer", target.display_name)
        return row, change

    def _claimer_action(self, member: StaffPrincipal, escalation_id: str, action: str, **values: object):
        with self.db.write() as conn:
            row = self._visible(conn, member, escalation_id)
            domain.next_state(row["status"], action)
            if row["claimed_by"] != member.id:
                raise NotClaimer(f"only the staff member handling this escalation can {action} it")
            row = apply_action(conn, row, action, **values)
            audit.record(conn, member, action, escalation_id)
            system_message(conn, escalation_id, {"release": "released", "resolve": "resolved"}[action])
            change = change_of(conn, row, action)
        return row, change

    def post_message(
        self, caller: Caller, escalation_id: str, *, kind: str, text: str, step_id: str | None = None
    ) -> tuple[dict, dict, tuple[Recorded, ...]]:
        """Add a message (text screened before storage): returns (message, escalation, bus events)."""
        with self.db.write() as conn:
            row = self._visible(conn, caller, escalation_id)
            if row["status"] in domain.ENDED:
                raise InvalidTransition(f"the escalation is {row['status']}")
            if isinstance(caller, StaffPrincipal) and row["claimed_by"] != caller.id:
                raise NotClaimer("claim the escalation before replying")
            sender = "staff" if isinstance(caller, StaffPrincipal) else "kiosk"
            message = insert_message(
                conn,
                escalation_id,
                sender=sender,
                kind=kind,
                text=screen_text(text),
                step_id=step_id,
                staff_id=caller.id if isinstance(caller, StaffPrincipal) else None,
            )
            if isinstance(caller, StaffPrincipal):
                audit.record(conn, caller, "reply", escalation_id, detail=kind)
            recorded = (
                events.record(
                    conn, escalation_topic(escalation_id), {"escalation_id": escalation_id, "message": message["id"]}
                ),
                events.record(conn, QUEUE_TOPIC, queue_payload(row, "message")),
            )
        return message, row, recorded

    def sweep_abandoned(self) -> list[Change]:
        """Mark escalations whose kiosk went silent as abandoned."""
        now = utcnow()
        cutoff = now - dt.timedelta(seconds=self.settings.abandon_after_s)
        with self.db.write() as conn:
            rows = conn.execute(
                select(escalations.c.id, escalations.c.site_id).where(
                    escalations.c.status.in_(domain.states_allowing("abandon")),
                    escalations.c.kiosk_contact_at < cutoff,
                )
            ).all()
            changes = []
            for row in rows:
                conn.execute(
                    update(escalations)
                    .where(escalations.c.id == row.id)
                    .values(status="abandoned", ended_at=now, updated_at=now)
                )
                system_message(conn, row.id, "abandoned")
                changes.append(
                    change_of(conn, {"id": row.id, "site_id": row.site_id, "status": "abandoned"}, "abandon")
                )
        return changes
