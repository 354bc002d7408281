"""Stuck points per step: time on step (median, p90), back / repeat / help rates, and the hardest steps.

Time on a step is derived from timestamps, not trusted from the kiosk: a visit starts at `step-shown` and ends at the
session's next `step-shown`, `back` or `session-end`, whichever comes first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, case, func, literal, select

from helpdesk.analytics.sql import (
    GAVE_UP,
    HELP_ACTIONS,
    Scope,
    epoch_seconds,
    event_filter,
    nearest_rank_counted,
    tenths,
)
from helpdesk.tables import session_events

BOUNDARIES = ("step-shown", "back", "session-end")


@dataclass(frozen=True)
class StepStats:
    """How residents fared on one step."""

    procedure_id: str
    step_id: str
    sessions: int
    visits: int
    median_s: float | None
    p90_s: float | None
    back_rate: float
    repeat_rate: float
    help_rate: float
    drop_rate: float = 0.0

    @property
    def key(self) -> str:
        """`procedure/step`, the form kiosks use for thresholds."""
        return f"{self.procedure_id}/{self.step_id}"

    @property
    def hardness(self) -> float:
        """One number to rank steps: the share of residents who went back, repeated, asked for help or gave up."""
        return round(self.back_rate + self.repeat_rate + self.help_rate + self.drop_rate, 6)


def visit_times(
    conn: Connection, scope: Scope, *, first_unaided: bool = False
) -> dict[tuple[str, str | None], tuple[int, float | None, float | None]]:
    """(procedure, step) → (visits, median seconds, p90 seconds), computed in the database.

    With `first_unaided` (for stuck thresholds), only each session's first visit of a step counts, and only when it
    did not end in a help request: a return after `back` is quicker (the step was read already), and a visit cut
    short by asking for help measures a stuck resident, not how long residents who manage alone take.

    The database returns how many visits lasted each tenth of a second per step (times are shown to 0.1 s); the
    nearest-rank percentiles are read off that histogram. Rounding first and ranking after gives the same value as
    ranking first (rounding keeps the order), and grouping is much cheaper than sorting every visit in a window."""
    counted: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for procedure_id, step_id, length_tenths, n in conn.execute(_visit_histogram(scope, first_unaided)):
        counted[(procedure_id, step_id)].append((int(length_tenths) / 10, n))
    result: dict[tuple[str, str | None], tuple[int, float | None, float | None]] = {}
    for key, pairs in counted.items():
        pairs.sort()
        visits = sum(n for _value, n in pairs)
        result[key] = (visits, _round(nearest_rank_counted(pairs, 5)), _round(nearest_rank_counted(pairs, 9)))
    return result


def _visit_histogram(scope: Scope, first_unaided: bool) -> Select:
    """(procedure, step, visit length in tenths of a second, how many visits) in scope."""
    e = session_events
    window: dict[str, Any] = {"partition_by": e.c.session_id, "order_by": e.c.at}
    boundaries = (
        select(
            e.c.session_id,
            e.c.procedure_id,
            e.c.step_id,
            e.c.action,
            e.c.at,
            func.lead(e.c.at).over(**window).label("next_at"),
            *([func.lead(e.c.action).over(**window).label("next_action")] if first_unaided else []),
        )
        .where(event_filter(scope), e.c.action.in_(BOUNDARIES + (HELP_ACTIONS if first_unaided else ())))
        .subquery("boundaries")
    )
    b = boundaries.c
    # epoch seconds only for the visits (about half the boundary rows), once each
    length = tenths(epoch_seconds(b.next_at) - epoch_seconds(b.at)).label("tenths")
    nth = func.row_number().over(partition_by=(b.session_id, b.procedure_id, b.step_id), order_by=b.at).label("nth")
    extra = (nth, b.next_action) if first_unaided else ()  # each window costs a sort: only when needed
    shown = (
        select(b.procedure_id, b.step_id, length, *extra)
        .where(b.action == "step-shown", b.next_at.is_not(None), b.step_id.is_not(None))
        .subquery("shown")
    )
    v = shown.c
    histogram = select(v.procedure_id, v.step_id, v.tenths, func.count()).group_by(v.procedure_id, v.step_id, v.tenths)
    if first_unaided:
        histogram = histogram.where(v.nth == 1, v.next_action.not_in(HELP_ACTIONS))
    return histogram


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def session_counts(conn: Connection, scope: Scope) -> dict[tuple[str, str | None], dict[str, int]]:
    """(procedure, step) → distinct sessions per kind: started (step None), shown, back, repeat, help, dropped, and
    `end:<outcome>` for every way a session ended there. One scan serves both the funnel and the stuck points."""
    e = session_events
    kind = case(
        (e.c.action.in_(HELP_ACTIONS), literal("help")),
        (e.c.action == "step-shown", literal("shown")),
        (e.c.action == "procedure-start", literal("started")),
        (e.c.action == "session-end", literal("end:") + func.coalesce(e.c.outcome, literal(""))),
        else_=e.c.action,
    ).label("kind")
    wanted = ("procedure-start", "step-shown", "back", "repeat", "session-end", *HELP_ACTIONS)
    rows = conn.execute(
        select(e.c.procedure_id, e.c.step_id, kind, func.count(func.distinct(e.c.session_id)))
        .where(event_filter(scope), e.c.action.in_(wanted), e.c.procedure_id.is_not(None))
        .group_by(e.c.procedure_id, e.c.step_id, kind)
    )
    counts: dict[tuple[str, str | None], dict[str, int]] = defaultdict(dict)
    for procedure_id, step_id, name, n in rows:
        counts[(procedure_id, step_id)][name] = n
    for found in counts.values():
        found["dropped"] = sum(found.get(f"end:{o}", 0) for o in GAVE_UP)
    return counts


def step_stats(conn: Connection, scope: Scope) -> list[StepStats]:
    """Every step's numbers in scope, sorted by procedure and step."""
    return combine(session_counts(conn, scope), visit_times(conn, scope))


def combine(
    counts: Mapping[tuple[str, str | None], dict[str, int]],
    times: Mapping[tuple[str, str | None], tuple[int, float | None, float | None]],
) -> list[StepStats]:
    """Step numbers from a session_counts scan and a visit_times scan."""
    stats = []
    for key in sorted(set(times) | {k for k, c in counts.items() if c.get("shown") and k[1] is not None}):
        c = counts.get(key, {})
        shown = c.get("shown", 0)
        visits, median_s, p90_s = times.get(key, (0, None, None))
        stats.append(
            StepStats(
                procedure_id=key[0],
                step_id=str(key[1]),
                sessions=shown,
                visits=visits,
                median_s=median_s,
                p90_s=p90_s,
                back_rate=_rate(c.get("back", 0), shown),
                repeat_rate=_rate(c.get("repeat", 0), shown),
                help_rate=_rate(c.get("help", 0), shown),
                drop_rate=_rate(c.get("dropped", 0), shown),
            )
        )
    return stats


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def hardest(stats: list[StepStats], limit: int = 10, *, min_sessions: int = 1) -> list[StepStats]:
    """The hardest steps overall (by hardness, then p90 time), among steps seen by enough sessions."""
    eligible = [s for s in stats if s.sessions >= min_sessions]
    return sorted(eligible, key=lambda s: (-s.hardness, -(s.p90_s or 0.0), s.key))[:limit]


def step_thresholds(
    conn: Connection, scope: Scope, *, min_sessions: int, end_steps: frozenset[str] = frozenset()
) -> dict[str, float]:
    """`procedure/step` → p90 seconds of first unaided visits, for steps seen by at least `min_sessions` sessions."""
    counts = session_counts(conn, scope)
    result = {}
    for (procedure_id, step_id), (_visits, _median, p90) in visit_times(conn, scope, first_unaided=True).items():
        key = f"{procedure_id}/{step_id}"
        if p90 is None or key in end_steps or counts.get((procedure_id, step_id), {}).get("shown", 0) < min_sessions:
            continue
        result[key] = p90
    return dict(sorted(result.items()))
