"""How long the kiosk waits for a resident who is slow, not gone.

On most screens a resident who touches nothing for `idle_warning_s` has probably left: the warning comes, then the
wipe. On a step done away from the kiosk screen (their own phone: installing an app, taking the photo, waiting for
an e-mail; the convenience store's copier) minutes without a touch are normal. Such a step waits
`away_idle_warning_s` (or the step's own `patience_s`) before the warning, and at the usual warning time it only
checks in, calmly and once, so that a resident who has truly left is still wiped in the end. Pure: no clock.
"""

from __future__ import annotations

from content.schema import Step
from kiosk.guide.state import GuideSettings, GuideState

AWAY_PLACES = frozenset({"phone", "convenience-store"})
"""Where a step is done off the kiosk screen, so silence at the kiosk means work, not absence."""

_OVER_A_STEP = frozenset({"step", "offer"})  # the help offer sits over its step: the resident is still on it


def patience_s(step: Step | None, settings: GuideSettings) -> float | None:
    """Seconds this step may go untouched before the warning, when longer than the usual limit (else None)."""
    if step is None:
        return None
    if step.patience_s is not None:
        limit = float(step.patience_s)
    elif step.where in AWAY_PLACES and step.end is None:
        limit = settings.away_idle_warning_s
    else:
        return None
    return limit if limit > settings.idle_warning_s else None


def idle_limit(state: GuideState, step: Step | None, settings: GuideSettings) -> float:
    """Seconds without a touch before the inactivity warning on the current screen."""
    if state.place.screen == "waiting":
        return settings.waiting_idle_warning_s
    if state.place.screen in _OVER_A_STEP:
        return patience_s(step, settings) or settings.idle_warning_s
    return settings.idle_warning_s


def check_in_due(state: GuideState, step: Step | None, settings: GuideSettings) -> bool:
    """True when the calm check-in should be said now: a patient step, the usual limit reached, not yet said."""
    if state.checked_in or state.place.screen not in _OVER_A_STEP:
        return False
    return patience_s(step, settings) is not None and state.idle_s >= settings.idle_warning_s
