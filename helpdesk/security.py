"""Secrets and throttles: kiosk keys, staff passwords, session and API tokens, CSRF, rate limits.

Kiosk keys and tokens are ≥ 256-bit random, so a SHA-256 digest is a safe, fast way to store them
(argon2 on every kiosk request would cost ~50 ms); passwords are low-entropy and get argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

KIOSK_KEY_PREFIX = "yk_"
API_TOKEN_PREFIX = "yt_"


def new_kiosk_key() -> str:
    """A fresh kiosk key (shown once to the administrator, stored only hashed)."""
    return KIOSK_KEY_PREFIX + secrets.token_urlsafe(32)


def new_api_token() -> str:
    """A fresh personal API token for a staff member's scripts."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_token() -> str:
    """A fresh session cookie value."""
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    """A fresh CSRF token bound to one session."""
    return secrets.token_urlsafe(24)


def generate_password() -> str:
    """A random password for a new account (printed once)."""
    return secrets.token_urlsafe(15)


def digest(secret: str) -> str:
    """SHA-256 hex digest of a high-entropy secret (keys, tokens)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


_hasher = None


def _password_hasher():
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def hash_password(password: str) -> str:
    """argon2id hash of a staff password."""
    return _password_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same time when there is no such account."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _password_hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def check_password_strength(password: str) -> str | None:
    """A reason the password is too weak, or None (the policy: `helpdesk.password_policy`)."""
    from helpdesk.password_policy import weakness

    return weakness(password)


@dataclass
class TokenBucket:
    """Per-key token buckets: `rate` tokens a second, at most `burst` saved up. Thread-safe."""

    rate: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when a request may pass now, otherwise the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def wait_for(times: list[float], limit: int, window_s: float, now: float) -> float:
    """Seconds until fewer than `limit` of the failure `times` (oldest first, within the window) are left."""
    if len(times) < limit:
        return 0.0
    return max(0.0, times[len(times) - limit] + window_s - now)


@dataclass
class LoginThrottle:
    """Refuses logins while a key has too many failures within `window_s`; each key has its own limit (an account
    few, an address many: one person's typos behind an office NAT must not lock out the whole office)."""

    window_s: float
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, limits: dict[str, int], now: float | None = None) -> float:
        """0 when a login may be tried now, otherwise the true seconds until it may (the longest of the keys)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return max(
                wait_for(list(self._recent(key, now)), limit, self.window_s, now) for key, limit in limits.items()
            )

    def failed(self, *keys: str, now: float | None = None) -> None:
        """Record one failure for each key."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, login_key: str) -> None:
        """Forget the failures of an account after a successful login."""
        with self._lock:
            self._failures.pop(login_key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times
