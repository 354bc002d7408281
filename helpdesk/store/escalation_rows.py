"""An escalation row and its changes: who may see it, moving it to its next state atomically, system messages, and
the notification-bus events each change writes in its own transaction (see helpdesk.bus.outbox)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from helpdesk import domain
from helpdesk.bus import QUEUE_TOPIC, Recorded, escalation_topic
from helpdesk.bus import outbox as events
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.errors import AlreadyClaimed, Forbidden, InvalidTransition, NotFound
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.settings import HelpdeskSettings
from helpdesk.store.group_writer import GroupWriter
from helpdesk.tables import escalations, messages

Caller = KioskPrincipal | StaffPrincipal


class NotClaimer(Forbidden):
    """Only the staff member handling an escalation may do this."""

    code = "not-claimer"


@dataclass(frozen=True, slots=True)
class Change:
    """What changed: escalation, site, new status, and the bus events written in the same transaction (publish
    them with `bus.committed` once the transaction has committed)."""

    escalation_id: str
    site_id: str
    status: str
    action: str
    events: tuple[Recorded, ...] = ()


class StoreState:
    """What the escalation store's parts share: database, settings, caches and the SQLite group writer."""

    db: Database
    settings: HelpdeskSettings
    _stats: dict[str, tuple[float, list[float], int]]
    _contact: dict[str, float]
    _lock: threading.Lock
    _writer: GroupWriter | None

    @staticmethod
    def _visible(conn: Connection, caller: Caller, escalation_id: str) -> dict:
        row = conn.execute(select(escalations).where(escalations.c.id == escalation_id)).mappings().first()
        if row is None or not may_see(caller, row):
            raise NotFound("no such escalation")
        return dict(row)


def may_see(caller: Caller, row: Mapping[str, Any] | RowMapping) -> bool:
    """True when the caller may see the escalation: its own kiosk, or staff serving its site."""
    if isinstance(caller, KioskPrincipal):
        return row["kiosk_id"] == caller.kiosk_id
    return caller.serves(row["site_id"])


def apply_action(conn: Connection, row: dict, action: str, **values: object) -> dict:
    """Move `row` to its next state; the WHERE on the old state makes it atomic across processes."""
    new_state = domain.next_state(row["status"], action)
    values.update(status=new_state, updated_at=utcnow())
    done = conn.execute(
        update(escalations)
        .where(
            escalations.c.id == row["id"],
            escalations.c.status == row["status"],
            _same_claimer(row["claimed_by"]),
        )
        .values(**values)
    ).rowcount
    if done != 1:
        if action == "claim":
            raise AlreadyClaimed("someone else is already helping this resident")
        raise InvalidTransition("the escalation changed meanwhile; reload it")
    return {**row, **values}


def _same_claimer(claimed_by: int | None):
    column = escalations.c.claimed_by
    return column.is_(None) if claimed_by is None else column == claimed_by


def change_of(conn: Connection, row: dict, action: str, claimer: str | None = None) -> Change:
    """The change, with its bus events written in `conn`'s transaction."""
    return Change(row["id"], row["site_id"], row["status"], action, record_change(conn, row, action, claimer))


def record_change(conn: Connection, row: dict, action: str, claimer: str | None = None) -> tuple[Recorded, ...]:
    """Write a change's queue event and its escalation's event in `conn`'s transaction (a new escalation has no
    listeners of its own yet: nobody could know its id before this transaction commits)."""
    payload = queue_payload(row, action, claimer)
    queued = events.record(conn, QUEUE_TOPIC, payload)
    if action == "create":
        return (queued,)
    return (queued, events.record(conn, escalation_topic(row["id"]), payload))


QUEUE_ROW_FIELDS = ("id", "status", "site_id", "kiosk_id", "procedure_id", "step_id", "language", "reason")
"""What a queue row shows, sent with each queue event so an open console draws the row without a refetch."""


def queue_payload(row: dict, action: str, claimer: str | None = None) -> dict:
    """A queue event: which escalation, its site and status, and (besides messages) the row as the queue shows it."""
    payload = {"escalation_id": row["id"], "site_id": row["site_id"], "status": row["status"], "action": action}
    if "created_at" in row and action != "message":
        shown = {name: row[name] for name in QUEUE_ROW_FIELDS}
        payload["row"] = {**shown, "claimed_by": claimer, "created_at": row["created_at"].isoformat()}
    return payload


def insert_message(conn: Connection, escalation_id: str, **values: object) -> dict:
    """Add a message to an escalation's conversation."""
    values.update(escalation_id=escalation_id, created_at=utcnow())
    message_id = conn.execute(insert(messages).values(**values)).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
    return {"id": int(message_id), **values}


def system_message(conn: Connection, escalation_id: str, code: str) -> dict:
    """A system message (claimed, released, ...) in the conversation."""
    return insert_message(conn, escalation_id, sender="system", kind="system", text=code, step_id=None)
