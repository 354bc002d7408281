"""Funnel per procedure: sessions started → reached each step → ended there (completed, counter, gave up)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection

from content.schema import Procedure
from helpdesk.analytics.sql import GAVE_UP, Scope
from helpdesk.analytics.steps import session_counts


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
    return from_counts(session_counts(conn, scope), procedures)


def from_counts(
    counts: dict[tuple[str, str | None], dict[str, int]], procedures: Mapping[str, Procedure]
) -> list[Funnel]:
    """Funnels from a session_counts scan."""
    started: dict[str, int] = defaultdict(int)
    reached: dict[str, dict[str, int]] = defaultdict(dict)
    ended: dict[str, dict[tuple[str | None, str], int]] = defaultdict(dict)
    for (procedure_id, step_id), kinds in counts.items():
        started[procedure_id] += kinds.get("started", 0)
        if step_id is not None and kinds.get("shown"):
            reached[procedure_id][step_id] = kinds["shown"]
        for kind, n in kinds.items():
            if kind.startswith("end:"):
                ended[procedure_id][(step_id, kind[4:])] = n
    ids = sorted(pid for pid in set(started) | set(reached) if started[pid] or reached[pid])
    return [_funnel(pid, started[pid], reached[pid], ended[pid], procedures.get(pid)) for pid in ids]


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
