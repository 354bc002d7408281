"""The in-memory notification bus."""

from __future__ import annotations

import asyncio

from helpdesk.bus import QUEUE_TOPIC, InMemoryBus, escalation_topic


def test_subscribers_get_events_of_their_topic_only() -> None:
    async def scenario() -> None:
        bus = InMemoryBus()
        async with bus.subscribe(QUEUE_TOPIC) as queue, bus.subscribe(escalation_topic("e1")) as e1:
            first = await bus.publish(QUEUE_TOPIC, {"n": 1})
            await bus.publish(escalation_topic("e1"), {"n": 2})
            got = await queue.next(timeout=1)
            assert got == first
            assert await queue.next(timeout=0.05) is None
            assert (await e1.next(timeout=1)).payload == {"n": 2}
        assert bus.subscriber_count(QUEUE_TOPIC) == 0

    asyncio.run(scenario())


def test_last_event_id_replays_what_was_missed() -> None:
    async def scenario() -> None:
        bus = InMemoryBus(retain=3)
        events = [await bus.publish(QUEUE_TOPIC, {"n": n}) for n in range(5)]
        async with bus.subscribe(QUEUE_TOPIC, last_event_id=events[2].id) as sub:
            replayed = [await sub.next(timeout=1), await sub.next(timeout=1)]
            assert [e.payload["n"] for e in replayed] == [3, 4]
            assert await sub.next(timeout=0.05) is None

    asyncio.run(scenario())
