"""Everything one server process shares: database, stores, bus, throttles. Built in create_app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

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
    login_throttle: LoginThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.escalations = EscalationStore(self.db, self.settings)
        self.kiosk_keys = KioskKeys(self.db, self.settings.kiosk_auth_cache_s)
        self.kiosk_rate = TokenBucket(self.settings.kiosk_rate_per_s, self.settings.kiosk_rate_burst)
        self.login_throttle = LoginThrottle(self.settings.login_max_failures, self.settings.login_window_s)

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run blocking database work in the thread pool."""
        return await run_in_threadpool(fn, *args, **kwargs)
