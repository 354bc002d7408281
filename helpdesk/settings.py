"""Helpdesk settings: one object per process, read from `YORISOI_*` environment variables when created."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """The embedded default: a SQLite file in the user's data directory (created on first use)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("yorisoi", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'helpdesk.sqlite3'}"


class HelpdeskSettings(BaseSettings):
    """Everything the helpdesk server and CLI can be configured with."""

    model_config = SettingsConfigDict(env_prefix="YORISOI_", extra="ignore")

    database_url: str | None = None
    """None → the embedded SQLite default; `postgresql+psycopg://...` for PostgreSQL."""
    sqlite_busy_timeout_ms: int = 5000
    database_pool_size: int = Field(default=8, ge=1, le=100)
    """Database connections each server process keeps open (SQLAlchemy pool_size)."""
    database_max_overflow: int = Field(default=8, ge=0, le=100)
    """Extra connections a process may open under load, closed again when idle. On PostgreSQL each process uses
    up to pool size + overflow + 3 (the notification bus: listen, publish, replay): size max_connections for it."""
    abandon_after_s: int = Field(default=300, ge=10)
    """An escalation whose kiosk has not been in touch for this long is abandoned."""
    long_wait_boost_s: int = Field(default=600, ge=0)
    """Added to the wait of an escalation past its site's SLA, so it goes ahead of the others."""
    active_limit_per_staff: int = Field(default=3, ge=1)
    default_handling_s: int = Field(default=240, ge=1)
    """Estimated handling time before any escalation has been resolved."""
    kiosk_rate_per_s: float = Field(default=10.0, gt=0)
    kiosk_rate_burst: int = Field(default=40, ge=1)
    kiosk_auth_cache_s: float = Field(default=5.0, ge=0)
    """How long a kiosk key check is remembered; a revocation or rotation anywhere clears it through the bus."""
    long_poll_max_s: float = Field(default=25.0, ge=0)
    long_poll_threads: int = Field(default=8, ge=1, le=64)
    """Threads (and so at most database connections) per process for long polls' database work, kept apart from
    the rest so a crowd of returning polls cannot delay escalation creates."""
    bus_replay_s: float = Field(default=3600.0, ge=60)
    """PostgreSQL: how long queue events are kept so a reconnecting console (to any process) replays what it
    missed; a console away longer gets a reset and refetches the queue."""
    login_max_failures: int = Field(default=5, ge=1)
    """Failed logins of one account within `login_window_s` before it must wait."""
    login_address_max_failures: int = Field(default=50, ge=1)
    """Failed logins from one address (an office behind one NAT) within `login_window_s` before it must wait."""
    login_window_s: int = Field(default=900, ge=1)
    session_max_age_s: int = Field(default=8 * 3600, ge=60)
    session_idle_s: int = Field(default=30 * 60, ge=60)
    """A session nobody used for this long ends (besides the `session_max_age_s` limit)."""
    cookie_secure: bool = True
    """Secure flag on cookies; only turn off for plain-HTTP loopback demos and tests."""
    event_retention_days: int = Field(default=180, ge=1)
    stun_urls: str = ""
    """STUN servers handed to kiosks and consoles for voice calls, comma-separated (`stun:turn.example.jp:3478`)."""
    turn_urls: str = ""
    """TURN servers (coturn with `use-auth-secret`), comma-separated (`turn:turn.example.jp:3478?transport=udp`)."""
    turn_secret: str = ""
    """coturn's `static-auth-secret`: time-limited TURN credentials are minted from it per call (no static TURN
    password ever sits on a kiosk or in a browser)."""
    turn_ttl_s: int = Field(default=3600, ge=60, le=86_400)
    sweep_interval_s: float = Field(default=15.0, gt=0)
    content_signing_key_file: Path | None = None
    """The Ed25519 private key content versions are signed with (`yorisoi content keygen`); needed to publish."""

    @field_validator("content_signing_key_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty value (as in env.example) means no key, not the current folder."""
        return None if value == "" else value

    def resolved_database_url(self) -> str:
        """The database URL to use, falling back to the embedded SQLite file."""
        return self.database_url or default_database_url()
