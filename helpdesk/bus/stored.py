"""What the SQLite and PostgreSQL buses share: local listeners, and replay from the `bus_events` table."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from helpdesk.bus.events import REPLAY_TOPICS, BusEvent, Replaying, Subscription
from helpdesk.bus.memory import InMemoryBus


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
