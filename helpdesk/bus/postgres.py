"""The notification bus across server processes: PostgreSQL LISTEN/NOTIFY.

Every process publishes with `pg_notify('yorisoi_bus', …)` and keeps one LISTEN connection (a daemon thread) that
feeds its local fan-out, so a console connected to process B sees an escalation created through process A. Event
ids come from one database sequence, so `Last-Event-ID` means the same thing in every process.

Queue changes are written to `bus_outbox` in the transaction of the change itself (`helpdesk.bus.outbox`). A
relay thread in every process moves committed outbox rows into `bus_events`, numbering them from the sequence, and
NOTIFYs, all in one transaction under an advisory lock: so ids follow commit order, and each event is published
exactly once — also when the process that made the change died right after its commit (another process's relay,
or its own after the restart, finds the row within `poll_s`). A console that reconnects — to any process — replays
exactly what it missed from `bus_events`. Older events are trimmed (`trim`, run by the sweeper); a console whose
Last-Event-ID is below what was trimmed, or from another database, gets a reset event and refetches. When the LISTEN
connection was cut off, the process's listeners get a reset once it is back (they may have missed live events).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any

from helpdesk.bus.events import REPLAY_LIMIT, REPLAY_TOPICS, BusEvent, Recorded, replay, reset_event
from helpdesk.bus.memory import InMemoryBus
from helpdesk.bus.stored import StoredEventsBus
from helpdesk.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
CHANNEL = "yorisoi_bus"
WAKE_CHANNEL = "yorisoi_bus_wake"
"""A NOTIFY here wakes every process's relay at once (sent by changes that must not wait for the poll)."""
SEQUENCE = "yorisoi_bus_event_ids"
BATCH_LIMIT = 500
"""Most events sent in one statement."""
LOCK_KEY = 0x796F7269736F6942  # "yorisoiB": numbering and notifying happen one transaction at a time
_LOCK = f"SELECT pg_advisory_xact_lock({LOCK_KEY})"
_RELAY = f"""
WITH moved AS (
    DELETE FROM bus_outbox WHERE seq IN (SELECT seq FROM bus_outbox ORDER BY seq LIMIT {BATCH_LIMIT})
    RETURNING seq, topic, payload
), numbered AS MATERIALIZED (
    SELECT nextval('{SEQUENCE}') AS id, topic, payload FROM (SELECT seq, topic, payload FROM moved ORDER BY seq) AS m
), stored AS (
    INSERT INTO bus_events (id, topic, payload, created_at)
    SELECT id, topic, payload, now() FROM numbered WHERE topic = ANY(%(replayable)s::text[])
)
SELECT id, pg_notify(%(channel)s, json_build_object('id', id, 'topic', topic, 'payload', payload::json)::text)
FROM numbered ORDER BY id"""
_PENDING = "SELECT EXISTS (SELECT 1 FROM bus_outbox)"

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


class _Connection:
    """One autocommit connection used by one thread at a time, reopened after a failure."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: Any = None
        self._lock = threading.Lock()

    def execute(self, statement: str, params: Any) -> list[tuple]:
        return self.run(lambda conn: _rows(conn.execute(statement, params)))

    def run(self, work: Any) -> Any:
        """`work(connection)` on the open connection (opened first if needed)."""
        import psycopg

        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
                return work(self._conn)
            except psycopg.OperationalError as exc:
                self._conn = None
                raise DatabaseUnavailable("the notification bus cannot reach PostgreSQL") from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class PostgresBus(StoredEventsBus):
    """`NotificationBus` over LISTEN/NOTIFY; start it inside the server's event loop (the app's lifespan).

    Publishing goes through one thread that relays whatever the stores committed to `bus_outbox` meanwhile (and
    any direct `publish`) in one transaction (one commit, one fsync): under load the batches grow instead of the
    wait. Every `poll_s` it also looks for rows that a process which died after its commit left behind."""

    def __init__(self, url: str, *, retain_s: float = 3600.0, poll_s: float = 1.0) -> None:
        self.local = InMemoryBus(replay_topics=())
        self.retain_s = retain_s
        self.poll_s = poll_s
        self._relay_due = True  # rows a previous life of this process (or another process) left behind
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

    async def committed(self, events: Sequence[Recorded]) -> None:
        """The stores wrote these to `bus_outbox` and committed: wake the relay (without waiting for it)."""
        if events:
            self._start_publisher()
            with self._outbox_ready:
                self._relay_due = True
                self._outbox_ready.notify()

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
                polled = False
                while not self._outbox and not self._relay_due and not self._stop.is_set():
                    if not self._outbox_ready.wait(self.poll_s):
                        polled = True  # look for rows a process that died after its commit left behind
                        break
                if self._stop.is_set() and not self._outbox and not self._relay_due:
                    return
                batch, self._outbox = self._outbox[:BATCH_LIMIT], self._outbox[BATCH_LIMIT:]
                relay, self._relay_due = self._relay_due, False
            if polled:
                relay = self._pending()
            self._send(batch, relay)

    def _pending(self) -> bool:
        try:
            return bool(self._writer.execute(_PENDING, None)[0][0])
        except Exception as exc:
            log.warning("notification bus: %s while looking for unpublished events", type(exc).__name__)
            return False

    def _send(self, batch: list[tuple[str, str, asyncio.Future[int]]], relay: bool) -> None:
        params = {
            "topics": [topic for topic, _, _ in batch],
            "payloads": [body for _, body, _ in batch],
            "replayable": list(REPLAY_TOPICS),
            "channel": CHANNEL,
        }

        def one_transaction(conn: Any) -> tuple[int, list[int]]:
            with conn.transaction():
                conn.execute(_LOCK)
                relayed = len(conn.execute(_RELAY, params).fetchall()) if relay else 0
                sent = [row[1] for row in conn.execute(_PUBLISH_BATCH, params).fetchall()] if batch else []
            return relayed, sent

        try:
            relayed, sent = self._writer.run(one_transaction)
            ids: list[int | BaseException] = list(sent)
            if len(ids) != len(batch):
                raise RuntimeError(f"the bus numbered {len(ids)} of {len(batch)} events")
            if relayed == BATCH_LIMIT:
                with self._outbox_ready:
                    self._relay_due = True  # more rows wait
        except Exception as exc:  # every waiting request learns of it (a 503 when the database is away)
            ids = [exc] * len(batch)
            if relay and not self._stop.is_set():  # stopping: what is left waits for the next relay, in any process
                log.warning("notification bus: %s while relaying; retrying", type(exc).__name__)
                with self._outbox_ready:
                    self._relay_due = True
                self._stop.wait(0.2)
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
        return replay(topic, after, rows, floor, newest)

    def _listen_forever(self) -> None:
        import psycopg

        cut_off = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    conn.execute(f"LISTEN {WAKE_CHANNEL}")
                    if cut_off:  # live events may have passed by meanwhile: tell the listeners to refetch
                        self._reset_listeners(conn)
                    self.listening.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            if notify.channel == WAKE_CHANNEL:
                                self._wake_relay()
                            else:
                                self._deliver(notify.payload)
            except psycopg.Error as exc:
                cut_off = True
                self.listening.clear()
                log.warning("notification bus: %s; reconnecting", type(exc).__name__)
                self._stop.wait(1.0)

    def _wake_relay(self) -> None:
        with self._outbox_ready:
            self._relay_due = True
            self._outbox_ready.notify()

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


def _rows(cursor: Any) -> list[tuple]:
    return cursor.fetchall() if cursor.description else []


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
