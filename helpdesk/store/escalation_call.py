"""Voice-call signalling as part of an escalation's conversation: who may call (only the staff member holding it,
only while it is open, only on their sites), the offer / answer / end signals, and the audit of each call.

Signals are rows of the conversation's table (kind `call`, the signal as JSON): they share its ordering, its
long-poll wake-ups on both sides, and its purge. No media and no recording ever passes through here."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import Connection, select

from helpdesk import domain
from helpdesk.bus import Recorded, escalation_topic
from helpdesk.bus import outbox as events
from helpdesk.clock import utcnow
from helpdesk.errors import Forbidden, InvalidTransition, NotFound
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.store import audit
from helpdesk.store.escalation_rows import Caller, NotClaimer, StoreState, insert_message
from helpdesk.tables import escalations, messages

ENDING = ("decline", "hangup", "dropped", "unavailable")


class NotYourSite(Forbidden):
    """Staff of another site may not call this kiosk."""

    code = "not-your-site"


class Calling(StoreState):
    """The escalation store's call signalling."""

    def _callable_row(self, conn: Connection, caller: Caller, escalation_id: str) -> dict:
        row = conn.execute(select(escalations).where(escalations.c.id == escalation_id)).mappings().first()
        if row is None:
            raise NotFound("no such escalation")
        if isinstance(caller, KioskPrincipal):
            if row["kiosk_id"] != caller.kiosk_id:
                raise NotFound("no such escalation")
        elif not caller.serves(row["site_id"]):
            raise NotYourSite("this kiosk belongs to a site you do not serve")
        elif row["claimed_by"] != caller.id:
            raise NotClaimer("only the staff member holding this escalation can call")
        if row["status"] in domain.ENDED:
            raise InvalidTransition(f"the escalation is {row['status']}")
        return dict(row)

    def start_call(self, member: StaffPrincipal, escalation_id: str) -> str:
        """A new call id for the staff member holding the escalation (audited)."""
        with self.db.write() as conn:
            self._callable_row(conn, member, escalation_id)
            call_id = uuid.uuid4().hex
            audit.record(conn, member, "call-start", escalation_id, detail=f"call:{call_id}")
        return call_id

    def may_call(self, caller: Caller, escalation_id: str) -> None:
        """Raise unless the caller may take part in a call on this escalation now."""
        with self.db.read() as conn:
            self._callable_row(conn, caller, escalation_id)

    def call_signal(self, caller: Caller, escalation_id: str, signal: dict) -> tuple[dict, tuple[Recorded, ...]]:
        """Store one call signal for the other side's long-poll; an ending signal is audited with the duration."""
        with self.db.write() as conn:
            if signal["kind"] in ENDING:  # a call may always be ended, even as the escalation closes
                row = conn.execute(select(escalations).where(escalations.c.id == escalation_id)).mappings().first()
                if row is None or not _may_see(caller, row):
                    raise NotFound("no such escalation")
            else:
                self._callable_row(conn, caller, escalation_id)
            sender = "staff" if isinstance(caller, StaffPrincipal) else "kiosk"
            message = insert_message(
                conn,
                escalation_id,
                sender=sender,
                kind="call",
                text=json.dumps(signal),
                step_id=None,
                staff_id=caller.id if isinstance(caller, StaffPrincipal) else None,
            )
            if signal["kind"] in ENDING:
                seconds = _seconds_connected(conn, escalation_id, signal["call_id"])
                detail = f"call:{signal['call_id']} {signal['kind']} by:{sender} seconds:{seconds}"
                audit.record(conn, caller, "call-end", escalation_id, detail=detail)
            elif signal["kind"] == "connected" and sender == "kiosk":
                audit.record(conn, caller, "call-connected", escalation_id, detail=f"call:{signal['call_id']}")
            recorded = (
                events.record(
                    conn, escalation_topic(escalation_id), {"escalation_id": escalation_id, "message": message["id"]}
                ),
            )
        return message, recorded


def _may_see(caller: Caller, row) -> bool:
    if isinstance(caller, KioskPrincipal):
        return row["kiosk_id"] == caller.kiosk_id
    return caller.serves(row["site_id"]) and row["claimed_by"] == caller.id


def _seconds_connected(conn: Connection, escalation_id: str, call_id: str) -> int:
    rows = conn.execute(
        select(messages.c.text, messages.c.created_at)
        .where(messages.c.escalation_id == escalation_id, messages.c.kind == "call")
        .order_by(messages.c.id)
    ).all()
    for text, created_at in rows:
        signal = json.loads(text)
        if signal.get("call_id") == call_id and signal.get("kind") == "connected":
            return max(0, round((utcnow() - created_at).total_seconds()))
    return 0


def own_signal(row: dict, caller: Caller) -> bool:
    """True for a call signal the caller sent itself (each side reads only the other's)."""
    mine = "kiosk" if isinstance(caller, KioskPrincipal) else "staff"
    return row["kind"] == "call" and row["sender"] == mine
