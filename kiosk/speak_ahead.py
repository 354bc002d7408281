"""Have the speaker render what the screens one touch away will say, while the resident reads this one.

Open JTalk takes ~0.2 s per sentence and the budget from step shown to speech starting is 250 ms p95: rendered
ahead, the next screen's speech starts at once. The guide engine is pure, so stepping it with each button's action
here only looks ahead; nothing is carried out.
"""

from __future__ import annotations

from typing import Any

from kiosk.guide import Guide, GuideState, Say, ScreenView

AHEAD_ROLES = ("primary", "choice")
AHEAD_IDS = ("next", "back")


def speak_ahead(guide: Guide, state: GuideState, view: ScreenView | None, speaker: Any) -> int:
    """Ask the speaker to prepare the speech of every likely next screen; returns how many were asked for."""
    prepare = getattr(speaker, "prepare", None)
    if prepare is None or view is None:
        return 0
    asked = 0
    for button in view.buttons:
        if button.role not in AHEAD_ROLES and button.id not in AHEAD_IDS:
            continue
        _, effects = guide.step(state, button.action)
        for effect in effects:
            if isinstance(effect, Say):
                prepare(effect.text, reading=effect.reading, lang=effect.language)
                asked += 1
    return asked
