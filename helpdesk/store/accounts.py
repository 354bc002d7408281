"""Sites, kiosks and staff accounts, with their keys, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk import security
from helpdesk.bus import KIOSK_KEYS_TOPIC, QUEUE_TOPIC, Recorded
from helpdesk.bus import outbox as events
from helpdesk.bus.postgres import WAKE_CHANNEL
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.domain import ROLES
from helpdesk.errors import AlreadyExists, BadRequest, Forbidden, NotFound
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.tables import api_tokens, kiosks, sites, staff, staff_sessions, staff_sites

ACCESS_CHANGED = "access-changed"
"""A queue-topic event (never sent to consoles): a member was disabled or their role or sites changed, so their open
queue streams re-check their credentials at once and end (`helpdesk.api.queue`)."""
KIOSK_KEY_CHANGED = "kiosk-key-changed"
"""A kiosk-keys event: a kiosk's key was revoked or rotated, so every server process forgets the answers its key
cache remembers (`helpdesk.api.key_watch`)."""


def add_site(
    db: Database, *, site_id: str, name: str, fallback_phone: str | None = None, sla_minutes: int = 10
) -> None:
    """Register a site (community centre)."""
    try:
        with db.write() as conn:
            conn.execute(
                insert(sites).values(
                    id=site_id, name=name, fallback_phone=fallback_phone, sla_minutes=sla_minutes, created_at=utcnow()
                )
            )
    except IntegrityError:
        raise AlreadyExists(f"site {site_id} exists already") from None


def get_site(conn: Connection, site_id: str) -> dict:
    """A site's row as a dict (NotFound when absent)."""
    row = conn.execute(select(sites).where(sites.c.id == site_id)).mappings().first()
    if row is None:
        raise NotFound(f"no site {site_id}")
    return dict(row)


def add_kiosk(db: Database, *, kiosk_id: str, site_id: str, name: str | None = None) -> str:
    """Register a kiosk (with a name staff recognise, e.g. 入口の左) and return its key (shown once; only a digest is
    stored)."""
    key = security.new_kiosk_key()
    try:
        with db.write() as conn:
            get_site(conn, site_id)
            conn.execute(
                insert(kiosks).values(
                    id=kiosk_id, site_id=site_id, name=name, key_hash=security.digest(key), created_at=utcnow()
                )
            )
    except IntegrityError:
        raise AlreadyExists(f"kiosk {kiosk_id} exists already") from None
    return key


def rotate_kiosk_key(db: Database, *, kiosk_id: str) -> tuple[str, Recorded]:
    """Give a kiosk a new key (the old one stops working); returns it and the bus event that makes every server
    process forget the old one (publish it with `bus.committed`; from another process the bus delivers it)."""
    key = security.new_kiosk_key()
    with db.write() as conn:
        done = conn.execute(
            update(kiosks).where(kiosks.c.id == kiosk_id).values(key_hash=security.digest(key), revoked_at=None)
        ).rowcount
        if not done:
            raise NotFound(f"no kiosk {kiosk_id}")
        return key, _key_changed(conn, kiosk_id)


def revoke_kiosk(db: Database, *, kiosk_id: str) -> Recorded:
    """Stop accepting a kiosk's key; returns the bus event that makes every server process forget it."""
    with db.write() as conn:
        done = conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id).values(revoked_at=utcnow())).rowcount
        if not done:
            raise NotFound(f"no kiosk {kiosk_id}")
        return _key_changed(conn, kiosk_id)


def _key_changed(conn: Connection, kiosk_id: str) -> Recorded:
    """Write the key-changed event in `conn`'s transaction; on PostgreSQL also wake every relay at commit."""
    event = events.record(conn, KIOSK_KEYS_TOPIC, {"action": KIOSK_KEY_CHANGED, "kiosk_id": kiosk_id})
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_notify('{WAKE_CHANNEL}', '')")
    return event


class KioskKeys:
    """Checks kiosk keys, remembering recent answers for `ttl_s` so a request costs no extra query."""

    def __init__(self, db: Database, ttl_s: float) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, KioskPrincipal | None]] = {}
        self._lock = threading.Lock()

    def remembered(self, key: str) -> KioskPrincipal | Literal[False] | None:
        """A recent answer for this key without touching the database; False when there is none."""
        with self._lock:
            cached = self._cache.get(security.digest(key))
        if cached and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        return False

    def lookup(self, key: str) -> KioskPrincipal | None:
        """The kiosk holding this key, or None."""
        remembered = self.remembered(key)
        if remembered is not False:
            return remembered
        key_hash, now = security.digest(key), time.monotonic()
        with self.db.read() as conn:
            row = conn.execute(
                select(kiosks.c.id, kiosks.c.site_id, kiosks.c.key_hash).where(
                    kiosks.c.key_hash == key_hash, kiosks.c.revoked_at.is_(None)
                )
            ).first()
        found = KioskPrincipal(row.id, row.site_id) if row and security.same_secret(row.key_hash, key_hash) else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key_hash] = (now, found)
        return found

    def forget(self) -> None:
        """Drop remembered answers (a key was revoked or rotated, in this process or another)."""
        with self._lock:
            self._cache.clear()


def add_staff(
    db: Database, *, login: str, role: str, password: str, site_ids: list[str], display_name: str | None = None
) -> int:
    """Create a staff account with an argon2-hashed password; returns its id."""
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}")
    weak = security.check_password_strength(password)
    if weak:
        raise BadRequest(weak)
    password_hash = security.hash_password(password)
    try:
        with db.write() as conn:
            for site_id in site_ids:
                get_site(conn, site_id)
            staff_id = conn.execute(
                insert(staff).values(
                    login=login,
                    display_name=display_name or login,
                    role=role,
                    password_hash=password_hash,
                    created_at=utcnow(),
                )
            ).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
            for site_id in site_ids:
                conn.execute(insert(staff_sites).values(staff_id=staff_id, site_id=site_id))
    except IntegrityError:
        raise AlreadyExists(f"staff login {login} exists already") from None
    return int(staff_id)


def access_changed(conn: Connection, staff_id: int) -> Recorded:
    """Write, in `conn`'s transaction, the event that ends the member's open queue streams."""
    return events.record(conn, QUEUE_TOPIC, {"action": ACCESS_CHANGED, "staff_id": staff_id})


def disable_staff(db: Database, *, login: str) -> tuple[Recorded, ...]:
    """Disable an account: its sessions end and its API tokens are revoked at once; returns the bus event that
    ends its open streams (published by the server; from another process it arrives within the bus's poll)."""
    now = utcnow()
    with db.write() as conn:
        staff_id = conn.execute(select(staff.c.id).where(staff.c.login == login)).scalar()
        if staff_id is None:
            raise NotFound(f"no staff login {login}")
        conn.execute(update(staff).where(staff.c.id == staff_id).values(disabled_at=now))
        conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.staff_id == staff_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return (access_changed(conn, staff_id),)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A staff row with its password hash, for login."""

    id: int
    login: str
    password_hash: str
    disabled: bool


def find_login(db: Database, login: str) -> StaffAccount | None:
    """The account for a login name, or None."""
    with db.read() as conn:
        row = conn.execute(select(staff).where(staff.c.login == login)).first()
    if row is None:
        return None
    return StaffAccount(row.id, row.login, row.password_hash, row.disabled_at is not None)


def _principal(conn: Connection, staff_id: int, via: str, **extra: object) -> StaffPrincipal | None:
    row = conn.execute(select(staff).where(staff.c.id == staff_id, staff.c.disabled_at.is_(None))).first()
    if row is None:
        return None
    site_ids = frozenset(
        conn.execute(select(staff_sites.c.site_id).where(staff_sites.c.staff_id == staff_id)).scalars()
    )
    extra["password_change_required"] = bool(row.password_change_required)
    return StaffPrincipal(row.id, row.login, row.display_name, row.role, site_ids, via, **extra)  # type: ignore[arg-type]


def start_session(db: Database, *, staff_id: int, max_age_s: int) -> tuple[str, str]:
    """A new session for a staff member: returns (cookie value, CSRF token)."""
    token, csrf = security.new_session_token(), security.new_csrf_token()
    now = utcnow()
    with db.write() as conn:
        conn.execute(
            insert(staff_sessions).values(
                token_hash=security.digest(token),
                staff_id=staff_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=max_age_s),
                last_seen_at=now,
            )
        )
    return token, csrf


def end_session(db: Database, *, session_hash: str) -> None:
    """Forget a session (logout)."""
    with db.write() as conn:
        conn.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == session_hash))


TOUCH_EVERY_S = 60
"""A session's last use is written at most once a minute (not on every request)."""


def staff_by_session(
    db: Database, token: str, *, idle_s: float | None = None, touch: bool = True
) -> StaffPrincipal | None:
    """The staff member of a live session cookie, or None: ended, past its age limit, or unused for `idle_s`.

    `touch=False` for checks that are not the member's own doing (a queue stream re-checking its credentials), so
    an open but unattended console still times out."""
    token_hash, now = security.digest(token), utcnow()
    with db.read() as conn:
        row = conn.execute(
            select(staff_sessions).where(staff_sessions.c.token_hash == token_hash, staff_sessions.c.expires_at > now)
        ).first()
        if row is None:
            return None
        seen = row.last_seen_at or row.created_at
        if idle_s is not None and seen <= now - dt.timedelta(seconds=idle_s):
            return None
        member = _principal(conn, row.staff_id, "session", csrf_token=row.csrf_token, session_hash=token_hash)
    if member is not None and touch and seen <= now - dt.timedelta(seconds=TOUCH_EVERY_S):
        with db.write() as conn:
            conn.execute(
                update(staff_sessions).where(staff_sessions.c.token_hash == token_hash).values(last_seen_at=now)
            )
    return member


def change_password(db: Database, *, staff_id: int, current: str, new: str, keep_session: str | None) -> Recorded:
    """A member replaces their own password (the current one must be right); their other sessions end. Returns the
    bus event that ends their open queue streams elsewhere."""
    with db.read() as conn:
        password_hash = conn.execute(select(staff.c.password_hash).where(staff.c.id == staff_id)).scalar()
    if not security.verify_password(password_hash, current):
        raise Forbidden("the current password is not right")
    if new == current:
        raise BadRequest("the new password must differ from the current one")
    weak = security.check_password_strength(new)
    if weak:
        raise BadRequest(weak)
    new_hash = security.hash_password(new)
    with db.write() as conn:
        conn.execute(
            update(staff).where(staff.c.id == staff_id).values(password_hash=new_hash, password_change_required=False)
        )
        conn.execute(
            delete(staff_sessions).where(
                staff_sessions.c.staff_id == staff_id, staff_sessions.c.token_hash != (keep_session or "")
            )
        )
        return access_changed(conn, staff_id)


def create_api_token(db: Database, *, staff_id: int, name: str) -> tuple[int, str]:
    """A personal API token for scripts: returns (id, token); the token is shown once."""
    token = security.new_api_token()
    with db.write() as conn:
        token_id = conn.execute(
            insert(api_tokens).values(
                staff_id=staff_id, token_hash=security.digest(token), name=name, created_at=utcnow()
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
    return int(token_id), token


def revoke_api_token(db: Database, *, staff_id: int, token_id: int) -> None:
    """Revoke one of a staff member's own tokens."""
    with db.write() as conn:
        done = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.staff_id == staff_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
    if not done:
        raise NotFound("no such token")


def list_api_tokens(db: Database, *, staff_id: int) -> list[dict]:
    """A staff member's live tokens (never the secrets)."""
    with db.read() as conn:
        rows = conn.execute(
            select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at).where(
                api_tokens.c.staff_id == staff_id, api_tokens.c.revoked_at.is_(None)
            )
        ).mappings()
        return [dict(row) for row in rows]


def staff_by_token(db: Database, token: str) -> StaffPrincipal | None:
    """The staff member owning a live API token, or None."""
    with db.read() as conn:
        staff_id = conn.execute(
            select(api_tokens.c.staff_id).where(
                api_tokens.c.token_hash == security.digest(token), api_tokens.c.revoked_at.is_(None)
            )
        ).scalar()
        return None if staff_id is None else _principal(conn, staff_id, "token")


def active_staff_in(conn: Connection, *, staff_id: int) -> StaffPrincipal | None:
    """A staff member by id if the account is enabled (for transfers)."""
    return _principal(conn, staff_id, "token")
