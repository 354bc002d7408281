"""A seeded generator of realistic session event streams with planted answers (drop-offs, stuck steps).

It writes what a kiosk's guide engine would record, and keeps a `Ledger` of the truth as it plants it, so tests can
check that the SQL analytics reproduce the planted funnel and stuck points exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from content.schema import Procedure, Step
from helpdesk.analytics.paths import main_path, usual_next
from helpdesk.wire import time_ordered_uuid

HELP_REASONS = ("screen-unclear", "card-unreadable", "pin-forgotten", "other")
ESCALATION_OUTCOMES = ("solved", "solved-in-person", "referred-to-counter", "not-solvable")


@dataclass(frozen=True)
class Behaviour:
    """Chances per visit of a step: going back, repeating, asking for help, giving up; and a dwell multiplier."""

    back: float = 0.03
    repeat: float = 0.05
    help: float = 0.02
    drop: float = 0.005
    slow: float = 1.0


STUCK = Behaviour(back=0.45, repeat=0.5, help=0.35, drop=0.005, slow=4.0)


@dataclass(frozen=True)
class Plan:
    """What to generate: how many sessions over which days and kiosks, and what to plant where."""

    seed: int = 1
    sessions: int = 1000
    start: dt.datetime = dt.datetime(2026, 9, 7, tzinfo=dt.UTC)  # a Monday
    days: int = 28
    kiosks: Mapping[str, str] = field(
        default_factory=lambda: {"north-1": "north", "north-2": "north", "south-1": "south"}
    )
    drop_at: Mapping[str, float] = field(default_factory=dict)
    """`procedure/step` → chance of giving up there (planted funnel drop-offs)."""
    stuck_at: frozenset[str] = frozenset()
    """`procedure/step` keys where residents get stuck (long times, back, repeat, help)."""
    normal: Behaviour = Behaviour()
    languages: Mapping[str, float] = field(default_factory=lambda: {"ja": 0.7, "ja-easy": 0.2, "en": 0.1})
    text_sizes: Mapping[str, float] = field(default_factory=lambda: {"standard": 0.6, "large": 0.3, "largest": 0.1})
    leave_before_first_step: float = 0.01


@dataclass
class Ledger:
    """The planted truth, kept while generating."""

    started: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reached: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    ended: dict[tuple[str, str | None, str], int] = field(default_factory=lambda: defaultdict(int))
    visits: dict[tuple[str, str], list[tuple[str, float, bool]]] = field(default_factory=lambda: defaultdict(list))
    """(procedure, step) → (session, seconds, ended by a help request) of every visit, in order."""
    did: dict[tuple[str, str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def visit_seconds(self, key: tuple[str, str], *, first_unaided: bool = False) -> list[float]:
        """Seconds of the visits of a step, to 0.1 s; with `first_unaided` only each session's first visit, and
        only when it did not end in a help request."""
        seen: set[str] = set()
        result = []
        for session_id, seconds, helped in self.visits.get(key, []):
            first = session_id not in seen
            seen.add(session_id)
            if not first_unaided or (first and not helped):
                result.append(round(seconds, 1))
        return result


@dataclass
class Synthetic:
    """Generated rows (session events as wire dicts, escalations as table rows) and the ledger."""

    events: list[dict] = field(default_factory=list)
    escalations: list[dict] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)


def default_plants(procedures: Mapping[str, Procedure]) -> tuple[dict[str, float], frozenset[str]]:
    """One planted drop-off (40 %) and one stuck step per procedure, on the main path (usual answers)."""
    drop_at, stuck_at = {}, set()
    for pid, procedure in procedures.items():
        steps = {s.id: s for s in procedure.steps}
        path = [step_id for step_id in main_path(procedure) if steps[step_id].end is None]
        stuck = path[1] if len(path) > 2 else path[0]
        drop = path[max(2, len(path) // 2)] if len(path) > 2 else path[-1]
        stuck_at.add(f"{pid}/{stuck}")
        if drop != stuck:
            drop_at[f"{pid}/{drop}"] = 0.4
    return drop_at, frozenset(stuck_at)


def generate(plan: Plan, procedures: Mapping[str, Procedure]) -> Synthetic:
    """Generate `plan.sessions` sessions over the procedures, deterministically from `plan.seed`."""
    rng = random.Random(plan.seed)
    out = Synthetic()
    ids = sorted(procedures)
    kiosk_ids = sorted(plan.kiosks)
    for _ in range(plan.sessions):
        _Session(rng, plan, out, procedures[rng.choice(ids)], rng.choice(kiosk_ids)).run()
    return out


def dwell_seconds(rng: random.Random, step: Step, slow: float = 1.0) -> float:
    """Whole seconds a resident spends on a step: longer texts take longer; `slow` for planted stuck steps."""
    base = 6 + 0.25 * len(step.instruction.get("ja"))
    return float(max(3, round(base * slow * rng.lognormvariate(0, 0.35))))


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Session:
    """One simulated resident's visit, written as events."""

    def __init__(self, rng: random.Random, plan: Plan, out: Synthetic, procedure: Procedure, kiosk_id: str):
        self.rng, self.plan, self.out, self.procedure = rng, plan, out, procedure
        self.kiosk_id = kiosk_id
        self.session_id = uuid.UUID(int=rng.getrandbits(128)).hex
        self.steps = {s.id: s for s in procedure.steps}
        self.language = _pick(rng, plan.languages)
        day = rng.randrange(plan.days)
        local_hour = rng.choices(range(9, 18), weights=[2, 4, 5, 3, 2, 4, 5, 3, 1])[0]
        offset = day * 86_400 + (local_hour - 9) * 3600 + rng.randrange(3600)
        self.t = plan.start + dt.timedelta(seconds=offset)

    def emit(
        self,
        action: str,
        *,
        step_id: str | None = None,
        outcome: str | None = None,
        at: float = 0.0,
        procedure: bool = True,
        seconds: float = 0.0,
    ) -> dt.datetime:
        when = self.t + dt.timedelta(seconds=at)
        self.out.events.append(
            {
                "event_id": str(time_ordered_uuid(when, self.rng.getrandbits(74))),
                "session_id": self.session_id,
                "kiosk_id": self.kiosk_id,
                "procedure_id": self.procedure.id if procedure else None,
                "step_id": step_id,
                "action": action,
                "seconds": seconds,
                "outcome": outcome,
                "at": when,
            }
        )
        return when

    def advance(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)

    def run(self) -> None:
        pid, ledger = self.procedure.id, self.out.ledger
        self.emit("session-start", outcome=self.language, procedure=False)
        size = _pick(self.rng, self.plan.text_sizes)
        if size != "standard":
            self.emit("text-size", outcome=size, at=1, procedure=False)
        self.advance(3)
        self.emit("procedure-start")
        ledger.started[pid] += 1
        self.advance(self.rng.randint(5, 15))
        if self.rng.random() < self.plan.leave_before_first_step:
            self.emit("session-end", outcome="home")
            ledger.ended[(pid, None, "home")] += 1
            return
        previous: str | None = None
        current: str | None = self.procedure.first_step
        while current is not None:
            previous, current = current, self.visit(current, previous)

    def behaviour(self, step_id: str) -> Behaviour:
        key = f"{self.procedure.id}/{step_id}"
        base = STUCK if key in self.plan.stuck_at else self.plan.normal
        drop = self.plan.drop_at.get(key)
        return base if drop is None else Behaviour(base.back, base.repeat, base.help, drop, base.slow)

    def dwell(self, step: Step, slow: float) -> float:
        return dwell_seconds(self.rng, step, slow)

    def visit(self, step_id: str, previous: str | None) -> str | None:
        """Show a step, act on it, and return the next step (None when the session ended)."""
        step, how, key = self.steps[step_id], self.behaviour(step_id), (self.procedure.id, step_id)
        ledger = self.out.ledger
        ledger.reached[key].add(self.session_id)
        self.emit("step-shown", step_id=step_id)
        d = self.dwell(step, how.slow)
        if self.rng.random() < how.repeat:
            self.emit("repeat", step_id=step_id, at=1)
            ledger.did[(*key, "repeat")].add(self.session_id)
        if self.rng.random() < how.help:
            self.ask_help(step_id, d)
            return self.continue_after(step, how, d, help_returned=True)
        if previous is not None and self.rng.random() < how.back:
            self.emit("back", step_id=step_id, at=d)
            ledger.visits[key].append((self.session_id, d, False))
            ledger.did[(*key, "back")].add(self.session_id)
            self.advance(d + self.rng.randint(3, 8))
            self.emit("step-shown", step_id=step_id)
            d = self.dwell(step, 1.0)
        ledger.visits[key].append((self.session_id, d, False))
        return self.continue_after(step, how, d)

    def ask_help(self, step_id: str, d: float) -> None:
        """help-opened, help-asked, an escalation, then back to the step (the kiosk records that as `back`)."""
        key = (self.procedure.id, step_id)
        self.emit("help-opened", step_id=step_id, at=d / 3)
        reason = self.rng.choice(HELP_REASONS)
        asked = self.emit("help-asked", step_id=step_id, outcome=reason, at=d / 2)
        self.emit("back", step_id=step_id, at=d * 2 / 3)
        self.out.ledger.visits[key].append((self.session_id, d * 2 / 3, True))
        self.out.ledger.did[(*key, "help")].add(self.session_id)
        self.out.ledger.did[(*key, "back")].add(self.session_id)
        self.out.escalations.append(self.escalation(step_id, reason, asked))

    def escalation(self, step_id: str, reason: str, created: dt.datetime) -> dict:
        """A finished escalation row for the help request (waiting and handling times, an outcome)."""
        wait = self.rng.randint(20, 240) * (2 if self.plan.kiosks[self.kiosk_id] == "south" else 1)
        handling = self.rng.randint(60, 600)
        cancelled = self.rng.random() < 0.1
        claimed = None if cancelled else created + dt.timedelta(seconds=wait)
        ended = created + dt.timedelta(seconds=wait if cancelled else wait + handling)
        key = uuid.UUID(int=self.rng.getrandbits(128)).hex
        return {
            "id": uuid.UUID(int=self.rng.getrandbits(128)).hex,
            "kiosk_id": self.kiosk_id,
            "site_id": self.plan.kiosks[self.kiosk_id],
            "idempotency_key": key,
            "body_hash": hashlib.sha256(key.encode()).hexdigest(),
            "session_id": self.session_id,
            "procedure_id": self.procedure.id,
            "step_id": step_id,
            "language": self.language,
            "reason": reason,
            "path": [],
            "status": "cancelled" if cancelled else "resolved",
            "claimed_at": claimed,
            "ended_at": ended,
            "outcome": None if cancelled else self.rng.choice(ESCALATION_OUTCOMES),
            "created_at": created,
            "updated_at": ended,
            "kiosk_contact_at": ended,
        }

    def continue_after(self, step: Step, how: Behaviour, d: float, *, help_returned: bool = False) -> str | None:
        """End the session on this step, or move on (answering its question if it has one)."""
        key = (self.procedure.id, step.id)
        ledger = self.out.ledger
        if step.end is not None:
            outcome = "completed" if step.end.kind == "done" else "counter"
            self.emit("session-end", step_id=step.id, outcome=outcome, at=d)
            ledger.ended[(*key, outcome)] += 1
            return None
        if self.rng.random() < how.drop:
            outcome = self.rng.choice(("home", "home", "timeout"))
            if outcome == "timeout":
                self.emit("timeout-warning", step_id=step.id, at=d - 1)
            self.emit("session-end", step_id=step.id, outcome=outcome, at=d + (60 if outcome == "timeout" else 0))
            ledger.ended[(*key, outcome)] += 1
            if outcome == "timeout" and not help_returned:
                ledger.visits[key][-1] = (self.session_id, d + 60, False)
            return None
        self.advance(d)
        if step.question is None:
            return step.next
        usual = usual_next(step, self.steps)
        choices = [c for c in step.question.choices if c.next == usual][:1]
        others = [c for c in step.question.choices if c not in choices]
        choice = choices[0] if self.rng.random() < 0.85 else self.rng.choice(others)
        self.emit("choice", step_id=step.id, outcome=choice.id)
        return choice.next
