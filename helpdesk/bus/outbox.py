"""Notification-bus events written in the transaction of the change they describe (a transactional outbox).

A change and its event commit together or not at all, so a process that dies after its commit but before it
publishes loses nothing: the event is in the database, and the bus publishes from what was committed.

- SQLite (one writer at a time): events of replayable topics (the queue) are numbered inside the transaction and
  stored in `bus_events`; since writes are serialised, ids follow commit order. Other topics (an escalation's own
  listeners, in this process only) need no row: they are published after the commit.
- PostgreSQL (several processes, concurrent transactions): every event goes to `bus_outbox` unnumbered; the bus's
  relay numbers committed ones from the shared sequence under a lock, so ids follow the relay's commit order.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from sqlalchemy import Connection

from helpdesk.bus.events import REPLAY_TOPICS, Recorded
from helpdesk.clock import sqlite_timestamp

_NEXT_ID = (
    "SELECT max(coalesce((SELECT max(id) FROM bus_events), 0), coalesce((SELECT max(floor) FROM bus_replay_floor), 0))"
)
_STORE = "INSERT INTO bus_events (id, topic, payload, created_at) VALUES (?, ?, ?, ?)"
_OUTBOX = "INSERT INTO bus_outbox (topic, payload, created_at) VALUES (%(topic)s, %(payload)s, now())"


def record(conn: Connection, topic: str, payload: dict[str, Any]) -> Recorded:
    """Write an event in `conn`'s (write) transaction; publish it with `bus.committed` after the commit."""
    body = json.dumps(payload, separators=(",", ":"), default=str)
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(_OUTBOX, {"topic": topic, "payload": body})
        return Recorded(topic, payload)
    if topic not in REPLAY_TOPICS:
        return Recorded(topic, payload)
    raw = _sqlite(conn)
    event_id = int(raw.execute(_NEXT_ID).fetchone()[0]) + 1
    raw.execute(_STORE, (event_id, topic, body, sqlite_timestamp(dt.datetime.now(dt.UTC))))
    return Recorded(topic, payload, event_id)


def trim(conn: Connection, before_epoch_s: float) -> None:
    """SQLite: delete stored events older than `before_epoch_s` and raise each topic's replay floor to match."""
    raw = _sqlite(conn)
    cutoff = sqlite_timestamp(dt.datetime.fromtimestamp(before_epoch_s, dt.UTC))
    below = raw.execute("SELECT min(id) FROM bus_events WHERE created_at >= ?", (cutoff,)).fetchone()[0]
    if below is None:
        below = int(raw.execute("SELECT coalesce(max(id), 0) FROM bus_events").fetchone()[0]) + 1
    gone = raw.execute("SELECT topic, max(id) FROM bus_events WHERE id < ? GROUP BY topic", (below,)).fetchall()
    raw.execute("DELETE FROM bus_events WHERE id < ?", (below,))
    raw.executemany(
        "INSERT INTO bus_replay_floor (topic, floor) VALUES (?, ?) "
        "ON CONFLICT (topic) DO UPDATE SET floor = max(floor, excluded.floor)",
        gone,
    )


def _sqlite(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under SQLAlchemy's (these statements run on the driver, inside its transaction)."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError(f"expected a SQLite connection, got {type(raw).__name__}")
    return raw
