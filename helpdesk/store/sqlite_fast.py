"""Hot inserts straight on the sqlite3 connection (SQLite only): an escalation's three statements, session events.

They run inside the group writer's transaction (SQLAlchemy opened it on the same connection), where every
microsecond is serialized; SQLAlchemy's statement execution costs more than SQLite's work here. Values are
stored exactly as SQLAlchemy stores them (UTC text timestamps, JSON text), and the schema is the one the
migrations create, so everything else keeps reading these rows through SQLAlchemy.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON

from helpdesk.clock import sqlite_timestamp
from helpdesk.tables import UTCDateTime, escalations

_SET_LATER = frozenset({"claimed_by", "claimed_at", "ended_at", "outcome"})
"""Columns an escalation gets as it is handled; a new row carries every other column of the table."""
_NEW_ROW = tuple(column for column in escalations.columns if column.name not in _SET_LATER)
_COLUMNS = tuple(column.name for column in _NEW_ROW)
_ENCODERS: dict[str, Callable[[Any], str]] = {
    column.name: json.dumps if isinstance(column.type, JSON) else sqlite_timestamp
    for column in _NEW_ROW
    if isinstance(column.type, JSON | UTCDateTime)
}
"""Values stored as SQLAlchemy stores them on SQLite: JSON as text, aware datetimes as UTC text."""
_INSERT = f"INSERT INTO escalations ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)})"
_KEY_TAKEN = "SELECT 1 FROM escalations WHERE kiosk_id = ? AND idempotency_key = ?"
_WAITING = "SELECT count(*) FROM (SELECT 1 FROM escalations WHERE site_id = ? AND status = 'waiting' LIMIT ?)"


EVENT_MMAP_BYTES = 1 << 30
EVENT_CACHE_KIB = 16 * 1024
"""Connections that store session events read the file through a memory map and keep a 16 MiB page cache: the
event-id index takes random inserts, and with SQLite's default 2 MiB cache and no map each of them read its page
back from the OS (about 60 bytes of that index per stored event). The map shares the OS page cache, so connections
do not each hold a private copy of the index; the cache holds the pages a batch dirties."""
EVENT_CHECKPOINT_PAGES = 16_384
"""WAL pages between automatic checkpoints on those connections (SQLite's default is 1,000). A batch of 1,000 events
dirties about as many index pages at random, so the default checkpointed after every batch and copied each page
back into the database file again and again; a longer WAL lets a checkpoint copy each page once."""


def key_taken(conn: sqlite3.Connection, kiosk_id: str, key: str) -> bool:
    """True when this kiosk already used this Idempotency-Key."""
    return conn.execute(_KEY_TAKEN, (kiosk_id, key)).fetchone() is not None


def insert_escalation(conn: sqlite3.Connection, row: dict) -> None:
    """Insert a new escalation row (the dict the store built)."""
    values = {column: row[column] for column in _COLUMNS}
    for column, encode in _ENCODERS.items():
        values[column] = encode(values[column])
    conn.execute(_INSERT, values)


def waiting_count(conn: sqlite3.Connection, site_id: str, cap: int) -> int:
    """How many escalations wait at the site, counted up to `cap`."""
    return int(conn.execute(_WAITING, (site_id, cap)).fetchone()[0])


def insert_session_events(conn: sqlite3.Connection, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """Insert session-event rows, skipping event ids already stored; returns how many rows were inserted."""
    conn.execute(f"PRAGMA mmap_size={EVENT_MMAP_BYTES}")
    conn.execute(f"PRAGMA cache_size=-{EVENT_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint={EVENT_CHECKPOINT_PAGES}")
    statement = (
        f"INSERT INTO session_events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        "ON CONFLICT (event_id) DO NOTHING"
    )
    before = conn.total_changes
    conn.executemany(statement, rows)
    return conn.total_changes - before
