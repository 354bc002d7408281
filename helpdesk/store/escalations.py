"""Escalations and their conversations: create idempotently, move through the lifecycle atomically."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk import domain, security
from helpdesk.bus import QUEUE_TOPIC, Recorded, escalation_topic
from helpdesk.database import Database
from helpdesk.errors import (
    ActiveLimitReached,
    AlreadyClaimed,
    BadRequest,
    Forbidden,
    IdempotencyConflict,
    InvalidTransferTarget,
    InvalidTransition,
    NotFound,
)
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.screening import screen_text
from helpdesk.settings import HelpdeskSettings
from helpdesk.store import audit, events, sqlite_fast
from helpdesk.store.accounts import active_staff_in, utcnow
from helpdesk.store.group_writer import GroupWriter
from helpdesk.tables import escalations, messages, sites, staff
from helpdesk.wire import EscalationRequest

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


class EscalationStore:
    """Escalation operations; caches handling-time statistics per site for the wait estimate."""

    def __init__(self, db: Database, settings: HelpdeskSettings) -> None:
        self.db = db
        self.settings = settings
        self._stats: dict[str, tuple[float, list[float], int]] = {}
        self._contact: dict[str, float] = {}
        self._lock = threading.Lock()
        self._writer: GroupWriter | None = None

    # --- kiosk side -------------------------------------------------------------------------------
    def create(self, kiosk: KioskPrincipal, key: str, request: EscalationRequest) -> tuple[dict, bool]:
        """Store a new escalation, or return the one this Idempotency-Key made before: (row, created)."""
        row, created, _ = self.create_recorded(kiosk, key, request)
        return row, created

    def create_recorded(
        self, kiosk: KioskPrincipal, key: str, request: EscalationRequest
    ) -> tuple[dict, bool, tuple[Recorded, ...]]:
        """`create`, with the bus events written in its transaction: (row, created, events).

        Returns only after the commit. On SQLite, escalations arriving together share one transaction
        (one fsync) through a group writer; PostgreSQL does its own group commit across connections.
        """
        if not key or len(key) > 200:
            raise BadRequest("an Idempotency-Key header of 1-200 characters is required")
        body_hash = security.digest(request.model_dump_json())
        if self.db.is_sqlite:
            return self._group_writer().submit(kiosk, key, request, body_hash)
        try:
            with self.db.write() as conn:
                return self._create_in(conn, kiosk, key, request, body_hash)
        except IntegrityError:  # a concurrent retry with the same key won the insert (PostgreSQL)
            with self.db.read() as conn:
                existing = self._by_key(conn, kiosk.kiosk_id, key)
            if existing is None:
                raise
            return self._replayed(existing, body_hash), False, ()

    def _create_in(
        self, conn: Connection, kiosk: KioskPrincipal, key: str, request: EscalationRequest, body_hash: str
    ) -> tuple[dict, bool, tuple[Recorded, ...]]:
        raw = conn.connection.driver_connection if self.db.is_sqlite else None
        if raw is None or sqlite_fast.key_taken(raw, kiosk.kiosk_id, key):
            existing = self._by_key(conn, kiosk.kiosk_id, key)
            if existing is not None:
                return self._replayed(existing, body_hash), False, ()
        now = utcnow()
        row = {
            "id": uuid.uuid4().hex,
            "kiosk_id": kiosk.kiosk_id,
            "site_id": kiosk.site_id,
            "idempotency_key": key,
            "body_hash": body_hash,
            **request.model_dump(mode="json"),
            "status": "waiting",
            "created_at": now,
            "updated_at": now,
            "kiosk_contact_at": now,
        }
        # A new escalation is the youngest in its site's queue, so its place is the count of waiting ones.
        if raw is None:
            conn.execute(_INSERT, row)
            row["position_at_create"] = _waiting_count(conn, kiosk.site_id)
        else:
            sqlite_fast.insert_escalation(raw, row)
            row["position_at_create"] = sqlite_fast.waiting_count(raw, kiosk.site_id, POSITION_CAP)
        return row, True, _record(conn, row, "create")

    def _group_writer(self) -> GroupWriter:
        with self._lock:
            if self._writer is None:
                self._writer = GroupWriter(self.db, self._create_in)
            return self._writer

    def close(self) -> None:
        """Stop the group writer thread, if one was started."""
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.stop()

    @staticmethod
    def _by_key(conn: Connection, kiosk_id: str, key: str) -> dict | None:
        found = conn.execute(_BY_KEY, {"kiosk_id": kiosk_id, "key": key}).mappings().first()
        return None if found is None else dict(found)

    @staticmethod
    def _replayed(existing: dict, body_hash: str) -> dict:
        if not security.same_secret(existing["body_hash"], body_hash):
            raise IdempotencyConflict("this Idempotency-Key was used with a different body")
        return existing

    def get(self, caller: Caller, escalation_id: str) -> dict:
        """An escalation the caller may see (NotFound otherwise, so ids do not leak)."""
        with self.db.read() as conn:
            row = self._visible(conn, caller, escalation_id)
        if isinstance(caller, KioskPrincipal):
            self.touch(escalation_id)
        return row

    def _visible(self, conn: Connection, caller: Caller, escalation_id: str) -> dict:
        row = conn.execute(select(escalations).where(escalations.c.id == escalation_id)).mappings().first()
        if row is None or not _may_see(caller, row):
            raise NotFound("no such escalation")
        return dict(row)

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

    def cancel(self, kiosk: KioskPrincipal, escalation_id: str) -> tuple[dict, Change]:
        """The resident left: the kiosk cancels its escalation."""
        with self.db.write() as conn:
            row = self._visible(conn, kiosk, escalation_id)
            row = _apply(conn, row, "cancel", ended_at=utcnow())
            audit.record(conn, kiosk, "cancel", escalation_id)
            _system_message(conn, escalation_id, "cancelled")
            change = _change(conn, row, "cancel")
        return row, change

    # --- staff side -------------------------------------------------------------------------------
    def claim(self, member: StaffPrincipal, escalation_id: str) -> tuple[dict, Change]:
        """Take an escalation: exactly one of several concurrent claimers wins."""
        with self.db.write() as conn:
            row = self._visible(conn, member, escalation_id)
            if row["status"] == "claimed":
                raise AlreadyClaimed("someone else is already helping this resident")
            self._check_limit(conn, member.id)
            row = _apply(conn, row, "claim", claimed_by=member.id, claimed_at=utcnow())
            audit.record(conn, member, "claim", escalation_id)
            _system_message(conn, escalation_id, "claimed")
            change = _change(conn, row, "claim", member.display_name)
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
            row = _apply(conn, row, "transfer", claimed_by=target.id, claimed_at=utcnow())
            audit.record(conn, member, "transfer", escalation_id, detail=f"to:{target.id}")
            _system_message(conn, escalation_id, "transferred")
            change = _change(conn, row, "transfer", target.display_name)
        return row, change

    def _claimer_action(self, member: StaffPrincipal, escalation_id: str, action: str, **values: object):
        with self.db.write() as conn:
            row = self._visible(conn, member, escalation_id)
            domain.next_state(row["status"], action)
            if row["claimed_by"] != member.id:
                raise NotClaimer(f"only the staff member handling this escalation can {action} it")
            row = _apply(conn, row, action, **values)
            audit.record(conn, member, action, escalation_id)
            _system_message(conn, escalation_id, {"release": "released", "resolve": "resolved"}[action])
            change = _change(conn, row, action)
        return row, change

    # --- conversation -----------------------------------------------------------------------------
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
            message = _insert_message(
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
                events.record(conn, QUEUE_TOPIC, _queue_payload(row, "message")),
            )
        return message, row, recorded

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

    # --- queue ------------------------------------------------------------------------------------
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
                _system_message(conn, row.id, "abandoned")
                changes.append(_change(conn, {"id": row.id, "site_id": row.site_id, "status": "abandoned"}, "abandon"))
        return changes


def _may_see(caller: Caller, row: dict) -> bool:
    if isinstance(caller, KioskPrincipal):
        return row["kiosk_id"] == caller.kiosk_id
    return caller.serves(row["site_id"])


def _apply(conn: Connection, row: dict, action: str, **values: object) -> dict:
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


def _same_claimer(claimed_by: int | None):  # type: ignore[no-untyped-def]
    column = escalations.c.claimed_by
    return column.is_(None) if claimed_by is None else column == claimed_by


def _change(conn: Connection, row: dict, action: str, claimer: str | None = None) -> Change:
    """The change, with its bus events written in `conn`'s transaction."""
    return Change(row["id"], row["site_id"], row["status"], action, _record(conn, row, action, claimer))


def _record(conn: Connection, row: dict, action: str, claimer: str | None = None) -> tuple[Recorded, ...]:
    payload = _queue_payload(row, action, claimer)
    return (events.record(conn, QUEUE_TOPIC, payload), events.record(conn, escalation_topic(row["id"]), payload))


QUEUE_ROW_FIELDS = ("id", "status", "site_id", "kiosk_id", "procedure_id", "step_id", "language", "reason")
"""What a queue row shows, sent with each queue event so an open console draws the row without a refetch."""


def _queue_payload(row: dict, action: str, claimer: str | None = None) -> dict:
    payload = {"escalation_id": row["id"], "site_id": row["site_id"], "status": row["status"], "action": action}
    if "created_at" in row and action != "message":
        shown = {name: row[name] for name in QUEUE_ROW_FIELDS}
        payload["row"] = {**shown, "claimed_by": claimer, "created_at": row["created_at"].isoformat()}
    return payload


def _insert_message(conn: Connection, escalation_id: str, **values: object) -> dict:
    values.update(escalation_id=escalation_id, created_at=utcnow())
    message_id = conn.execute(insert(messages).values(**values)).inserted_primary_key[0]
    return {"id": int(message_id), **values}


def _system_message(conn: Connection, escalation_id: str, code: str) -> dict:
    return _insert_message(conn, escalation_id, sender="system", kind="system", text=code, step_id=None)


def _sla_s(conn: Connection, site_id: str) -> int:
    minutes = conn.execute(select(sites.c.sla_minutes).where(sites.c.id == site_id)).scalar()
    return int(minutes or 10) * 60


def _waiting_count(conn: Connection, site_id: str) -> int:
    return conn.execute(_WAITING_COUNT, {"site_id": site_id}).scalar_one()


POSITION_CAP = 200
"""A new escalation's position is counted up to this (a queue that long is an incident, not a wait);
counting further would make every insert slower as the queue grows, inside the serialized writer."""

# Built once: escalation creation is the hot path, and building statements per call costs more than SQLite.
_INSERT = insert(escalations)
_BY_KEY = select(escalations).where(
    escalations.c.kiosk_id == bindparam("kiosk_id"), escalations.c.idempotency_key == bindparam("key")
)
_WAITING_COUNT = select(func.count()).select_from(
    select(escalations.c.id)
    .where(escalations.c.site_id == bindparam("site_id"), escalations.c.status == "waiting")
    .limit(POSITION_CAP)
    .subquery()
)


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
