"""The bus's vocabulary: events, topics, the listener and bus interfaces, and replay of stored events."""

from __future__ import annotations

import collections
import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

QUEUE_TOPIC = "queue"
KIOSK_KEYS_TOPIC = "kiosk-keys"
"""A kiosk key was revoked or rotated: every server process forgets its remembered key answers."""
RESET_ACTION = "reset"
REPLAY_TOPICS = (QUEUE_TOPIC, KIOSK_KEYS_TOPIC)
"""Topics whose events are stored in `bus_events` (so another process's change reaches a SQLite server too, and a
console can replay the queue with Last-Event-ID)."""
REPLAY_LIMIT = 1000
"""A console that missed more than this refetches instead (a refetch is cheaper than a flood of triggers)."""


def reset_event(topic: str, event_id: int, reason: str) -> BusEvent:
    """The event that tells a listener to refetch: everything up to `event_id` is covered by a fresh fetch."""
    return BusEvent(event_id, topic, {"action": RESET_ACTION, "reason": reason})


def is_reset(event: BusEvent) -> bool:
    """True for a reset event (refetch everything; the events before it cannot be replayed)."""
    return event.payload.get("action") == RESET_ACTION and "escalation_id" not in event.payload


def escalation_topic(escalation_id: str) -> str:
    """The topic of one escalation's conversation and status."""
    return f"escalation:{escalation_id}"


@dataclass(frozen=True, slots=True)
class BusEvent:
    """One notification: a monotonically increasing id (for Last-Event-ID), a topic and a small payload."""

    id: int
    topic: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event written in a store transaction (`helpdesk.bus.outbox.record`), published once it committed.

    `id` is set when the transaction numbered it (SQLite's replayable topics); otherwise the bus numbers it."""

    topic: str
    payload: dict[str, Any]
    id: int | None = None


class Subscription(Protocol):
    """Events of one topic, from the moment of subscribing (plus any replayed ones)."""

    async def next(self, timeout: float | None = None) -> BusEvent | None:
        """The next event, or None after `timeout` seconds."""
        ...


class NotificationBus(Protocol):
    """Publish/subscribe of queue changes and messages."""

    async def publish(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        """Deliver `payload` to every current subscriber of `topic`."""
        ...

    async def committed(self, events: Sequence[Recorded]) -> None:
        """Publish events whose transaction has committed (returns without waiting for the delivery)."""
        ...

    def subscribe(
        self, topic: str, last_event_id: int | None = None
    ) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Listen to `topic`; with `last_event_id`, first replay the retained events after it."""
        ...


def replay(
    topic: str, after: int, rows: Sequence[tuple[int, str]], floor: int | None, newest: int | None
) -> list[BusEvent]:
    """The stored events `rows` (id, JSON payload) of `topic` after `after`, or [reset] when they cannot all be
    replayed: `after` below what was trimmed (`floor`), above anything issued (`newest`), or too many missed."""
    floor, newest = floor or 0, newest or 0
    if after < floor or after > max(floor, newest) or len(rows) > REPLAY_LIMIT:
        return [reset_event(topic, max(floor, newest), "cannot-replay")]
    return [BusEvent(int(event_id), topic, json.loads(payload)) for event_id, payload in rows]


class Replaying:
    """A subscription that first hands out the events read back from the database, then the live ones it has not
    handed out yet (a live event may also have been read back: each id goes out once)."""

    def __init__(self, missed: list[BusEvent], live: Subscription, after: int) -> None:
        self._missed = collections.deque(missed)
        self._live = live
        self._after = max([after, *(e.id for e in missed if is_reset(e))])
        self._sent = {e.id for e in missed}

    async def next(self, timeout: float | None = None) -> BusEvent | None:
        if self._missed:
            return self._missed.popleft()
        while True:
            event = await self._live.next(timeout)
            if event is None or (event.id > self._after and event.id not in self._sent):
                return event
