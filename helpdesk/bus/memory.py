"""The single-process bus: listeners and bounded replay in memory."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.bus.events import QUEUE_TOPIC, BusEvent, Recorded, Subscription, reset_event


@dataclass(eq=False)
class _LocalSubscription:
    queue: asyncio.Queue[BusEvent] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    dropped: BusEvent | None = None

    async def next(self, timeout: float | None = None) -> BusEvent | None:
        if self.dropped is not None:  # it fell behind: drop the backlog and say so once, instead of a silent gap
            while not self.queue.empty():
                self.queue.get_nowait()
            event, self.dropped = self.dropped, None
            return reset_event(event.topic, event.id, "listener-fell-behind")
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def offer(self, event: BusEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = event  # a stuck listener gets a reset rather than costing the server's memory


class InMemoryBus:
    """The single-process bus; keeps the last `retain` events per topic for Last-Event-ID replay.

    Ids start from the clock in microseconds, so a restarted process numbers above its previous life and can tell
    a console still holding an id of that life (nothing of it is kept) to refetch.
    Must be used from the event loop's thread (endpoints publish after their database work returns).
    """

    def __init__(
        self, retain: int = 1000, replay_topics: tuple[str, ...] = (QUEUE_TOPIC,), first_id: int | None = None
    ) -> None:
        first = time.time_ns() // 1000 if first_id is None else first_id
        self._ids = itertools.count(first)
        self._last_id = first - 1
        self._subscribers: dict[str, set[_LocalSubscription]] = {}
        self._retained: dict[str, deque[BusEvent]] = {topic: deque(maxlen=retain) for topic in replay_topics}
        self._floor = dict.fromkeys(replay_topics, first - 1)  # newest id per topic that can no longer be replayed

    async def publish(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        """Deliver `payload` to every current subscriber of `topic`."""
        event = BusEvent(next(self._ids), topic, payload)
        self.deliver(event)
        return event

    async def committed(self, events: Sequence[Recorded]) -> None:
        """Publish committed events (this bus numbers them itself: it keeps nothing across a restart)."""
        for event in events:
            await self.publish(event.topic, event.payload)

    def deliver(self, event: BusEvent) -> None:
        """Fan an event out locally (also the entry point for a cross-process backend's listener)."""
        self._last_id = max(self._last_id, event.id)
        retained = self._retained.get(event.topic)
        if retained is not None:  # only replayable topics keep history (bounded)
            if len(retained) == retained.maxlen:
                self._floor[event.topic] = retained[0].id if retained else event.id
            retained.append(event)
        for subscriber in tuple(self._subscribers.get(event.topic, ())):
            subscriber.offer(event)

    def reset_listeners(self, topic: str, event_id: int, reason: str) -> None:
        """Tell every local listener of `topic` to refetch (e.g. after missing events while cut off)."""
        for subscriber in tuple(self._subscribers.get(topic, ())):
            subscriber.offer(reset_event(topic, event_id, reason))

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, last_event_id: int | None = None) -> AsyncIterator[Subscription]:
        """Listen to `topic`; with `last_event_id`, first replay the retained events after it (or send a reset)."""
        subscription = _LocalSubscription()
        if last_event_id is not None and topic in self._retained:
            if self._floor[topic] <= last_event_id <= self._last_id:
                for event in self._retained[topic]:
                    if event.id > last_event_id:
                        subscription.offer(event)
            else:
                subscription.offer(reset_event(topic, self._last_id, "cannot-replay"))
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
