"""The notification bus across server processes: PostgreSQL LISTEN/NOTIFY.

Every process publishes with `pg_notify('yorisoi_bus', …)` and keeps one LISTEN connection (a daemon thread) that
feeds its local fan-out, so a console connected to process B sees an escalation created through process A. Event
ids come from one database sequence, so `Last-Event-ID` means the same thing in every process.

Events of replayable topics (the queue) are also written to `bus_events` in the same statement that notifies, so a
console that reconnects — to any process, including one that was just restarted — replays exactly what it missed
from the database. Older events are trimmed (`trim`, run by the sweeper); a console whose Last-Event-ID is below
what was trimmed, or from another database, gets a reset event and refetches. When the LISTEN connection was cut
off, the process's listeners get a reset once it is back (they may have missed live events meanwhile).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from helpdesk.bus import QUEUE_TOPIC, BusEvent, InMemoryBus, Subscription, is_reset, reset_event
from helpdesk.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
CHANNEL = "yorisoi_bus"
SEQUENCE = "yorisoi_bus_event_ids"
REPLAY_TOPICS = (QUEUE_TOPIC,)
BATCH_LIMIT = 500
"""Most events sent in one statement."""
REPLAY_LIMIT = 1000
"""A console that missed more than this refetches instead (a refetch is cheaper than a flood of triggers)."""

_PUBLISH_BATCH = f"""
WITH numbered AS MATERIALIZED (
    SELECT nextval('{SEQUENCE}') AS id, topic, payload, n
    FROM unnest(%(topics)s::text[], %(payloads)s::text[]) WITH ORDINALITY AS batch(topic, payload, n)
), stored AS (
    INSERT INTO bus_events (id, topic, payload, created_at)
    SELECT id, topic, payload, now() FROM numbered WHERE topic = ANY(%(replayable)s::text[])
)
SELECT n, id, pg_notify(%(channel)s, json_build_object('id', id, 'topic', topic, 'payload', payload::json)::text)
FROM numbered ORDER BY n"""
_MISSED = "SELECT id, payload FROM bus_events WHERE topic = %s AND id > %s ORDER BY id LIMIT %s"
_BOUNDS = """
SELECT (SELECT floor FROM bus_replay_floor WHERE topic = %(topic)s),
       (SELECT max(id) FROM bus_events WHERE topic = %(topic)s)"""
_TRIM = """
WITH cut AS (
    SELECT coalesce(
        (SELECT id FROM bus_events WHERE created_at >= %(cutoff)s ORDER BY id LIMIT 1),
        (SELECT max(id) + 1 FROM bus_events)
    ) AS below
), gone AS (
    DELETE FROM bus_events WHERE id < (SELECT below FROM cut) RETURNING id, topic
)
INSERT INTO bus_replay_floor (topic, floor) SELECT topic, max(id) FROM gone GROUP BY topic
ON CONFLICT (topic) DO UPDATE SET floor = greatest(bus_replay_floor.floor, excluded.floor)"""


def psycopg_dsn(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (`postgresql+psycopg://…`)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class _Replaying:
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


class _Connection:
    """One autocommit connection used by one thread at a time, reopened after a failure."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: Any = None
        self._lock = threading.Lock()

    def execute(self, statement: str, params: Any) -> list[tuple]:
        import psycopg

        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
                cursor = self._conn.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
            except psycopg.OperationalError as exc:
                self._conn = None
                raise DatabaseUnavailable("the notification bus cannot reach PostgreSQL") from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class PostgresBus:
    """`NotificationBus` over LISTEN/NOTIFY; start it inside the server's event loop (the app's lifespan).

    Publishing goes through one thread that sends whatever has queued up meanwhile as one statement (one commit,
    one fsync for the stored events): under load the batches grow instead of the wait."""

    def __init__(self, url: str, *, retain_s: float = 3600.0) -> None:
        self.local = InMemoryBus(replay_topics=())
        self.retain_s = retain_s
        self._dsn = psycopg_dsn(url)
        self._writer = _Connection(self._dsn)
        self._reader = _Connection(self._dsn)
        self._outbox: list[tuple[str, str, asyncio.Future[int]]] = []
        self._outbox_ready = threading.Condition()
        self._publisher: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    async def start(self) -> None:
        """Start listening (returns once the LISTEN is in place, or after 5 s if the database is away)."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._listen_forever, name="bus-listen", daemon=True)
        self._thread.start()
        self._start_publisher()
        await asyncio.to_thread(self.listening.wait, 5.0)

    async def stop(self) -> None:
        """Stop listening and publishing (what was queued is sent first) and close the connections."""
        self._stop.set()
        with self._outbox_ready:
            self._outbox_ready.notify_all()
        for thread in (self._thread, self._publisher):
            if thread is not None:
                await asyncio.to_thread(thread.join, 5.0)
        self._writer.close()
        self._reader.close()

    async def publish(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        """Number the event from the shared sequence, keep it if replayable and NOTIFY every process (this one
        hears it too); returns once committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        body = json.dumps(payload, separators=(",", ":"))
        self._start_publisher()
        with self._outbox_ready:
            if self._stop.is_set():  # checked under the lock: the publisher leaves only with an empty outbox
                raise DatabaseUnavailable("the notification bus is stopping")
            self._outbox.append((topic, body, future))
            self._outbox_ready.notify()
        return BusEvent(await future, topic, payload)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, last_event_id: int | None = None) -> AsyncIterator[Subscription]:
        """Listen to `topic` in this process; with `last_event_id`, first replay what came after it from the
        database (or a reset event when that is no longer possible)."""
        async with self.local.subscribe(topic) as live:  # listening before reading back: nothing falls between
            if last_event_id is None or topic not in REPLAY_TOPICS:
                yield live
            else:
                missed = await asyncio.to_thread(self._missed, topic, last_event_id)
                yield _Replaying(missed, live, last_event_id)

    def subscriber_count(self, topic: str) -> int:
        """How many listeners a topic has in this process."""
        return self.local.subscriber_count(topic)

    def trim(self) -> None:
        """Forget replayable events older than `retain_s` and raise the replay floor to match."""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.retain_s)
        self._reader.execute(_TRIM, {"cutoff": cutoff})

    def _start_publisher(self) -> None:
        with self._outbox_ready:
            if self._publisher is None:
                self._publisher = threading.Thread(target=self._publish_forever, name="bus-publish", daemon=True)
                self._publisher.start()

    def _publish_forever(self) -> None:
        while True:
            with self._outbox_ready:
                while not self._outbox and not self._stop.is_set():
                    self._outbox_ready.wait()
                if not self._outbox:
                    return
                batch, self._outbox = self._outbox[:BATCH_LIMIT], self._outbox[BATCH_LIMIT:]
            self._send(batch)

    def _send(self, batch: list[tuple[str, str, asyncio.Future[int]]]) -> None:
        params = {
            "topics": [topic for topic, _, _ in batch],
            "payloads": [body for _, body, _ in batch],
            "replayable": list(REPLAY_TOPICS),
            "channel": CHANNEL,
        }
        try:
            ids: list[int | BaseException] = [row[1] for row in self._writer.execute(_PUBLISH_BATCH, params)]
            if len(ids) != len(batch):
                raise RuntimeError(f"the bus numbered {len(ids)} of {len(batch)} events")
        except Exception as exc:  # every waiting request learns of it (a 503 when the database is away)
            ids = [exc] * len(batch)
        for (_, _, future), outcome in zip(batch, ids, strict=True):
            with contextlib.suppress(RuntimeError):  # its event loop has closed: nobody waits any more
                future.get_loop().call_soon_threadsafe(_settle, future, outcome)

    def _missed(self, topic: str, after: int) -> list[BusEvent]:
        """The events of `topic` after `after`, oldest first, or [reset] when they cannot all be replayed."""
        try:
            rows = self._reader.execute(_MISSED, (topic, after, REPLAY_LIMIT + 1))
            floor, newest = self._reader.execute(_BOUNDS, {"topic": topic})[0]  # after the rows: see _TRIM
        except DatabaseUnavailable:  # tell the console to refetch; its refetch will say the database is away
            return [reset_event(topic, after, "database-unavailable")]
        floor, newest = floor or 0, newest or 0
        if after < floor or after > max(floor, newest) or len(rows) > REPLAY_LIMIT:
            return [reset_event(topic, max(floor, newest), "cannot-replay")]
        return [BusEvent(int(event_id), topic, json.loads(payload)) for event_id, payload in rows]

    def _listen_forever(self) -> None:
        import psycopg

        cut_off = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if cut_off:  # live events may have passed by meanwhile: tell the listeners to refetch
                        self._reset_listeners(conn)
                    self.listening.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            self._deliver(notify.payload)
            except psycopg.Error as exc:
                cut_off = True
                self.listening.clear()
                log.warning("notification bus: %s; reconnecting", type(exc).__name__)
                self._stop.wait(1.0)

    def _reset_listeners(self, conn: Any) -> None:
        for topic in REPLAY_TOPICS:
            newest = conn.execute("SELECT coalesce(max(id), 0) FROM bus_events WHERE topic = %s", (topic,)).fetchone()
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self.local.reset_listeners, topic, int(newest[0]), "bus-reconnected")

    def _deliver(self, raw: str) -> None:
        try:
            data = json.loads(raw)
            event = BusEvent(int(data["id"]), str(data["topic"]), dict(data["payload"]))
        except (ValueError, KeyError, TypeError):
            log.warning("notification bus: ignored a malformed notification")
            return
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.local.deliver, event)


def _settle(future: asyncio.Future[int], outcome: int | BaseException) -> None:
    if future.done():  # the request went away meanwhile
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


@contextlib.asynccontextmanager
async def running(bus: Any) -> AsyncIterator[None]:
    """Start a bus that needs starting (PostgreSQL) for the lifetime of the app; the in-memory one needs nothing."""
    start, stop = getattr(bus, "start", None), getattr(bus, "stop", None)
    if start:
        await start()
    try:
        yield
    finally:
        if stop:
            await stop()
