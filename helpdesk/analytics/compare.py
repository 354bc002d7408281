"""Did a content change help? One procedure before and after a content version: completion rate, help rate and time
per step, each with its counts, a 95% interval or a test, and a plain statement when there are too few sessions.

Sessions are assigned to a version by the `content_version` their events carry (the kiosk switches packs only at its
start screen, so a session runs on one version). Time on a step is measured between event timestamps, as on the
steps page: from `step-shown` to the session's next `step-shown`, `back` or `session-end`."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, select

from helpdesk.tables import session_events

MIN_SESSIONS = 20
"""Below this many sessions on either side, the page says it is too early to tell (the figures are still shown)."""
MIN_VISITS = 5
ALPHA = 0.05
BOUNDARIES = ("step-shown", "back", "session-end")


@dataclass(frozen=True)
class Rate:
    """k of n, with a Wilson 95% interval."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        """k / n (None without sessions)."""
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson score interval at 95%."""
        return wilson(self.k, self.n)


@dataclass
class Side:
    """One version's sessions of the procedure."""

    version: str
    sessions: int = 0
    completed: int = 0
    helped: int = 0
    step_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    step_help: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    step_sessions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class StepChange:
    """One step before and after: visits, median seconds, help requests there, the tests, and a verdict."""

    step_id: str
    before_visits: int
    after_visits: int
    before_median_s: float | None
    after_median_s: float | None
    time_p: float | None
    before_help: Rate
    after_help: Rate
    help_p: float | None
    alpha: float = ALPHA
    """The level each step's tests are held to: ALPHA shared among the steps compared (Bonferroni), so a
    procedure of ten steps does not show a "worse" step by chance every other time."""

    @property
    def verdict(self) -> str:
        """`worse`, `better`, `same` (no significant change) or `too-few`."""
        if min(self.before_visits, self.after_visits) < MIN_VISITS:
            return "too-few"
        time_changed = self.time_p is not None and self.time_p < self.alpha
        help_changed = self.help_p is not None and self.help_p < self.alpha
        slower = time_changed and (self.after_median_s or 0) > (self.before_median_s or 0)
        more_help = help_changed and (self.after_help.value or 0) > (self.before_help.value or 0)
        faster, less_help = time_changed and not slower, help_changed and not more_help
        if slower or more_help:
            return "worse"
        return "better" if faster or less_help else "same"


@dataclass(frozen=True)
class Comparison:
    """The whole before/after comparison of one procedure."""

    procedure_id: str
    before: str
    after: str
    completion: tuple[Rate, Rate]
    completion_p: float | None
    help: tuple[Rate, Rate]
    help_p: float | None
    steps: tuple[StepChange, ...]

    @property
    def too_few(self) -> bool:
        """True when either side has fewer than MIN_SESSIONS sessions: no conclusion should be drawn yet."""
        return min(self.completion[0].n, self.completion[1].n) < MIN_SESSIONS

    def worse_steps(self) -> list[StepChange]:
        """Steps that got significantly slower or needed significantly more help."""
        return [s for s in self.steps if s.verdict == "worse"]


def compare(conn: Connection, procedure_id: str, before: str, after: str, step_order: list[str]) -> Comparison:
    """Read the sessions of both versions and compare them."""
    sides = {before: Side(before), after: Side(after)}
    started = (
        select(session_events.c.session_id)
        .where(session_events.c.procedure_id == procedure_id, session_events.c.action == "procedure-start")
        .where(session_events.c.content_version.in_([before, after]))
    )
    rows = conn.execute(
        select(
            session_events.c.session_id,
            session_events.c.content_version,
            session_events.c.procedure_id,
            session_events.c.step_id,
            session_events.c.action,
            session_events.c.outcome,
            session_events.c.at,
        )
        .where(session_events.c.session_id.in_(started))
        .order_by(session_events.c.session_id, session_events.c.at, session_events.c.event_id)
    ).all()
    by_session: dict[str, list] = defaultdict(list)
    for row in rows:
        by_session[row.session_id].append(row)
    for events in by_session.values():
        version = next((e.content_version for e in events if e.action == "procedure-start"), None)
        if version in sides:
            _add_session(sides[version], events, procedure_id)
    return _compare(procedure_id, sides[before], sides[after], step_order)


def _add_session(side: Side, events: list, procedure_id: str) -> None:
    side.sessions += 1
    side.completed += any(e.action == "session-end" and e.outcome == "completed" for e in events)
    side.helped += any(e.action == "help-asked" for e in events)
    shown: tuple[str, object] | None = None
    for e in events:
        if shown is not None and e.action in BOUNDARIES:
            side.step_times[shown[0]].append(max(0.0, (e.at - shown[1]).total_seconds()))
            shown = None
        if e.action == "step-shown" and e.procedure_id == procedure_id and e.step_id:
            shown = (e.step_id, e.at)
            side.step_sessions[e.step_id].add(e.session_id)
        if e.action == "help-asked" and e.step_id and e.procedure_id == procedure_id:
            side.step_help[e.step_id] += 1


def _compare(procedure_id: str, a: Side, b: Side, order: list[str]) -> Comparison:
    steps = []
    known = [s for s in order if s in a.step_sessions or s in b.step_sessions]
    for step in known + sorted((set(a.step_sessions) | set(b.step_sessions)) - set(order)):
        ta, tb = a.step_times.get(step, []), b.step_times.get(step, [])
        ha = Rate(min(a.step_help.get(step, 0), len(a.step_sessions[step])), len(a.step_sessions[step]))
        hb = Rate(min(b.step_help.get(step, 0), len(b.step_sessions[step])), len(b.step_sessions[step]))
        steps.append(
            StepChange(
                step,
                len(ta),
                len(tb),
                statistics.median(ta) if ta else None,
                statistics.median(tb) if tb else None,
                mann_whitney_p(ta, tb) if min(len(ta), len(tb)) >= MIN_VISITS else None,
                ha,
                hb,
                fisher_p(ha.k, ha.n, hb.k, hb.n) if ha.n and hb.n else None,
            )
        )
    completion = (Rate(a.completed, a.sessions), Rate(b.completed, b.sessions))
    helped = (Rate(a.helped, a.sessions), Rate(b.helped, b.sessions))
    return Comparison(
        procedure_id,
        a.version,
        b.version,
        completion,
        fisher_p(a.completed, a.sessions, b.completed, b.sessions) if a.sessions and b.sessions else None,
        helped,
        fisher_p(a.helped, a.sessions, b.helped, b.sessions) if a.sessions and b.sessions else None,
        tuple(replace(s, alpha=ALPHA / max(1, sum(s.time_p is not None for s in steps))) for s in steps),
    )


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (None when n is 0)."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def fisher_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided Fisher exact test of k1/n1 against k2/n2 (sum of tables no more likely than the one seen)."""
    total_k, total = k1 + k2, n1 + n2

    def prob(x: int) -> float:
        return math.comb(n1, x) * math.comb(n2, total_k - x) / math.comb(total, total_k)

    seen = prob(k1)
    low, high = max(0, total_k - n2), min(n1, total_k)
    return min(1.0, sum(p for x in range(low, high + 1) if (p := prob(x)) <= seen * (1 + 1e-9)))


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided Mann-Whitney U test (normal approximation with tie correction): do times differ in size?"""
    pooled = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for r in range(i, j + 1):
            ranks[r] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    r1 = sum(rank for rank, (_, group) in zip(ranks, pooled, strict=True) if group == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))
