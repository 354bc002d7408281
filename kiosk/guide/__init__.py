"""The guide engine: a pure function from (state, action) to (new state, effects). No Kivy, no I/O, no clock."""

from kiosk.guide import actions
from kiosk.guide.effects import (
    ApplySettings,
    Block,
    Button,
    CallPanel,
    CancelEscalation,
    Card,
    Effect,
    EndCall,
    Escalate,
    Listen,
    Overlay,
    PathEntry,
    Record,
    Say,
    ScreenView,
    SendAnswer,
    Show,
    StartCall,
    Wipe,
)
from kiosk.guide.engine import Guide
from kiosk.guide.state import Escalation, GuideSettings, GuideState, Place
from yorisoi.vocabulary import HELP_REASONS, LANGUAGE_NAMES, TEXT_SIZES

__all__ = [
    "HELP_REASONS",
    "LANGUAGE_NAMES",
    "TEXT_SIZES",
    "ApplySettings",
    "Block",
    "Button",
    "CallPanel",
    "CancelEscalation",
    "Card",
    "Effect",
    "EndCall",
    "Escalate",
    "Escalation",
    "Guide",
    "GuideSettings",
    "GuideState",
    "Listen",
    "Overlay",
    "PathEntry",
    "Place",
    "Record",
    "Say",
    "ScreenView",
    "SendAnswer",
    "Show",
    "StartCall",
    "Wipe",
    "actions",
]
