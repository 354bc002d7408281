"""Database tables (SQLAlchemy Core). Migrations under helpdesk/migrations create exactly these."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC with a timezone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sites = Table(
    "sites",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("fallback_phone", String(40)),
    Column("sla_minutes", Integer, nullable=False, default=10),
    Column("created_at", UTCDateTime, nullable=False),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("site_id", String(63), ForeignKey("sites.id"), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("name", String(100)),
    Column("revoked_at", UTCDateTime),
    Column("last_seen_at", UTCDateTime),
    Column("last_status", JSON),
    Column("created_at", UTCDateTime, nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(100), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("disabled_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_change_required", Boolean, nullable=False, server_default=false()),
)

staff_sites = Table(
    "staff_sites",
    metadata,
    Column("staff_id", Integer, ForeignKey("staff.id"), primary_key=True),
    Column("site_id", String(63), ForeignKey("sites.id"), primary_key=True),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kiosk_id", String(63), ForeignKey("kiosks.id"), nullable=False),
    Column("site_id", String(63), ForeignKey("sites.id"), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("session_id", String(64), nullable=False),
    Column("procedure_id", String(63), nullable=False),
    Column("step_id", String(63), nullable=False),
    Column("language", String(10), nullable=False),
    Column("reason", String(60), nullable=False),
    Column("path", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("claimed_by", Integer, ForeignKey("staff.id")),
    Column("claimed_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
    Column("outcome", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("kiosk_contact_at", UTCDateTime, nullable=False),
    Column("content_version", String(64)),
    UniqueConstraint("kiosk_id", "idempotency_key", name="uq_escalations_kiosk_idempotency"),
    Index("ix_escalations_site_status_created", "site_id", "status", "created_at"),
    Index("ix_escalations_status_created", "status", "created_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("escalation_id", String(32), ForeignKey("escalations.id"), nullable=False),
    Column("sender", String(10), nullable=False),
    Column("staff_id", Integer, ForeignKey("staff.id")),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("step_id", String(63)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("client_key", String(64)),  # a kiosk's Idempotency-Key for an answer (migration 0005)
    Column("refers_to", Integer),  # the staff question an answer answers (migration 0005)
    Index("ix_messages_escalation_id_id", "escalation_id", "id"),
    Index("uq_messages_escalation_client_key", "escalation_id", "client_key", unique=True),
)

canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", String(63), ForeignKey("sites.id")),
    Column("language", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor_kind", String(10), nullable=False),
    Column("actor_id", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("escalation_id", String(32), index=True),
    Column("detail", String(200), nullable=False, default=""),
)

session_events = Table(
    "session_events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("kiosk_id", String(63), nullable=False),
    Column("site_id", String(63), nullable=False),
    Column("procedure_id", String(63)),
    Column("step_id", String(63)),
    Column("action", String(40), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("outcome", String(40)),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("content_version", String(64)),
    Index("ix_session_events_procedure_at", "procedure_id", "at"),
)

# Cross-process helpers for several server processes on PostgreSQL (migration 0003); unused on SQLite.
bus_events = Table(
    "bus_events",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("topic", String(100), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""Recent events of replayable topics (the queue), so a console reconnecting to any process catches up."""

bus_replay_floor = Table(
    "bus_replay_floor",
    metadata,
    Column("topic", String(100), primary_key=True),
    Column("floor", BigInteger, nullable=False),
)
"""Per topic, the newest event id trimmed away: a console whose Last-Event-ID is below it must refetch."""

bus_outbox = Table(
    "bus_outbox",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("topic", String(100), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""PostgreSQL: events written in the transaction of the change they describe, not numbered yet. The bus's relay
moves them into `bus_events` (numbered in commit order) and NOTIFYs, after the commit; a process that died before
relaying leaves them here for another process's relay (migration 0004). SQLite numbers events in the transaction."""

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_hash", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_key_hash_at", "key_hash", "at"),
)
"""Failed staff logins (login or address, hashed), shared by every server process for the login throttle."""

content_versions = Table(
    "content_versions",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("pack", LargeBinary, nullable=False),
    Column("signature", String(200), nullable=False),
    Column("public_key", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("procedures", JSON, nullable=False),
    Column("lint", JSON, nullable=False),
    Column("published_by", String(100), nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
)
"""Immutable content packs (migration 0006): the SHA-256 of the canonical pack is the key; rows are never updated."""

content_rollouts = Table(
    "content_rollouts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(64), ForeignKey("content_versions.version"), nullable=False),
    Column("site_id", String(63), ForeignKey("sites.id")),
    Column("by", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
)
"""Which version each site should run, append-only: a site runs the newest rollout naming it or all sites (NULL)."""

site_values = Table(
    "site_values",
    metadata,
    Column("site_id", String(63), ForeignKey("sites.id"), primary_key=True),
    Column("name", String(63), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Each site's values for the settings procedures declare (`{site.NAME}`), sent to its kiosks (migration 0006)."""

content_drafts = Table(
    "content_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("base_version", String(64)),
    Column("pack", LargeBinary, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("published_version", String(64)),
)
"""Work in progress from the browser editor (migration 0006): the whole content as a pack, saved on every change."""
