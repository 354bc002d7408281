"""The notification bus: queue changes and conversation messages, published once, delivered to listeners.

One interface, `NotificationBus`. `InMemoryBus` serves one process and keeps nothing; `SqliteBus` serves the one
process of a SQLite database; `helpdesk.bus_postgres.PostgresBus` serves several processes on one PostgreSQL. The
stores write queue events in the transaction of the change they describe (`helpdesk.store.events`); endpoints
hand them to `committed` after the commit, so a process dying between the two loses nothing.

A listener that reconnects with `last_event_id` gets what it missed, or — when that can no longer be replayed (too
old, from before a restart, or it fell too far behind) — one *reset* event (`is_reset(event)`): it must refetch the
full state instead of trusting the stream. Events are never dropped silently.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from helpdesk.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
QUEUE_TOPIC = "queue"
RESET_ACTION = "reset"
REPLAY_TOPICS = (QUEUE_TOPIC,)
"""Topics whose events are kept for Last-Event-ID replay (stored in `bus_events`)."""
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
    """An event written in a store transaction (`helpdesk.store.events.record`), published once it committed.

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


def replay(topic: str, after: int, rows: Sequence[tuple[int, str]], floor: int | None, newest: int | None):  # type: ignore[no-untyped-def]
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


_MISSED = "SELECT id, payload FROM bus_events WHERE topic = :topic AND id > :after ORDER BY id LIMIT :limit"
_BOUNDS = """
SELECT (SELECT floor FROM bus_replay_floor WHERE topic = :topic),
       (SELECT max(id) FROM bus_events WHERE topic = :topic)"""
_NEWEST = "SELECT coalesce(max(id), 0) FROM bus_events"
_COMMITTED = "SELECT id, topic, payload FROM bus_events WHERE id > :after ORDER BY id LIMIT 1000"


class StoredEventsBus:
    """What the SQLite and PostgreSQL buses share: listeners of this process live in `self.local`; a listener that
    comes back with its last event id first gets what it missed from the `bus_events` table (`_missed`)."""

    local: InMemoryBus

    async def _ready(self) -> None:
        """Anything to do before the first listener (default: nothing)."""

    def _missed(self, topic: str, after: int) -> list[BusEvent]:
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, last_event_id: int | None = None) -> AsyncIterator[Subscription]:
        """Listen to `topic` in this process; with `last_event_id`, first replay what came after it from the
        database (or a reset event when that is no longer possible)."""
        await self._ready()
        async with self.local.subscribe(topic) as live:  # listening before reading back: nothing falls between
            if last_event_id is None or topic not in REPLAY_TOPICS:
                yield live
            else:
                missed = await asyncio.to_thread(self._missed, topic, last_event_id)
                yield Replaying(missed, live, last_event_id)

    def subscriber_count(self, topic: str) -> int:
        """How many listeners a topic has in this process."""
        return self.local.subscriber_count(topic)


class SqliteBus(StoredEventsBus):
    """The bus of the one process serving a SQLite database; start it inside the server's event loop.

    Queue events are rows of `bus_events`, numbered and written in the transaction of the change they describe
    (`helpdesk.store.events`). SQLite commits one writer at a time, so ids are dense and follow commit order; after a
    commit the endpoint hands its events to `committed`, which delivers them to this process's listeners strictly in
    id order (one that finished its commit first may reach the event loop second). An id that does not arrive that
    way soon — committed by another process on the same file (an administration command), or by a request that never
    came back from its commit — is read back from the table, as is anything committed while no request was looking
    (every `poll_s`). A console reconnecting with Last-Event-ID, also after a restart or a crash right after a
    commit, replays from the table. Other topics (an escalation's listeners) are published in memory."""

    GAP_WAIT_S = 0.05
    """How long a missing id may take to come from its own request before it is read from the table."""

    def __init__(self, db: Any, *, retain_s: float = 3600.0, poll_s: float = 1.0) -> None:
        self.db = db
        self.retain_s = retain_s
        self.poll_s = poll_s
        self.local = InMemoryBus(replay_topics=())
        self._delivered: int | None = None
        self._early: dict[int, BusEvent] = {}  # committed, waiting for a smaller id to be delivered first
        self._wake: asyncio.Event | None = None
        self._follower: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Note where the stored events end, then follow them."""
        if self._delivered is None:
            self._delivered = await asyncio.to_thread(self._newest)
        self._follow()

    async def stop(self) -> None:
        """Stop following."""
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None

    async def publish(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        """Publish outside any store transaction (replayable topics get their own one)."""
        if topic not in REPLAY_TOPICS:
            return await self.local.publish(topic, payload)
        from helpdesk.store.events import record

        def write() -> Recorded:
            with self.db.write() as conn:
                return record(conn, topic, payload)

        recorded = await asyncio.to_thread(write)
        await self.committed([recorded])
        return BusEvent(int(recorded.id or 0), topic, payload)

    async def committed(self, events: Sequence[Recorded]) -> None:
        """Publish committed events: stored ones in id order, the others at once."""
        for event in events:
            if event.id is None:
                await self.local.publish(event.topic, event.payload)
            elif self._delivered is None or event.id > self._delivered:  # else read back from the table already
                self._early[event.id] = BusEvent(event.id, event.topic, event.payload)
        if not self._early:
            return
        if self._delivered is None:  # not started: what came before these was never ours to deliver
            self._delivered = min(self._early) - 1
        self._deliver_in_order()
        if self._early:  # a smaller id has not come back yet: the follower fetches it if it does not
            self._follow()
            assert self._wake is not None
            self._wake.set()

    def _deliver_in_order(self) -> None:
        assert self._delivered is not None
        while self._delivered + 1 in self._early:
            event = self._early.pop(self._delivered + 1)
            self._delivered = event.id
            self.local.deliver(event)

    async def _ready(self) -> None:
        if self._delivered is None:
            await self.start()

    def trim(self) -> None:
        """Forget stored events older than `retain_s` and raise the replay floor to match."""
        from helpdesk.store.events import trim

        with self.db.write() as conn:
            trim(conn, time.time() - self.retain_s)

    def _follow(self) -> None:
        if self._follower is None or self._follower.done():
            self._wake = asyncio.Event()
            self._follower = asyncio.create_task(self._follow_forever())

    async def _follow_forever(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            self._wake.clear()
            if self._early:
                await asyncio.sleep(self.GAP_WAIT_S)  # the missing one is usually a request a moment behind
                if not self._early:
                    continue
            try:
                stored = await asyncio.to_thread(self._committed_after, self._delivered or 0)
            except DatabaseUnavailable as exc:  # the events wait in the table until it answers again
                log.warning("notification bus: %s; retrying", type(exc).__name__)
                continue
            for event in stored:
                if event.id > (self._delivered or 0):
                    self._early.pop(event.id, None)
                    self._delivered = event.id
                    self.local.deliver(event)
            self._early = {i: e for i, e in self._early.items() if i > (self._delivered or 0)}
            self._deliver_in_order()
            if len(stored) == 1000 or self._early:
                self._wake.set()  # more to read

    def _newest(self) -> int:
        from sqlalchemy import text

        with self.db.read() as conn:
            return int(conn.execute(text(_NEWEST)).scalar_one())

    def _committed_after(self, after: int) -> list[BusEvent]:
        from sqlalchemy import text

        with self.db.read() as conn:
            rows = conn.execute(text(_COMMITTED), {"after": after}).all()
        return [BusEvent(int(i), topic, json.loads(payload)) for i, topic, payload in rows]

    def _missed(self, topic: str, after: int) -> list[BusEvent]:
        from sqlalchemy import text

        try:
            with self.db.read() as conn:
                params = {"topic": topic, "after": after, "limit": REPLAY_LIMIT + 1}
                rows = conn.execute(text(_MISSED), params).all()
                floor, newest = conn.execute(text(_BOUNDS), {"topic": topic}).one()
        except DatabaseUnavailable:  # tell the console to refetch; its refetch will say the database is away
            return [reset_event(topic, after, "database-unavailable")]
        return replay(topic, after, [(i, p) for i, p in rows], floor, newest)
