"""The in-memory notification bus, and the SQLite one (events stored in their change's transaction)."""

from __future__ import annotations

import asyncio

from helpdesk.bus import QUEUE_TOPIC, InMemoryBus, Recorded, escalation_topic, is_reset
from helpdesk.bus.outbox import record
from helpdesk.bus.sqlite import SqliteBus
from helpdesk.database import Database

from .conftest import World


def test_subscribers_get_events_of_their_topic_only() -> None:
    async def scenario() -> None:
        bus = InMemoryBus()
        async with bus.subscribe(QUEUE_TOPIC) as queue, bus.subscribe(escalation_topic("e1")) as e1:
            first = await bus.publish(QUEUE_TOPIC, {"n": 1})
            await bus.publish(escalation_topic("e1"), {"n": 2})
            got = await queue.next(timeout=1)
            assert got == first
            marker = await bus.publish(QUEUE_TOPIC, {"n": 3})
            assert await queue.next(timeout=1) == marker  # in order: e1's event, published before it, never came
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
            marker = await bus.publish(QUEUE_TOPIC, {"n": 5})
            assert await sub.next(timeout=1) == marker  # nothing else was replayed before it

    asyncio.run(scenario())


def test_a_last_event_id_too_old_to_replay_gets_a_reset_not_a_gap() -> None:
    async def scenario() -> None:
        bus = InMemoryBus(retain=3)
        events = [await bus.publish(QUEUE_TOPIC, {"n": n}) for n in range(5)]
        async with bus.subscribe(QUEUE_TOPIC, last_event_id=events[0].id) as sub:  # events[1] is gone
            first = await sub.next(timeout=1)
            assert is_reset(first) and first.id == events[-1].id
            later = await bus.publish(QUEUE_TOPIC, {"n": 5})
            assert await sub.next(timeout=1) == later  # nothing the reset covers came in between

    asyncio.run(scenario())


def test_a_restarted_process_resets_a_console_of_its_previous_life() -> None:
    async def scenario() -> None:
        before = InMemoryBus()
        seen = [await before.publish(QUEUE_TOPIC, {"n": n}) for n in range(3)]
        after = InMemoryBus()  # the process restarted: its memory is empty, its ids start above the old ones
        fresh = await after.publish(QUEUE_TOPIC, {"n": 3})
        assert fresh.id > seen[-1].id
        async with after.subscribe(QUEUE_TOPIC, last_event_id=seen[-1].id) as sub:
            assert is_reset(await sub.next(timeout=1))
        async with after.subscribe(QUEUE_TOPIC, last_event_id=fresh.id + 5) as sub:  # an id never issued
            assert is_reset(await sub.next(timeout=1))

    asyncio.run(scenario())


def test_a_listener_that_falls_behind_gets_one_reset_instead_of_a_silent_gap() -> None:
    async def scenario() -> None:
        bus = InMemoryBus()
        async with bus.subscribe(QUEUE_TOPIC) as sub:
            published = [await bus.publish(QUEUE_TOPIC, {"n": n}) for n in range(1005)]  # its queue holds 1000
            first = await sub.next(timeout=1)
            assert is_reset(first) and first.id == published[-1].id
            again = await bus.publish(QUEUE_TOPIC, {"n": "next"})
            assert await sub.next(timeout=1) == again  # the backlog the reset covers is gone: nothing came between

    asyncio.run(scenario())


def test_sqlite_bus_delivers_what_was_committed_in_commit_order_once(sqlite_world: World) -> None:
    """Events numbered in their transactions reach listeners in id order even when their requests come back out of
    order, one whose request never hands it over (or another process's) is read back from the table, and a new
    process replays them to a Last-Event-ID until they are trimmed."""
    db = Database(sqlite_world.url)

    def committed(n: int) -> Recorded:
        with db.write() as conn:
            return record(conn, QUEUE_TOPIC, {"n": n})

    async def scenario() -> None:
        bus = SqliteBus(db, poll_s=0.2)
        await bus.start()
        async with bus.subscribe(QUEUE_TOPIC) as sub:
            recorded = [committed(n) for n in range(3)]
            await bus.committed([recorded[2]])
            await bus.committed([recorded[1]])  # and recorded[0] is never handed over
            got = [await sub.next(timeout=2) for _ in range(3)]
            assert [(e.id, e.payload["n"]) for e in got] == [(r.id, n) for n, r in enumerate(recorded)]
            await bus.committed([recorded[0]])  # late: it was delivered from the table already
            marker = committed(3)
            await bus.committed([marker])  # handed over after the late one: a second copy would come first
            assert (await sub.next(timeout=2)).id == marker.id
        await bus.stop()

        restarted = SqliteBus(db)
        async with restarted.subscribe(QUEUE_TOPIC, last_event_id=recorded[0].id) as sub:
            assert [(await sub.next(timeout=1)).payload["n"] for _ in range(2)] == [1, 2]
        SqliteBus(db, retain_s=0).trim()
        async with restarted.subscribe(QUEUE_TOPIC, last_event_id=recorded[0].id) as sub:
            assert is_reset(await sub.next(timeout=1))  # trimmed: refetch instead
        later = committed(4)
        assert later.id is not None and later.id > marker.id  # ids never go back, even after a trim
        await restarted.stop()

    try:
        asyncio.run(scenario())
    finally:
        db.dispose()
