"""Talking with the resident beyond typed text: yes/no questions, the resident's answers and the staff pointer.

They live in the conversation's table (one ordering, one long-poll, one bus topic) under kinds the v1 wire never
carried (`question`, `answer`, `pointer`); `wire_message` maps them onto the wire additively."""

from __future__ import annotations

import json

from sqlalchemy import select

from helpdesk import domain
from helpdesk.bus import QUEUE_TOPIC, Recorded, escalation_topic
from helpdesk.bus import outbox as events
from helpdesk.errors import InvalidTransition
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.store import audit
from helpdesk.store.escalation_rows import NotClaimer, StoreState, insert_message, queue_payload
from helpdesk.tables import messages

SIGNAL_KINDS = ("pointer", "call")
"""Stored kinds that reach the kiosk as `MessageList.signals`, not as conversation messages."""


class Talk(StoreState):
    """The escalation store's answers and pointer."""

    def answer(
        self, kiosk: KioskPrincipal, escalation_id: str, *, key: str, answer: str, question_id: int | None
    ) -> tuple[dict, bool, tuple[Recorded, ...]]:
        """Store a resident's answer once per key: returns (message, created, bus events)."""
        with self.db.write() as conn:
            row = self._visible(conn, kiosk, escalation_id)
            known = (
                conn.execute(
                    select(messages).where(messages.c.escalation_id == escalation_id, messages.c.client_key == key)
                )
                .mappings()
                .first()
            )
            if known is not None:
                return dict(known), False, ()
            if row["status"] in domain.ENDED:
                raise InvalidTransition(f"the escalation is {row['status']}")
            if question_id is not None and not _is_question(conn, escalation_id, question_id):
                question_id = None  # not a question of this conversation: keep the answer, drop the link
            message = insert_message(
                conn,
                escalation_id,
                sender="kiosk",
                kind="answer",
                text=answer,
                step_id=None,
                client_key=key,
                refers_to=question_id,
            )
            recorded = _message_events(conn, row, message)
        return message, True, recorded

    def point(self, member: StaffPrincipal, escalation_id: str, element: str) -> tuple[dict, tuple[Recorded, ...]]:
        """Staff point at an element of the resident's screen (only the claimer, only while it is open)."""
        with self.db.write() as conn:
            row = self._visible(conn, member, escalation_id)
            if row["status"] in domain.ENDED:
                raise InvalidTransition(f"the escalation is {row['status']}")
            if row["claimed_by"] != member.id:
                raise NotClaimer("claim the escalation before pointing at the resident's screen")
            message = insert_message(
                conn, escalation_id, sender="staff", kind="pointer", text=element, step_id=None, staff_id=member.id
            )
            audit.record(conn, member, "point", escalation_id, detail=element)
            recorded = (
                events.record(
                    conn, escalation_topic(escalation_id), {"escalation_id": escalation_id, "message": message["id"]}
                ),
            )
        return message, recorded


def _is_question(conn, escalation_id: str, message_id: int) -> bool:
    kind = conn.execute(
        select(messages.c.kind).where(messages.c.id == message_id, messages.c.escalation_id == escalation_id)
    ).scalar()
    return kind == "question"


def _message_events(conn, row: dict, message: dict) -> tuple[Recorded, ...]:
    escalation_id = row["id"]
    return (
        events.record(
            conn, escalation_topic(escalation_id), {"escalation_id": escalation_id, "message": message["id"]}
        ),
        events.record(conn, QUEUE_TOPIC, queue_payload(row, "message")),
    )


def wire_message(row: dict) -> dict:
    """A stored message as `StaffMessage` fields: questions are text with `question`, answers text with `answer`."""
    fields = {k: row.get(k) for k in ("id", "escalation_id", "sender", "kind", "text", "step_id", "created_at")}
    if row["kind"] == "question":
        fields.update(kind="text", question="yes-no")
    elif row["kind"] == "answer":
        fields.update(kind="text", text="", answer=row["text"], answers=row.get("refers_to"))
    return fields


def wire_signal(row: dict) -> dict:
    """A stored pointer or call signal as `KioskSignal` fields."""
    if row["kind"] == "call":
        return {"id": row["id"], "kind": "call", "call": json.loads(row["text"]), "created_at": row["created_at"]}
    return {"id": row["id"], "kind": row["kind"], "element": row["text"], "created_at": row["created_at"]}
