"""The kiosk's durable outbox: everything the kiosk must deliver to the helpdesk (help requests, cancellations,
session events, heartbeats) is committed to a local SQLite file (WAL, synchronous=FULL) with its idempotency key
*before* anyone is told it was accepted. A background sender delivers in order per escalation, retries with capped
exponential backoff and jitter, survives restarts, and reports each item's state.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,          -- the Idempotency-Key / event id, fixed when the item is created
    kind TEXT NOT NULL,                -- escalation | cancel | answer | event | heartbeat
    grp TEXT NOT NULL,                 -- items of one group are delivered strictly in order
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    error TEXT,
    result TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_pending ON items (state, next_at);
"""

DUE = """
SELECT seq, key, kind, grp, body, attempts FROM items AS i
WHERE state = 'pending' AND next_at <= ?
  AND NOT EXISTS (SELECT 1 FROM items AS j WHERE j.grp = i.grp AND j.state = 'pending' AND j.seq < i.seq)
ORDER BY seq LIMIT ?
"""


@dataclass(frozen=True)
class Item:
    """One thing to deliver."""

    seq: int
    key: str
    kind: str
    group: str
    body: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter (the delay is drawn between half and all of the capped value)."""

    base_s: float = 1.0
    cap_s: float = 60.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Seconds to wait before attempt number `attempts + 1`."""
        capped = min(self.cap_s, self.base_s * 2 ** min(attempts, 20))
        return capped * rng.uniform(0.5, 1.0)


class Outbox:
    """The durable queue itself; thread-safe. `put_*` return only after the item is on disk."""

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
        seed: int | None = None,
    ):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.backoff = backoff or Backoff()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._listeners: list[threading.Event] = []
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database (pending items stay on disk for the next start)."""
        with self._lock:
            self._db.close()

    # --- adding ------------------------------------------------------------------------------------------------
    def put(self, kind: str, body: dict[str, Any], *, group: str, key: str | None = None) -> str:
        """Store one item durably and wake the sender; returns its key. The same key twice is stored once."""
        key = key or uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO items (key, kind, grp, body, created_at) VALUES (?, ?, ?, ?, ?)",
                (key, kind, group, json.dumps(body, ensure_ascii=False), self.clock()),
            )
        self.wake()
        return key

    def listener(self) -> threading.Event:
        """A wake-up of one's own, set by every put (each sender clears only its own: one shared event let one
        sender clear a wake-up the other had not seen yet, and a help request waited for the idle timeout)."""
        event = threading.Event()
        with self._lock:
            self._listeners.append(event)
        return event

    def wake(self) -> None:
        """Wake every sender (something was added, or a retry should be tried now)."""
        with self._lock:
            listeners = tuple(self._listeners)
        for event in listeners:
            event.set()

    def put_escalation(self, request: dict[str, Any]) -> str:
        """A help request; its key is both the Idempotency-Key and the group its cancellation joins."""
        key = uuid.uuid4().hex
        return self.put("escalation", request, group=key, key=key)

    def put_cancel(self, escalation_key: str) -> str:
        """Cancel a help request (delivered after it, in order; dropped if it never reached the helpdesk)."""
        return self.put("cancel", {"escalation_key": escalation_key}, group=escalation_key)

    def put_answer(self, escalation_key: str, answer: dict[str, Any]) -> str:
        """The resident's answer to staff (delivered after the request, in order, once it has the helpdesk's id)."""
        return self.put("answer", answer, group=escalation_key)

    def put_event(self, event: dict[str, Any]) -> str:
        """A pseudonymous session event; its event id is its key, so a resent batch stores it once."""
        return self.put("event", event, group=f"events:{event['event_id']}", key=str(event["event_id"]))

    def put_heartbeat(self, beat: dict[str, Any]) -> str:
        """The kiosk's status; only the latest undelivered heartbeat is kept."""
        with self._lock:
            self._db.execute("DELETE FROM items WHERE kind = 'heartbeat' AND state = 'pending'")
        return self.put("heartbeat", beat, group="heartbeat")

    # --- delivering --------------------------------------------------------------------------------------------
    def due(self, limit: int = 200, kinds: tuple[str, ...] | None = None) -> list[Item]:
        """Items whose time has come, oldest first, at most one pending per group (only of `kinds`, if given)."""
        query, params = DUE, tuple[object, ...]((self.clock(), limit))
        if kinds is not None:
            query = DUE.replace("ORDER BY", f"AND kind IN ({', '.join('?' * len(kinds))})\nORDER BY")
            params = (self.clock(), *kinds, limit)
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [Item(seq, key, kind, grp, json.loads(body), attempts) for seq, key, kind, grp, body, attempts in rows]

    def delivered(self, keys: list[str], result: dict[str, Any] | None = None) -> None:
        """The helpdesk acknowledged these items. Events are deleted at once; others keep their result."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for key in keys:
                self._db.execute(
                    "UPDATE items SET state = 'delivered', error = NULL, result = ? WHERE key = ?",
                    (json.dumps(result) if result is not None else None, key),
                )
            self._db.execute("DELETE FROM items WHERE kind IN ('event', 'heartbeat') AND state = 'delivered'")

    def retry(self, keys: list[str], error: str) -> float:
        """Delivery failed for a reason that may pass: try again later. Returns the delay chosen."""
        with self._lock:
            attempts = (
                self._db.execute(
                    f"SELECT MAX(attempts) FROM items WHERE key IN ({','.join('?' * len(keys))})", keys
                ).fetchone()[0]
                or 0
            )
            delay = self.backoff.delay(attempts, self._rng)
            self._db.executemany(
                "UPDATE items SET attempts = attempts + 1, next_at = ?, error = ? WHERE key = ?",
                [(self.clock() + delay, error, key) for key in keys],
            )
        return delay

    def failed(self, keys: list[str], error: str) -> None:
        """Delivery can never succeed (the helpdesk refused it); keep it with the reason for the maintenance screen."""
        with self._lock:
            self._db.executemany(
                "UPDATE items SET state = 'failed', error = ? WHERE key = ?", [(error, key) for key in keys]
            )

    def result(self, key: str) -> tuple[str, dict[str, Any] | None] | None:
        """(state, result) of an item, or None when unknown."""
        with self._lock:
            row = self._db.execute("SELECT state, result FROM items WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return row[0], (json.loads(row[1]) if row[1] else None)

    def open_escalations(self) -> list[str]:
        """Keys of help requests not yet cancelled and not refused (delivered or still pending)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key FROM items AS e WHERE kind = 'escalation' AND state != 'failed' AND NOT EXISTS "
                "(SELECT 1 FROM items AS c WHERE c.kind = 'cancel' AND c.grp = e.key) ORDER BY seq"
            ).fetchall()
        return [row[0] for row in rows]

    def pending(self) -> int:
        """Items not yet delivered (heartbeats excluded): the number the maintenance screen and heartbeat report."""
        with self._lock:
            return self._db.execute(
                "SELECT COUNT(*) FROM items WHERE state = 'pending' AND kind != 'heartbeat'"
            ).fetchone()[0]

    def next_due_in(self, kinds: tuple[str, ...] | None = None) -> float | None:
        """Seconds until the earliest pending item (of `kinds`, if given) is due (0 when one is due now), None when
        nothing is pending."""
        query, params = "SELECT MIN(next_at) FROM items WHERE state = 'pending'", tuple[str, ...]()
        if kinds is not None:
            query += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params = kinds
        with self._lock:
            row = self._db.execute(query, params).fetchone()
        return None if row[0] is None else max(0.0, row[0] - self.clock())

    def forget_delivered(self, older_than_s: float = 86_400) -> int:
        """Drop delivered and failed help requests older than this (they hold no resident data, only ids)."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM items WHERE state != 'pending' AND created_at < ?", (self.clock() - older_than_s,)
            )
        return cursor.rowcount
