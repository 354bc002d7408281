"""Where the kiosk puts pseudonymous session events (Record effects) until they reach the helpdesk.

`Journal` is the interface. A kiosk connected to a helpdesk uses `kiosk.link.courier.Courier` (the durable SQLite
outbox); `MemoryJournal` keeps events in memory only, for a kiosk run without a helpdesk (NOT durable).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import threading
from collections import deque
from typing import Protocol

from pydantic import ValidationError

from helpdesk.wire import SessionEvent, time_ordered_uuid
from kiosk.guide import Record

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class Journal(Protocol):
    """Accepts session events for delivery: the durable `Courier`, or `MemoryJournal` when no helpdesk is set up."""

    def record(self, event: Record) -> None: ...
    def pending(self) -> int: ...


def to_wire(
    event: Record, kiosk_id: str, at: dt.datetime | None = None, content_version: str | None = None
) -> SessionEvent | None:
    """A Record as a wire SessionEvent (values that are not plain codes are dropped: no free text ever leaves)."""
    if not event.session_id or len(event.session_id) < 8:
        return None
    outcome = event.value if event.value and _CODE.match(event.value) else None
    at = at or dt.datetime.now(dt.UTC)
    return SessionEvent(
        event_id=time_ordered_uuid(at, secrets.randbits(74)),
        session_id=event.session_id,
        kiosk_id=kiosk_id,
        procedure_id=event.procedure_id if event.procedure_id and _ID.match(event.procedure_id) else None,
        step_id=event.step_id if event.step_id and _ID.match(event.step_id) else None,
        action=event.action,
        seconds=min(86_400.0, max(0.0, event.seconds or 0.0)),
        outcome=outcome,
        at=at,
        content_version=content_version,
    )


class MemoryJournal:
    """In-memory, bounded, not durable: the oldest events are dropped past `capacity`. Thread-safe."""

    def __init__(self, kiosk_id: str, capacity: int = 10_000):
        self.kiosk_id = kiosk_id
        self._events: deque[SessionEvent] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self.sent = 0

    def record(self, event: Record) -> None:
        """Keep one event for delivery (one the wire would refuse is dropped and logged, never raised)."""
        try:
            wire = to_wire(event, self.kiosk_id)
        except ValidationError as exc:
            log.warning("session event %s dropped: %d invalid fields", event.action, exc.error_count())
            return
        if wire is not None:
            with self._lock:
                self._events.append(wire)

    def take(self, limit: int = 500) -> list[SessionEvent]:
        """Remove and return up to `limit` of the oldest events (give them back with `returned` on failure)."""
        with self._lock:
            return [self._events.popleft() for _ in range(min(limit, len(self._events)))]

    def delivered(self, events: list[SessionEvent]) -> None:
        """The helpdesk stored these events."""
        self.sent += len(events)

    def returned(self, events: list[SessionEvent]) -> None:
        """Delivery failed: put the events back at the front, oldest first."""
        with self._lock:
            self._events.extendleft(reversed(events))

    def pending(self) -> int:
        """Events waiting for delivery."""
        with self._lock:
            return len(self._events)
