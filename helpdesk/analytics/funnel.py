"""Funnel per procedure: sessions started → reached each step → ended there (completed, counter, gave up)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from content.schema import Procedure
from helpdesk.analytics.sql import GAVE_UP, Scope, event_filter
from helpdesk.tables import session_events


@dataclass(frozen=True)
class FunnelStep:
    """One step of a funnel: how many sessions saw it and how their sessions ended on it."""

    step_id: str
    reached: int
    completed: int = 0
    counter: int = 0
    dropped: int = 0

    @property
    def drop_rate(self) -> float:
        """Share of the sessions that reached this step and gave up on it."""
        return self.dropped / self.reached if self.reached else 0.0


@dataclass(frozen=True)
class Funnel:
    """A procedure's funnel in content order; `before_first_step` counts residents who left before step one."""

    procedure_id: str
    started: int
    steps: tuple[FunnelStep, ...]
    completed: int
    counter: int
    dropped: int
    before_first_step: int = 0
    ended_by: Mapping[str, int] = field(default_factory=dict)

    def biggest_drop(self) -> FunnelStep | None:
        """The step where the most residents gave up (by rate, then by count)."""
        candidates = [s for s in self.steps if s.dropped]
        return max(candidates, key=lambda s: (s.drop_rate, s.dropped), default=None)


def funnels(conn: Connection, scope: Scope, procedures: Mapping[str, Procedure]) -> list[Funnel]:
    """Every procedure's funnel in scope (procedures without sessions are left out)."""
    e = session_events
    where = event_filter(scope)
    started = dict(
        conn.execute(
            select(e.c.procedure_id, func.count(func.distinct(e.c.session_id)))
            .where(where, e.c.action == "procedure-start")
            .group_by(e.c.procedure_id)
        ).all()
    )
    reached: dict[str, dict[str, int]] = defaultdict(dict)
    rows = conn.execute(
        select(e.c.procedure_id, e.c.step_id, func.count(func.distinct(e.c.session_id)))
        .where(where, e.c.action == "step-shown")
        .group_by(e.c.procedure_id, e.c.step_id)
    )
    for procedure_id, step_id, count in rows:
        reached[procedure_id][step_id] = count
    ended: dict[str, dict[tuple[str | None, str], int]] = defaultdict(dict)
    rows = conn.execute(
        select(e.c.procedure_id, e.c.step_id, e.c.outcome, func.count())
        .where(where, e.c.action == "session-end", e.c.procedure_id.is_not(None))
        .group_by(e.c.procedure_id, e.c.step_id, e.c.outcome)
    )
    for procedure_id, step_id, outcome, count in rows:
        ended[procedure_id][(step_id, outcome or "")] = count
    ids = sorted(set(started) | set(reached))
    return [_funnel(pid, started.get(pid, 0), reached[pid], ended[pid], procedures.get(pid)) for pid in ids]


def _funnel(
    procedure_id: str,
    started: int,
    reached: Mapping[str, int],
    ended: Mapping[tuple[str | None, str], int],
    procedure: Procedure | None,
) -> Funnel:
    order = [s.id for s in procedure.steps] if procedure else []
    order += sorted(set(reached) - set(order))
    steps = []
    for step_id in order:
        counts = {outcome: n for (sid, outcome), n in ended.items() if sid == step_id}
        steps.append(
            FunnelStep(
                step_id=step_id,
                reached=reached.get(step_id, 0),
                completed=counts.get("completed", 0),
                counter=counts.get("counter", 0),
                dropped=sum(counts.get(o, 0) for o in GAVE_UP),
            )
        )
    ended_by: dict[str, int] = defaultdict(int)
    for (_sid, outcome), n in ended.items():
        ended_by[outcome] += n
    return Funnel(
        procedure_id=procedure_id,
        started=started,
        steps=tuple(s for s in steps if s.reached or s.dropped),
        completed=ended_by.get("completed", 0),
        counter=ended_by.get("counter", 0),
        dropped=sum(ended_by.get(o, 0) for o in GAVE_UP),
        before_first_step=sum(n for (sid, o), n in ended.items() if sid is None and o in GAVE_UP),
        ended_by=dict(ended_by),
    )
