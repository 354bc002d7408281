"""Creating escalations: idempotent by (kiosk, Idempotency-Key), the hot path (group commit on SQLite)."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from helpdesk import security
from helpdesk.bus import Recorded
from helpdesk.clock import utcnow
from helpdesk.errors import BadRequest, IdempotencyConflict
from helpdesk.principals import KioskPrincipal
from helpdesk.store import sqlite_fast
from helpdesk.store.escalation_rows import StoreState, record_change
from helpdesk.store.group_writer import GroupWriter
from helpdesk.tables import escalations
from helpdesk.wire import EscalationRequest


class Creating(StoreState):
    """The escalation store's create operations."""

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
        # exclude_none: a request from before an optional field existed hashes the same after it was added, so a
        # retry that spans a server upgrade is still recognised as the same request
        body_hash = security.digest(request.model_dump_json(exclude_none=True))
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
        return row, True, record_change(conn, row, "create")

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
