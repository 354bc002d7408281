"""The helpdesk's one notion of now: aware UTC datetimes, and how SQLite stores them."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """The current time in UTC (aware)."""
    return dt.datetime.now(dt.UTC)


def sqlite_timestamp(value: dt.datetime) -> str:
    """A UTC timestamp in SQLAlchemy's SQLite storage format (`YYYY-MM-DD HH:MM:SS.ffffff`)."""
    return value.astimezone(dt.UTC).isoformat(" ", "microseconds")[:26]  # without the "+00:00"
