"""The notification bus across server processes: PostgreSQL LISTEN/NOTIFY.

Every process publishes with `pg_notify('yorisoi_bus', …)` and keeps one LISTEN connection (a daemon thread) that
feeds its local fan-out, so a console connected to process B sees an escalation created through process A. Event
ids come from one database sequence, so `Last-Event-ID` means the same thing in every process. A process keeps
the recent events it heard for replay; a listener that lost its connection reconnects (events published while it
was cut off reach the other processes, and its own consoles catch up from the database on their next refresh).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from helpdesk.bus import BusEvent, InMemoryBus, Subscription
from helpdesk.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
CHANNEL = "yorisoi_bus"
SEQUENCE = "yorisoi_bus_event_ids"


def psycopg_dsn(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (`postgresql+psycopg://…`)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresBus:
    """`NotificationBus` over LISTEN/NOTIFY; start it inside the server's event loop (the app's lifespan)."""

    def __init__(self, url: str, *, retain: int = 1000) -> None:
        self.local = InMemoryBus(retain)
        self._dsn = psycopg_dsn(url)
        self._publisher: Any = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    async def start(self) -> None:
        """Start listening (returns once the LISTEN is in place, or after 5 s if the database is away)."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._listen_forever, name="bus-listen", daemon=True)
        self._thread.start()
        await asyncio.to_thread(self.listening.wait, 5.0)

    async def stop(self) -> None:
        """Stop listening and close the connections."""
        self._stop.set()
        if self._thread:
            await asyncio.to_thread(self._thread.join, 5.0)
        with self._lock:
            if self._publisher is not None:
                self._publisher.close()
                self._publisher = None

    async def publish(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        """Number the event from the shared sequence and NOTIFY every process (this one hears it too)."""
        return await asyncio.to_thread(self._notify, topic, payload)

    def subscribe(
        self, topic: str, last_event_id: int | None = None
    ) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Listen to `topic` in this process; with `last_event_id`, first replay the recent events after it."""
        return self.local.subscribe(topic, last_event_id)

    def subscriber_count(self, topic: str) -> int:
        """How many listeners a topic has in this process."""
        return self.local.subscriber_count(topic)

    def _notify(self, topic: str, payload: dict[str, Any]) -> BusEvent:
        import psycopg

        with self._lock:
            try:
                if self._publisher is None or self._publisher.closed:
                    self._publisher = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
                event_id = self._publisher.execute(f"SELECT nextval('{SEQUENCE}')").fetchone()[0]
                body = json.dumps({"id": event_id, "topic": topic, "payload": payload}, separators=(",", ":"))
                self._publisher.execute("SELECT pg_notify(%s, %s)", (CHANNEL, body))
            except psycopg.OperationalError as exc:
                self._publisher = None
                raise DatabaseUnavailable("the notification bus cannot reach PostgreSQL") from exc
        return BusEvent(event_id, topic, payload)

    def _listen_forever(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            self._deliver(notify.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("notification bus: %s; reconnecting", type(exc).__name__)
                self._stop.wait(1.0)

    def _deliver(self, raw: str) -> None:
        try:
            data = json.loads(raw)
            event = BusEvent(int(data["id"]), str(data["topic"]), dict(data["payload"]))
        except (ValueError, KeyError, TypeError):
            log.warning("notification bus: ignored a malformed notification")
            return
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.local.deliver, event)


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
