"""The login throttle shared by every server process on one PostgreSQL (failures kept in `login_failures`).

With several processes an in-memory count lets an attacker try `max_failures` passwords per process; here every
process counts the same rows. Keys (the login, the address) are stored hashed. On SQLite one process serves
everything, so the in-memory `security.LoginThrottle` is used. Both are called from the thread pool.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select

from helpdesk import security
from helpdesk.database import Database
from helpdesk.settings import HelpdeskSettings
from helpdesk.tables import login_failures


class SharedLoginThrottle:
    """`security.LoginThrottle` counted in the database: refuses after `max_failures` failures within `window_s`
    for one login or one address, whichever process saw them.

    Two attempts racing in different processes can both pass `blocked` before either is recorded, so a burst
    gets at most one extra try per concurrent request, never another full allowance per process."""

    def __init__(self, db: Database, max_failures: int, window_s: float) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window_s = window_s

    def blocked(self, *keys: str) -> bool:
        """True when any of the keys has too many recent failures."""
        cutoff = _now() - dt.timedelta(seconds=self.window_s)
        with self.db.read() as conn:
            counts = conn.execute(
                select(func.count())
                .select_from(login_failures)
                .where(login_failures.c.key_hash.in_([security.digest(k) for k in keys]), login_failures.c.at > cutoff)
                .group_by(login_failures.c.key_hash)
            ).scalars()
            return any(count >= self.max_failures for count in counts)

    def failed(self, *keys: str) -> None:
        """Record one failure for each key (and forget failures older than the window)."""
        now = _now()
        with self.db.write() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.at <= now - dt.timedelta(seconds=self.window_s)))
            conn.execute(insert(login_failures), [{"key_hash": security.digest(k), "at": now} for k in keys])

    def succeeded(self, login_key: str) -> None:
        """Forget the failures of an account after a successful login."""
        with self.db.write() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.key_hash == security.digest(login_key)))


def login_throttle(settings: HelpdeskSettings, db: Database) -> SharedLoginThrottle | security.LoginThrottle:
    """The shared throttle on PostgreSQL (several processes), the in-memory one on SQLite (one process)."""
    if db.is_sqlite:
        return security.LoginThrottle(settings.login_max_failures, settings.login_window_s)
    return SharedLoginThrottle(db, settings.login_max_failures, settings.login_window_s)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
