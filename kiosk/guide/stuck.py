"""Notice a resident who is stuck — long on one step, going back and forth, repeating, extending the timeout, or
not understood by voice — so the kiosk can offer help itself, once per signal and step, never nagging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, get_args

from content.schema import Step
from kiosk.guide import actions as a

if TYPE_CHECKING:
    from kiosk.guide.state import GuideState

Signal = Literal["time-on-step", "oscillation", "repeat", "extend", "voice"]
"""What can make the kiosk think a resident is stuck."""
SIGNALS: tuple[Signal, ...] = get_args(Signal)


@dataclass(frozen=True)
class StuckSettings:
    """Per-site switches and thresholds; `quiet` turns offers off (workshops) while still recording signals."""

    enabled: frozenset[str] = frozenset(SIGNALS)
    quiet: bool = False
    step_seconds: Mapping[str, float] = field(default_factory=dict)  # "procedure/step" → p90 from the helpdesk
    base_seconds: float = 40.0
    seconds_per_char: float = 0.8
    max_default_seconds: float = 150.0
    oscillations: int = 3
    repeats: int = 3
    extends: int = 2
    voice_misses: int = 3

    def step_threshold(self, procedure_id: str, step: Step) -> float:
        """Seconds on a step before it counts as stuck: served p90 when known, else from the text's length."""
        served = self.step_seconds.get(f"{procedure_id}/{step.id}")
        if served:
            return served
        chars = len(step.instruction.get("ja")) + (len(step.caution.get("ja")) if step.caution else 0)
        return min(self.max_default_seconds, self.base_seconds + self.seconds_per_char * chars)


@dataclass(frozen=True)
class StuckCounters:
    """What the detector remembers within a session."""

    repeats: int = 0
    extends: int = 0
    voice_misses: int = 0
    backs: tuple[tuple[str, str, int], ...] = ()  # (from step, to step, times)
    offered: frozenset[tuple[str, str]] = frozenset()  # (signal, step id) already offered or fired

    def back_count(self, step_id: str) -> int:
        """Most back-and-forth moves over one pair of steps that includes this step."""
        return max((n for x, y, n in self.backs if step_id in (x, y)), default=0)


def track(old: GuideState, new: GuideState, action: a.Action) -> GuideState:
    """Update the counters after an action has been applied."""
    c = new.stuck
    if new.place != old.place:
        c = replace(c, repeats=0, extends=0)
    if isinstance(action, a.Repeat):
        c = replace(c, repeats=c.repeats + 1)
    elif isinstance(action, a.ExtendTime) and old.warning_left_s is not None:
        c = replace(c, extends=c.extends + 1)
    if isinstance(action, a.VoiceNotUnderstood):
        c = replace(c, voice_misses=c.voice_misses + 1)
    elif action.touch:
        c = replace(c, voice_misses=0)
    if isinstance(action, a.Back) and old.place.screen == new.place.screen == "step":
        pair = (old.place.step_id or "", new.place.step_id or "")
        counts = {(x, y): n for x, y, n in c.backs}
        counts[pair] = counts.get(pair, 0) + 1
        c = replace(c, backs=tuple((x, y, n) for (x, y), n in counts.items()))
    return new if c == new.stuck else replace(new, stuck=c)


def detect(state: GuideState, step: Step | None, settings: StuckSettings, floor: float = 0.0) -> str | None:
    """The signal that fires now on the current step, if any (each at most once per step and session); `floor` is
    the least time on the step that counts as stuck (a step done on the resident's own phone takes long)."""
    if step is None or step.end is not None or state.place.screen != "step" or state.warning_left_s is not None:
        return None
    if state.escalation and state.escalation.open:
        return None
    c = state.stuck
    firing = {
        "time-on-step": state.place_s >= max(floor, settings.step_threshold(state.place.procedure_id or "", step)),
        "oscillation": c.back_count(step.id) >= settings.oscillations,
        "repeat": c.repeats >= settings.repeats,
        "extend": c.extends >= settings.extends,
        "voice": c.voice_misses >= settings.voice_misses,
    }
    for signal in SIGNALS:
        if firing[signal] and signal in settings.enabled and (signal, step.id) not in c.offered:
            return signal
    return None
