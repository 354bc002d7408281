"""A simulated population of residents run through the kiosk's real guide engine (tests and bench only: helpdesk
code never imports kiosk). Some residents are truly stuck at one step; the engine's stuck detector, given per-step
thresholds, offers help. We count offers at that step: precision and recall against who was really stuck."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from content.schema import Procedure
from helpdesk.analytics.paths import main_path
from helpdesk.analytics.synthetic import STUCK, dwell_seconds
from kiosk.guide import Guide, GuideSettings, Record, actions
from kiosk.guide.stuck import StuckSettings

TICK_S = 5.0


@dataclass(frozen=True)
class OfferScore:
    """Offers of help at the planted step against who was really stuck there."""

    residents: int
    stuck: int
    offered: int
    offered_stuck: int

    @property
    def precision(self) -> float:
        """Share of offers that went to residents who were really stuck."""
        return self.offered_stuck / self.offered if self.offered else 0.0

    @property
    def recall(self) -> float:
        """Share of stuck residents who were offered help."""
        return self.offered_stuck / self.stuck if self.stuck else 0.0


def simulate(
    procedure: Procedure,
    planted_step: str,
    step_seconds: Mapping[str, float],
    *,
    residents: int = 400,
    stuck_share: float = 0.1,
    seed: int = 5,
) -> OfferScore:
    """Walk `residents` through the procedure up to the planted step; the stuck ones stay 2.5–5× longer there."""
    rng = random.Random(seed)
    settings = GuideSettings(
        idle_warning_s=10_000, stuck=StuckSettings(enabled=frozenset({"time-on-step"}), step_seconds=dict(step_seconds))
    )
    guide = Guide({procedure.id: procedure}, settings)
    path = main_path(procedure)
    route = path[: path.index(planted_step) + 1]
    stuck = offered = offered_stuck = 0
    for n in range(residents):
        is_stuck = rng.random() < stuck_share
        stuck += is_stuck
        got = _walk(guide, procedure, route, planted_step, is_stuck, rng, f"resident{n:05d}")
        offered += got
        offered_stuck += got and is_stuck
    return OfferScore(residents, stuck, offered, offered_stuck)


def _walk(
    guide: Guide, procedure: Procedure, route: list[str], planted: str, is_stuck: bool, rng: random.Random, sid: str
) -> bool:
    """One resident; True when help was offered at the planted step."""
    steps = {s.id: s for s in procedure.steps}
    state, _ = guide.step(guide.initial(), actions.Begin(sid))
    state, _ = guide.step(state, actions.StartProcedure(procedure.id))
    state, _ = guide.step(state, actions.Next())
    offered_here = False
    for i, step_id in enumerate(route):
        assert state.place.step_id == step_id, (state.place, step_id)
        slow = STUCK.slow if step_id == planted else 1.0
        seconds = dwell_seconds(rng, steps[step_id], slow)
        if is_stuck and step_id == planted:
            seconds *= rng.uniform(2.5, 5.0)
        while seconds > 0:
            state, effects = guide.step(state, actions.Tick(min(TICK_S, seconds)))
            seconds -= TICK_S
            if any(isinstance(e, Record) and e.action == "help-offered" for e in effects):
                offered_here = offered_here or step_id == planted
                state, _ = guide.step(state, actions.DeclineHelp())
                break
        if i + 1 < len(route):
            state, _ = guide.step(state, _advance(steps[step_id], route[i + 1]))
    return offered_here


def _advance(step, following: str) -> actions.Action:  # type: ignore[no-untyped-def]
    if step.question is None:
        return actions.Next()
    choice = next(c for c in step.question.choices if c.next == following)
    return actions.Choose(choice.id)
