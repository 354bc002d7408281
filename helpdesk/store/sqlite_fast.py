"""The three statements of an escalation insert, straight on the sqlite3 connection (SQLite only).

They run inside the group writer's transaction (SQLAlchemy opened it on the same connection), where every
microsecond is serialized; SQLAlchemy's statement execution costs more than SQLite's work here. Values are
stored exactly as SQLAlchemy stores them (UTC text timestamps, JSON text), and the schema is the one the
migrations create, so everything else keeps reading these rows through SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

_COLUMNS = (
    "id", "kiosk_id", "site_id", "idempotency_key", "body_hash", "session_id", "procedure_id", "step_id",
    "language", "reason", "path", "status", "created_at", "updated_at", "kiosk_contact_at",
)  # fmt: skip
_INSERT = f"INSERT INTO escalations ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)})"
_KEY_TAKEN = "SELECT 1 FROM escalations WHERE kiosk_id = ? AND idempotency_key = ?"
_WAITING = "SELECT count(*) FROM (SELECT 1 FROM escalations WHERE site_id = ? AND status = 'waiting' LIMIT ?)"


def timestamp(value: dt.datetime) -> str:
    """A UTC timestamp in SQLAlchemy's SQLite storage format."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def key_taken(conn: sqlite3.Connection, kiosk_id: str, key: str) -> bool:
    """True when this kiosk already used this Idempotency-Key."""
    return conn.execute(_KEY_TAKEN, (kiosk_id, key)).fetchone() is not None


def insert_escalation(conn: sqlite3.Connection, row: dict) -> None:
    """Insert a new escalation row (the dict the store built)."""
    values = {column: row[column] for column in _COLUMNS}
    values["path"] = json.dumps(row["path"])
    for column in ("created_at", "updated_at", "kiosk_contact_at"):
        values[column] = timestamp(row[column])
    conn.execute(_INSERT, values)


def waiting_count(conn: sqlite3.Connection, site_id: str, cap: int) -> int:
    """How many escalations wait at the site, counted up to `cap`."""
    return int(conn.execute(_WAITING, (site_id, cap)).fetchone()[0])
