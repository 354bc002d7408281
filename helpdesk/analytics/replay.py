"""Replay one anonymised session: what the resident saw, step by step, what they did and how long it took."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, case, select

from helpdesk.analytics.sql import Scope, event_filter
from helpdesk.tables import session_events
from helpdesk.wire import REPLAY_VERSION, ReplayExport, ReplayFrame, ReplayMoment, ReplaySession
from yorisoi.vocabulary import LANGUAGES, TEXT_SIZES

HELP_SCREENS = ("help-opened", "help-asked", "help-offered")

_TIES = case((session_events.c.action == "step-shown", 1), (session_events.c.action == "session-end", 2), else_=0)
"""Events stored with the same time: what closed a screen, then the screen that followed, then the end (the
databases return ties in any order, and PostgreSQL does)."""


@dataclass(frozen=True)
class Moment:
    """One recorded event, seconds after the session started (no kiosk id, no clock time)."""

    offset_s: float
    action: str
    step_id: str | None
    outcome: str | None


@dataclass(frozen=True)
class Frame:
    """A screen the resident saw: the step on it, when it appeared, how long it stayed, what happened on it."""

    index: int
    step_id: str | None
    offset_s: float
    seconds: float
    moments: tuple[Moment, ...]


@dataclass(frozen=True)
class Replay:
    """A session ready to step through."""

    session_id: str
    procedure_id: str | None
    language: str
    site_id: str
    day: dt.date
    outcome: str | None
    frames: tuple[Frame, ...]
    moments: tuple[Moment, ...]


def load(conn: Connection, session_id: str, *, timezone: str = "UTC") -> Replay | None:
    """The session's replay, or None when no such session is stored (`day` is the day in `timezone`)."""
    e = session_events
    rows = conn.execute(
        select(e.c.procedure_id, e.c.step_id, e.c.action, e.c.outcome, e.c.at, e.c.site_id)
        .where(e.c.session_id == session_id)
        .order_by(e.c.at, _TIES, e.c.event_id)
    ).all()
    return _replay(session_id, rows, timezone) if rows else None


def load_many(conn: Connection, session_ids: Sequence[str], *, timezone: str = "UTC") -> list[Replay]:
    """The replays of these sessions in the order given, read in one query (unknown ids are left out)."""
    if not session_ids:
        return []
    e = session_events
    rows = conn.execute(
        select(e.c.session_id, e.c.procedure_id, e.c.step_id, e.c.action, e.c.outcome, e.c.at, e.c.site_id)
        .where(e.c.session_id.in_(list(session_ids)))
        .order_by(e.c.session_id, e.c.at, _TIES, e.c.event_id)
    ).all()
    by_session: dict[str, list] = {}
    for row in rows:
        by_session.setdefault(row.session_id, []).append(row)
    return [_replay(sid, by_session[sid], timezone) for sid in dict.fromkeys(session_ids) if sid in by_session]


def _replay(session_id: str, rows: Sequence, timezone: str) -> Replay:
    """Build a replay from a session's rows in time order."""
    start = rows[0].at
    moments = tuple(Moment(round((r.at - start).total_seconds(), 1), r.action, r.step_id, r.outcome) for r in rows)
    language = next((r.outcome for r in rows if r.action == "session-start" and r.outcome), "ja")
    procedure_id = next((r.procedure_id for r in rows if r.procedure_id), None)
    ending = next((r.outcome for r in reversed(rows) if r.action == "session-end"), None)
    return Replay(
        session_id=session_id,
        procedure_id=procedure_id,
        language=language,
        site_id=rows[0].site_id,
        day=start.astimezone(ZoneInfo(timezone)).date(),
        outcome=ending,
        frames=frames(moments),
        moments=moments,
    )


def frames(moments: tuple[Moment, ...]) -> tuple[Frame, ...]:
    """Cut the moments into screens: a step appears on step-shown; `back` returns to the step shown before it."""
    shown: list[str | None] = []
    cuts: list[tuple[float, str | None, list[Moment]]] = [(0.0, None, [])]
    for moment in moments:
        if moment.action in ("step-shown", "staff-step") and moment.step_id:
            if moment.action == "staff-step" and moment.outcome:
                continue  # the step-shown that follows draws it
            shown.append(moment.step_id)
            cuts.append((moment.offset_s, moment.step_id, [moment]))
            continue
        if moment.action == "back" and shown:
            cuts[-1][2].append(moment)
            if not _closes_help(cuts[-1][2]):
                shown.pop()
            cuts.append((moment.offset_s, shown[-1] if shown else None, []))
            continue
        cuts[-1][2].append(moment)
    end = moments[-1].offset_s if moments else 0.0
    result = []
    for i, (offset, step_id, inside) in enumerate(cuts):
        following = cuts[i + 1][0] if i + 1 < len(cuts) else end
        result.append(Frame(i, step_id, offset, round(following - offset, 1), tuple(inside)))
    return tuple(f for f in result if f.moments or f.step_id)


def _closes_help(inside: list[Moment]) -> bool:
    """A `back` after help was asked on a screen closes the help or waiting screen: the step stays."""
    return any(m.action in HELP_SCREENS for m in inside[:-1])


def recent_sessions(conn: Connection, scope: Scope, limit: int = 50) -> list[dict]:
    """The latest ended sessions in scope: id, procedure, last step, how it ended, total seconds, day."""
    e = session_events
    rows = conn.execute(
        select(e.c.session_id, e.c.procedure_id, e.c.step_id, e.c.outcome, e.c.seconds, e.c.at, e.c.site_id)
        .where(event_filter(scope), e.c.action == "session-end")
        .order_by(e.c.at.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def to_export(replays: Iterable[Replay], exported_at: dt.datetime) -> ReplayExport:
    """The replays as a workshop file for `yorisoi kiosk --workshop` (no site, no kiosk, no clock time)."""
    sessions = []
    for r in replays:
        if not r.frames:
            continue
        size = next((m.outcome for m in r.moments if m.action == "text-size" and m.outcome), None)
        sessions.append(
            ReplaySession(
                session_id=r.session_id,
                procedure_id=r.procedure_id,
                language=next((known for known in LANGUAGES if known == r.language), "ja"),
                text_size=next((known for known in TEXT_SIZES if known == size), None),
                day=r.day,
                outcome=r.outcome,
                frames=[_frame(f) for f in r.frames],
            )
        )
    return ReplayExport(version=REPLAY_VERSION, exported_at=exported_at, sessions=sessions)


def _frame(frame: Frame) -> ReplayFrame:
    moments = [
        ReplayMoment(offset_s=m.offset_s, action=m.action, step_id=m.step_id, outcome=m.outcome) for m in frame.moments
    ]
    return ReplayFrame(step_id=frame.step_id, offset_s=frame.offset_s, seconds=frame.seconds, moments=moments)


def export_recent(conn: Connection, scope: Scope, *, limit: int = 50, timezone: str = "UTC") -> ReplayExport:
    """The latest `limit` ended sessions in scope as a workshop file (newest first)."""
    ids = [row["session_id"] for row in recent_sessions(conn, scope, limit)]
    return to_export(load_many(conn, ids, timezone=timezone), dt.datetime.now(dt.UTC))
