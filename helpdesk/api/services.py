"""Everything one server process shares: database, stores, bus, throttles. Built in create_app."""

from __future__ import annotations

import functools
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
    fault_after_commit: Callable[[], None] | None = None
    """Tests only: called between a commit and the publishing of its events (see api.app.fault_injection)."""

    def __post_init__(self) -> None:
        self.escalations = EscalationStore(self.db, self.settings)
        self.kiosk_keys = KioskKeys(self.db, self.settings.kiosk_auth_cache_s)
        self.kiosk_rate = TokenBucket(self.settings.kiosk_rate_per_s, self.settings.kiosk_rate_burst)
        self.login_throttle = login_throttle(self.settings, self.db)
        self.poll_threads = anyio.CapacityLimiter(self.settings.long_poll_threads)

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run blocking database work in the thread pool."""
        return await run_in_threadpool(fn, *args, **kwargs)

    async def run_for_poll(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a long poll's database work on its own few threads.

        Hundreds of kiosks hold long polls; when many come back at once their reads and contact writes would
        otherwise fill the shared thread pool and database pool, and escalation creates would queue behind them."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.poll_threads)
