"""The notification bus: queue changes and conversation messages, published once, delivered to listeners.

One interface, `NotificationBus`. `InMemoryBus` serves one process. A PostgreSQL backend would publish
with `NOTIFY yorisoi_bus, '<json>'` after the commit and run one `LISTEN` connection per process that
feeds the same local fan-out (`InMemoryBus.deliver`), so several server processes share one database;
event ids would then come from the database (e.g. the row id of a small `bus_events` table) so that
`Last-Event-ID` replay works across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

QUEUE_TOPIC = "queue"


def escalation_topic(escalation_id: str) -> str:
    """The topic of one escalation's conversation and status."""
    return f"escalation:{escalation_id}"


@dataclass(frozen=True, slots=True)
class BusEvent:
    """One notification: a monotonically increasing id (for Last-Event-ID), a topic and a small payload."""

    id: int
    topic: str
    payload: dict[str, Any]


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

    def subscribe(
        self, topic: str, last_event_id: int | None = None
    ) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Listen to `topic`; with `last_event_id`, first replay the retained events after it."""
        ...


@dataclass(eq=False)
class _LocalSubscription:
    queue: asyncio.Queue[BusEvent] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    overflowed: bool = False

    async def next(self, timeout: float | None = None) -> BusEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def offer(self, event: BusEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True  # a stuck listener loses events rather than the server's memory


class InMemoryBus:
    """The single-process bus; keeps the last `retain` events per topic for Last-Event-ID replay.

    Must be used from the event loop's thread (endpoints publish after their database work returns).
    """

    def __init__(self, retain: int = 1000, replay_topics: tuple[str, ...] = (QUEUE_TOPIC,)) -> None:
        self._ids = itertools.count(1)
        self._subscribers: dict[str, set[_LocalSubscription]] = {}
        self._retained: dict[str, deque[BusEvent]] = {topic: deque(maxlen=retain) for topic in replay_topics}

    async def publish(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        """Deliver `payload` to every current subscriber of `topic`."""
        event = BusEvent(next(self._ids), topic, payload)
        self.deliver(event)
        return event

    def deliver(self, event: BusEvent) -> None:
        """Fan an event out locally (also the entry point for a cross-process backend's listener)."""
        if event.topic in self._retained:  # only replayable topics keep history (bounded)
            self._retained[event.topic].append(event)
        for subscriber in tuple(self._subscribers.get(event.topic, ())):
            subscriber.offer(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, last_event_id: int | None = None) -> AsyncIterator[Subscription]:
        """Listen to `topic`; with `last_event_id`, first replay the retained events after it."""
        subscription = _LocalSubscription()
        if last_event_id is not None:
            for event in self._retained.get(topic, ()):
                if event.id > last_event_id:
                    subscription.offer(event)
        self._subscribers.setdefault(topic, set()).add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[topic].discard(subscription)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    def subscriber_count(self, topic: str) -> int:
        """How many listeners a topic has (for tests and health)."""
        return len(self._subscribers.get(topic, ()))
