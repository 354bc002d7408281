"""The login throttle shared by every server process on one PostgreSQL (failures kept in `login_failures`).

With several processes an in-memory count lets an attacker try `max_failures` passwords per process; here every
process counts the same rows. Keys (the login, the address) are stored hashed. On SQLite one process serves
everything, so the in-memory `security.LoginThrottle` is used. Both are called from the thread pool.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select

from helpdesk import security
from helpdesk.database import Database
from helpdesk.settings import HelpdeskSettings
from helpdesk.tables import login_failures


class SharedLoginThrottle:
    """`security.LoginThrottle` counted in the database: each key (a login, an address) has its own limit of
    failures within `window_s`, whichever process saw them.

    Two attempts racing in different processes can both pass `blocked` before either is recorded, so a burst
    gets at most one extra try per concurrent request, never another full allowance per process."""

    def __init__(self, db: Database, window_s: float) -> None:
        self.db = db
        self.window_s = window_s

    def wait_s(self, limits: dict[str, int]) -> float:
        """0 when a login may be tried now, otherwise the true seconds until it may."""
        now = _now()
        hashed = {security.digest(key): limit for key, limit in limits.items()}
        with self.db.read() as conn:
            rows = conn.execute(
                select(login_failures.c.key_hash, login_failures.c.at)
                .where(
                    login_failures.c.key_hash.in_(list(hashed)),
                    login_failures.c.at > now - dt.timedelta(seconds=self.window_s),
                )
                .order_by(login_failures.c.at)
            ).all()
        times: dict[str, list[float]] = {key: [] for key in hashed}
        for key_hash, at in rows:
            times[key_hash].append(at.timestamp())
        stamp = now.timestamp()
        return max(security.wait_for(times[k], limit, self.window_s, stamp) for k, limit in hashed.items())

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
        return security.LoginThrottle(settings.login_window_s)
    return SharedLoginThrottle(db, settings.login_window_s)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
