"""Session-event ingest on a real database (SQLite always, PostgreSQL when set): exactly once per event id,
duplicates counted, and rows stored the way SQLAlchemy reads them back."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from helpdesk.database import Database
from helpdesk.store import journal
from helpdesk.tables import session_events
from helpdesk.wire import SessionEvent, SessionEventBatch

from .conftest import World

TOKYO = dt.timezone(dt.timedelta(hours=9))


def event(at: dt.datetime, **overrides: object) -> SessionEvent:
    values: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "session_id": uuid.uuid4().hex,
        "kiosk_id": "north-1",
        "procedure_id": "moving-in",
        "step_id": "start",
        "action": "step-shown",
        "seconds": 2.5,
        "at": at,
    }
    return SessionEvent.model_validate({**values, **overrides})


def stored(db: Database) -> list[dict]:
    with db.read() as conn:
        rows = conn.execute(select(session_events).order_by(session_events.c.at, session_events.c.event_id))
        return [dict(r._mapping) for r in rows]


def test_a_batch_mixing_new_and_stored_events_counts_each_once(db: Database, world: World) -> None:
    at = dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC)
    first = [event(at + dt.timedelta(seconds=i)) for i in range(3)]
    kiosk = world.kiosk("north-1")
    assert journal.ingest_events(db, kiosk, SessionEventBatch(events=first)) == (3, 0)
    later = [event(at + dt.timedelta(seconds=10 + i)) for i in range(2)]
    assert journal.ingest_events(db, kiosk, SessionEventBatch(events=[first[1], *later, first[0]])) == (2, 2)
    assert [r["event_id"] for r in stored(db)] == [str(e.event_id) for e in first + later]


def test_an_event_sent_twice_in_one_batch_is_stored_once(db: Database, world: World) -> None:
    one = event(dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC))
    assert journal.ingest_events(db, world.kiosk("north-1"), SessionEventBatch(events=[one, one, one])) == (1, 2)
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(session_events)).scalar_one() == 1


def test_rows_keep_every_field_in_utc_with_the_kiosks_site(db: Database, world: World) -> None:
    local = dt.datetime(2026, 10, 1, 18, 30, 5, 123456, tzinfo=TOKYO)
    full = event(local, outcome="completed", action="session-end", seconds=0.0)
    bare = event(local + dt.timedelta(minutes=1), procedure_id=None, step_id=None, action="session-start")
    before = dt.datetime.now(dt.UTC)
    journal.ingest_events(db, world.kiosk("north-1"), SessionEventBatch(events=[full, bare]))
    first, second = stored(db)
    assert first["at"] == local and first["at"].utcoffset() == dt.timedelta(0)
    assert first["at"].hour == 9 and first["at"].microsecond == 123456
    assert first["site_id"] == "north" and first["kiosk_id"] == "north-1"
    assert (first["action"], first["outcome"], first["seconds"]) == ("session-end", "completed", 0.0)
    assert first["received_at"] >= before - dt.timedelta(seconds=1)
    assert (second["procedure_id"], second["step_id"], second["outcome"]) == (None, None, None)
    with db.read() as conn:  # SQL comparisons on the stored text agree with SQLAlchemy's own format
        later = conn.execute(
            select(func.count()).where(session_events.c.at >= dt.datetime(2026, 10, 1, 9, 30, 5, 123456, tzinfo=dt.UTC))
        ).scalar_one()
    assert later == 2
