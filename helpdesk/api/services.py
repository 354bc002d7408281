"""Everything one server process shares: database, stores, bus, throttles. Built in create_app."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread
from starlette.concurrency import run_in_threadpool

from helpdesk.api.throttles import SharedLoginThrottle, login_throttle
from helpdesk.bus import InMemoryBus, NotificationBus
from helpdesk.database import Database
from helpdesk.security import LoginThrottle, TokenBucket
from helpdesk.settings import HelpdeskSettings
from helpdesk.store.accounts import KioskKeys
from helpdesk.store.escalations import EscalationStore

T = TypeVar("T")
VIEW_AUDIT_EVERY_S = 300.0
"""A member's queue views are audited once per this many seconds (per server process), not per fetch: an open
console refetches after resets, filter changes and releases, and an entry per fetch buried claims and replies."""


class Every:
    """Says yes to a key at most once per `interval_s` (thread-safe; forgets keys that have been quiet)."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last: dict[object, float] = {}
        self._lock = threading.Lock()

    def due(self, key: object) -> bool:
        """True when `key` was not let through within the interval (and notes that it is now)."""
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -self.interval_s) < self.interval_s:
                return False
            if len(self._last) > 10_000:
                self._last = {k: t for k, t in self._last.items() if now - t < self.interval_s}
            self._last[key] = now
            return True


@dataclass
class Services:
    """The per-process objects handed to every endpoint."""

    settings: HelpdeskSettings
    db: Database
    bus: NotificationBus = field(default_factory=InMemoryBus)
    escalations: EscalationStore = field(init=False)
    kiosk_keys: KioskKeys = field(init=False)
    kiosk_rate: TokenBucket = field(init=False)
    login_throttle: LoginThrottle | SharedLoginThrottle = field(init=False)
    poll_threads: anyio.CapacityLimiter = field(init=False)
    queue_view_audits: Every = field(init=False)
    fault_after_commit: Callable[[], None] | None = None
    """Tests only: called between a commit and the publishing of its events (see api.app.fault_injection)."""

    def __post_init__(self) -> None:
        self.escalations = EscalationStore(self.db, self.settings)
        self.kiosk_keys = KioskKeys(self.db, self.settings.kiosk_auth_cache_s)
        self.kiosk_rate = TokenBucket(self.settings.kiosk_rate_per_s, self.settings.kiosk_rate_burst)
        self.login_throttle = login_throttle(self.settings, self.db)
        self.poll_threads = anyio.CapacityLimiter(self.settings.long_poll_threads)
        self.queue_view_audits = Every(VIEW_AUDIT_EVERY_S)

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run blocking database work in the thread pool."""
        return await run_in_threadpool(fn, *args, **kwargs)

    async def run_for_poll(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a long poll's database work on its own few threads.

        Hundreds of kiosks hold long polls; when many come back at once their reads and contact writes would
        otherwise fill the shared thread pool and database pool, and escalation creates would queue behind them."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.poll_threads)
