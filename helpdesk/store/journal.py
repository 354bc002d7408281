"""Session events from kiosks, kiosk heartbeats, and the retention purge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, select, update

from helpdesk.clock import sqlite_timestamp, utcnow
from helpdesk.database import Database
from helpdesk.errors import Forbidden
from helpdesk.principals import KioskPrincipal
from helpdesk.screening import screen_text
from helpdesk.store.accounts import get_site
from helpdesk.store.sqlite_fast import insert_session_events
from helpdesk.tables import audit_entries, escalations, kiosks, messages, session_events
from helpdesk.wire import KioskHeartbeat, SessionEventBatch

EVENT_COLUMNS = (
    "event_id", "session_id", "kiosk_id", "site_id", "procedure_id", "step_id", "action", "seconds", "outcome", "at",
    "received_at", "content_version",
)  # fmt: skip
_STAGING = "incoming_session_events"
_CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} (LIKE session_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_COPY_PG = f"COPY {_STAGING} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
_INSERT_PG = (
    f"INSERT INTO session_events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(EVENT_COLUMNS)} FROM {_STAGING} "
    "ON CONFLICT (event_id) DO NOTHING"
)


def ingest_events(db: Database, kiosk: KioskPrincipal, batch: SessionEventBatch) -> tuple[int, int]:
    """Store a batch of session events once each (by event id): returns (accepted, duplicates).

    The rows go straight to the driver (SQLite: one `executemany ... ON CONFLICT DO NOTHING`; PostgreSQL: COPY, then
    one `INSERT ... SELECT ... ON CONFLICT DO NOTHING`), with no RETURNING: the database counts the rows it really
    inserted, so an event id already stored, or sent twice in the batch, is a duplicate. SQLAlchemy's per-row
    statement handling cost more than the database's own work here."""
    events = batch.events
    if any(event.kiosk_id != kiosk.kiosk_id for event in events):
        raise Forbidden("a kiosk may only send its own session events")
    with db.write() as conn:
        accepted = _insert_sqlite(conn, kiosk, batch) if db.is_sqlite else _insert_postgres(conn, kiosk, batch)
    return accepted, len(events) - accepted


def _insert_sqlite(conn: Connection, kiosk: KioskPrincipal, batch: SessionEventBatch) -> int:
    received = sqlite_timestamp(utcnow())
    rows = [
        (str(e.event_id), e.session_id, e.kiosk_id, kiosk.site_id, e.procedure_id, e.step_id, e.action, e.seconds,
         e.outcome, sqlite_timestamp(e.at), received, e.content_version)
        for e in batch.events
    ]  # fmt: skip
    return insert_session_events(conn.connection.dbapi_connection, EVENT_COLUMNS, rows)  # type: ignore[arg-type]


def _insert_postgres(conn: Connection, kiosk: KioskPrincipal, batch: SessionEventBatch) -> int:
    """COPY the batch into a per-connection staging table (emptied at commit), then move it over in one
    INSERT ... SELECT ... ON CONFLICT DO NOTHING, whose row count is what was new."""
    received = utcnow()
    with conn.connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(_CREATE_STAGING)  # every time: a rolled-back first batch takes its CREATE with it
        with cursor.copy(_COPY_PG) as copy:
            for e in batch.events:
                copy.write_row(
                    (str(e.event_id), e.session_id, e.kiosk_id, kiosk.site_id, e.procedure_id, e.step_id, e.action,
                     e.seconds, e.outcome, e.at, received, e.content_version)
                )  # fmt: skip
        cursor.execute(_INSERT_PG)
        return max(cursor.rowcount, 0)


def record_heartbeat(db: Database, kiosk: KioskPrincipal, heartbeat: KioskHeartbeat) -> dict:
    """Keep a kiosk's latest status; returns its site (name and fallback phone for the kiosk)."""
    now = utcnow()
    status = {**heartbeat.model_dump(mode="json"), "at": now.isoformat()}
    # Free text a kiosk reports (a file name and reason) could carry anything a person typed: screen it like messages.
    status["content_errors"] = [screen_text(error) for error in heartbeat.content_errors]
    status["kiosk_version"] = screen_text(heartbeat.kiosk_version)
    status["content_version"] = screen_text(heartbeat.content_version)
    with db.write() as conn:
        conn.execute(update(kiosks).where(kiosks.c.id == kiosk.kiosk_id).values(last_seen_at=now, last_status=status))
        return get_site(conn, kiosk.site_id)


def purge(db: Database, *, older_than_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete session events, ended escalations (with messages) and audit entries older than the limit."""
    cutoff = (now or utcnow()) - dt.timedelta(days=older_than_days)
    with db.write() as conn:
        events = conn.execute(delete(session_events).where(session_events.c.at < cutoff)).rowcount
        old = select(escalations.c.id).where(escalations.c.ended_at.is_not(None), escalations.c.ended_at < cutoff)
        gone_messages = conn.execute(delete(messages).where(messages.c.escalation_id.in_(old))).rowcount
        gone = conn.execute(
            delete(escalations).where(escalations.c.ended_at.is_not(None), escalations.c.ended_at < cutoff)
        ).rowcount
        audits = conn.execute(delete(audit_entries).where(audit_entries.c.at < cutoff)).rowcount
    return {"session_events": events, "escalations": gone, "messages": gone_messages, "audit_entries": audits}
