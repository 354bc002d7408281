"""Portable SQL building blocks (SQLite and PostgreSQL): epoch seconds, the analysis scope, percentiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import BigInteger, ColumnElement, Float, Select, and_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from helpdesk.tables import session_events

MONDAY_EPOCH_S = 4 * 86_400
"""1970-01-05 00:00 was a Monday: weeks are counted from there."""
GAVE_UP: tuple[str, ...] = ("home", "timeout", "restart")
"""Session-end outcomes that mean the resident left without finishing."""
HELP_ACTIONS: tuple[str, ...] = ("help-opened", "help-asked", "help-offer-accepted")


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a UTC datetime column, as a float."""

    type = Float()
    inherit_cache = True


class epoch_whole_seconds(FunctionElement):
    """Whole seconds since 1970 of a UTC datetime column, as an integer (for hour and week buckets)."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler, **kw) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds)
def _epoch_postgres(element: epoch_seconds, compiler, **kw) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"


@compiles(epoch_whole_seconds, "sqlite")
def _whole_sqlite(element: epoch_whole_seconds, compiler, **kw) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_whole_seconds)
def _whole_postgres(element: epoch_whole_seconds, compiler, **kw) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


class tenths(FunctionElement):
    """A non-negative number of seconds rounded to whole tenths (half up), as an integer: a key to group by."""

    type = BigInteger()
    inherit_cache = True


@compiles(tenths, "sqlite")
def _tenths_sqlite(element: tenths, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) * 10 + 0.5 AS INTEGER)"


@compiles(tenths)
def _tenths_postgres(element: tenths, compiler, **kw) -> str:
    return f"CAST(FLOOR(({compiler.process(element.clauses, **kw)}) * 10 + 0.5) AS BIGINT)"


@dataclass(frozen=True)
class Scope:
    """What a trainer looks at: one procedure or all, one site or all, a period, one language or all."""

    procedure_id: str | None = None
    site_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    language: str | None = None
    utc_offset_s: int = 9 * 3600
    """Local time for hours and weeks (Asia/Tokyo has no daylight saving)."""

    def describe(self) -> str:
        """A one-line summary for report headers."""
        parts = [
            f"procedure={self.procedure_id or 'all'}",
            f"site={self.site_id or 'all'}",
            f"language={self.language or 'all'}",
        ]
        if self.since:
            parts.append(f"since={self.since.date().isoformat()}")
        if self.until:
            parts.append(f"until={self.until.date().isoformat()}")
        return ", ".join(parts)


def sessions_in_language(language: str) -> Select:
    """Session ids that started in a language."""
    e = session_events
    return select(e.c.session_id).where(e.c.action == "session-start", e.c.outcome == language)


def event_filter(scope: Scope, *, with_procedure: bool = True) -> ColumnElement[bool]:
    """WHERE clause selecting the session events in scope."""
    e = session_events
    conditions: list[ColumnElement[bool]] = []
    if with_procedure and scope.procedure_id:
        conditions.append(e.c.procedure_id == scope.procedure_id)
    if scope.site_id:
        conditions.append(e.c.site_id == scope.site_id)
    if scope.since:
        conditions.append(e.c.at >= scope.since)
    if scope.until:
        conditions.append(e.c.at < scope.until)
    if scope.language:
        conditions.append(e.c.session_id.in_(sessions_in_language(scope.language)))
    return and_(True, *conditions)


def nearest_rank_counted(counted: list[tuple[float, int]], fraction_tenths: int) -> float | None:
    """`nearest_rank` over a histogram: (value, how many times) pairs, sorted by value."""
    total = sum(n for _value, n in counted)
    rank = max((total * fraction_tenths + 9) // 10, 1)
    seen = 0
    for value, n in counted:
        seen += n
        if seen >= rank:
            return value
    return None


def nearest_rank(values: list[float], fraction_tenths: int) -> float | None:
    """The same nearest-rank percentile in Python (for fractions in tenths: 5 → median, 9 → p90)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) * fraction_tenths + 9) // 10
    return ordered[max(rank, 1) - 1]
