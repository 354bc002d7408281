"""Week-over-week trends and how residents choose text size and language."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from helpdesk.analytics.sql import MONDAY_EPOCH_S, Scope, epoch_whole_seconds, event_filter
from helpdesk.tables import session_events

WEEK_S = 7 * 86_400


@dataclass(frozen=True)
class Week:
    """One local week (starting Monday): sessions that started a procedure, completed, and asked for help."""

    monday: dt.date
    sessions: int
    completed: int
    helped: int

    @property
    def completion_rate(self) -> float:
        """Share of sessions that completed."""
        return self.completed / self.sessions if self.sessions else 0.0


def weeks(conn: Connection, scope: Scope) -> list[Week]:
    """Per local week: sessions, completions and sessions with a help request."""
    e = session_events
    week = ((epoch_whole_seconds(e.c.at) + scope.utc_offset_s - MONDAY_EPOCH_S) // WEEK_S).label("week")
    rows = conn.execute(
        select(week, e.c.action, func.count(func.distinct(e.c.session_id)))
        .where(
            event_filter(scope),
            (e.c.action.in_(("procedure-start", "help-asked")))
            | ((e.c.action == "session-end") & (e.c.outcome == "completed")),
        )
        .group_by(week, e.c.action)
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for index, action, n in rows:
        counts[int(index)][action] = n
    epoch_monday = dt.date(1970, 1, 5)
    return [
        Week(
            monday=epoch_monday + dt.timedelta(weeks=index),
            sessions=c.get("procedure-start", 0),
            completed=c.get("session-end", 0),
            helped=c.get("help-asked", 0),
        )
        for index, c in sorted(counts.items())
    ]


def week_over_week(series: list[Week]) -> list[tuple[Week, float | None]]:
    """Each week with the change in sessions against the week before (None for the first week)."""
    result: list[tuple[Week, float | None]] = []
    for i, week in enumerate(series):
        before = series[i - 1].sessions if i else 0
        result.append((week, (week.sessions - before) / before if before else None))
    return result


def _session_filter(scope: Scope):
    """Sessions in scope, by their procedure-start event (session-level events carry no procedure)."""
    e = session_events
    return select(e.c.session_id).where(event_filter(scope), e.c.action == "procedure-start")


def _in_scope(scope: Scope):
    """Condition on a session-level event: its session is in scope (cheap when no procedure is chosen)."""
    e = session_events
    if scope.procedure_id is None:
        return event_filter(scope)
    return e.c.session_id.in_(_session_filter(scope))


def language_shares(conn: Connection, scope: Scope) -> dict[str, int]:
    """Sessions by the language they started in."""
    e = session_events
    rows = conn.execute(
        select(e.c.outcome, func.count())
        .where(e.c.action == "session-start", _in_scope(scope))
        .group_by(e.c.outcome)
        .order_by(e.c.outcome)
    )
    return {outcome or "": n for outcome, n in rows}


def text_size_shares(conn: Connection, scope: Scope, *, sessions: int | None = None) -> dict[str, int]:
    """Sessions by the text size they ended with ("standard" when never changed). `sessions`, when the caller
    counted them already (the sum of `language_shares`), saves a scan."""
    e = session_events
    ranked = (
        select(
            e.c.outcome,
            func.row_number().over(partition_by=e.c.session_id, order_by=e.c.at.desc()).label("rn"),
        )
        .where(e.c.action == "text-size", _in_scope(scope))
        .subquery()
    )
    rows = conn.execute(select(ranked.c.outcome, func.count()).where(ranked.c.rn == 1).group_by(ranked.c.outcome))
    shares = {outcome or "": n for outcome, n in rows}
    if sessions is None:
        started = select(func.count()).where(e.c.action == "session-start", _in_scope(scope))
        sessions = conn.execute(started).scalar_one()
    shares["standard"] = shares.get("standard", 0) + sessions - sum(shares.values())
    return dict(sorted(shares.items()))
