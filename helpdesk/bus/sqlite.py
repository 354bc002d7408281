"""The bus of the one process serving a SQLite database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from helpdesk.bus.events import REPLAY_LIMIT, REPLAY_TOPICS, BusEvent, Recorded, replay, reset_event
from helpdesk.bus.memory import InMemoryBus
from helpdesk.bus.outbox import record, trim
from helpdesk.bus.stored import StoredEventsBus
from helpdesk.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

_MISSED = "SELECT id, payload FROM bus_events WHERE topic = :topic AND id > :after ORDER BY id LIMIT :limit"
_BOUNDS = """
SELECT (SELECT floor FROM bus_replay_floor WHERE topic = :topic),
       (SELECT max(id) FROM bus_events WHERE topic = :topic)"""
_NEWEST = "SELECT coalesce(max(id), 0) FROM bus_events"
_COMMITTED = "SELECT id, topic, payload FROM bus_events WHERE id > :after ORDER BY id LIMIT 1000"


class SqliteBus(StoredEventsBus):
    """The bus of the one process serving a SQLite database; start it inside the server's event loop.

    Queue events are rows of `bus_events`, numbered and written in the transaction of the change they describe
    (`helpdesk.bus.outbox`). SQLite commits one writer at a time, so ids are dense and follow commit order; after a
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
        with self.db.read() as conn:
            return int(conn.execute(text(_NEWEST)).scalar_one())

    def _committed_after(self, after: int) -> list[BusEvent]:
        with self.db.read() as conn:
            rows = conn.execute(text(_COMMITTED), {"after": after}).all()
        return [BusEvent(int(i), topic, json.loads(payload)) for i, topic, payload in rows]

    def _missed(self, topic: str, after: int) -> list[BusEvent]:
        try:
            with self.db.read() as conn:
                params = {"topic": topic, "after": after, "limit": REPLAY_LIMIT + 1}
                rows = conn.execute(text(_MISSED), params).all()
                floor, newest = conn.execute(text(_BOUNDS), {"topic": topic}).one()
        except DatabaseUnavailable:  # tell the console to refetch; its refetch will say the database is away
            return [reset_event(topic, after, "database-unavailable")]
        return replay(topic, after, [(i, p) for i, p in rows], floor, newest)
