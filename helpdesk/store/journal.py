"""Session events from kiosks, kiosk heartbeats, and the retention purge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from helpdesk.database import Database
from helpdesk.errors import Forbidden
from helpdesk.principals import KioskPrincipal
from helpdesk.store.accounts import get_site, utcnow
from helpdesk.tables import audit_entries, escalations, kiosks, messages, session_events
from helpdesk.wire import KioskHeartbeat, SessionEventBatch


def ingest_events(db: Database, kiosk: KioskPrincipal, batch: SessionEventBatch) -> tuple[int, int]:
    """Store a batch of session events once each (by event id): returns (accepted, duplicates)."""
    if any(event.kiosk_id != kiosk.kiosk_id for event in batch.events):
        raise Forbidden("a kiosk may only send its own session events")
    now = utcnow()
    rows = {
        str(event.event_id): {
            **event.model_dump(mode="python"),
            "event_id": str(event.event_id),
            "site_id": kiosk.site_id,
            "received_at": now,
        }
        for event in batch.events
    }
    dialect = postgresql if not db.is_sqlite else sqlite
    with db.write() as conn:
        statement = (
            dialect.insert(session_events)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(session_events.c.event_id)
        )
        accepted = len(conn.execute(statement, list(rows.values())).all())
    return accepted, len(batch.events) - accepted


def record_heartbeat(db: Database, kiosk: KioskPrincipal, heartbeat: KioskHeartbeat) -> dict:
    """Keep a kiosk's latest status; returns its site (name and fallback phone for the kiosk)."""
    now = utcnow()
    status = {**heartbeat.model_dump(mode="json"), "at": now.isoformat()}
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
