"""The guide's state: where the resident is, how they got there, and their display choices. Immutable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.guide.card import CardCheck
from kiosk.guide.effects import PathEntry
from kiosk.guide.stuck import StuckCounters, StuckSettings
from yorisoi.vocabulary import LANGUAGES


@dataclass(frozen=True)
class GuideSettings:
    """Times and site details the engine needs; the kiosk builds it from its configuration file."""

    idle_warning_s: float = 180.0
    warning_grace_s: float = 60.0
    waiting_idle_warning_s: float = 900.0
    away_idle_warning_s: float = 600.0  # phone and convenience-store steps: the resident is busy elsewhere
    help_fallback_after_s: float = 300.0
    languages: tuple[str, ...] = LANGUAGES
    default_language: str = "ja"
    page_size: int = 6
    counter_name: Mapping[str, str] = field(
        default_factory=lambda: {
            "ja": "市役所の窓口",
            "ja-easy": "しやくしょの まどぐち",
            "en": "the city office counter",
        }
    )
    fallback_phone: str = ""
    site_values: Mapping[str, str] = field(default_factory=dict)
    handout_url: str | None = None  # e.g. "https://helpdesk.example.jp/handouts/{procedure}?lang={language}"
    stuck: StuckSettings = field(default_factory=StuckSettings)

    def __post_init__(self) -> None:
        if self.warning_grace_s < 30:
            raise ValueError("warning_grace_s must be at least 30 seconds (WCAG 2.2.1)")
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")


@dataclass(frozen=True)
class Place:
    """A screen the resident can be on; `back` returns to exactly the previous Place."""

    screen: str  # start | catalog | before | missing | step | offer | help | waiting | voice | card
    procedure_id: str | None = None
    step_id: str | None = None
    page: int = 0


START = Place("start")


@dataclass(frozen=True)
class Escalation:
    """The open help request as the resident sees it."""

    reason: str
    status: str = "sending"  # sending | waiting | claimed | coming | resolved | unreachable
    position: int | None = None
    wait_s: int | None = None
    waited_s: float = 0.0
    messages: tuple[str, ...] = ()
    question: int | None = None
    """The staff yes/no question waiting for the resident's answer (its message id)."""
    answered: str | None = None
    """The resident's last answer, shown as sent."""

    @property
    def open(self) -> bool:
        """True until staff resolved it."""
        return self.status != "resolved"


@dataclass(frozen=True)
class Call:
    """A voice call with the staff member: ringing → connecting (after 話す) → in-call."""

    call_id: str
    status: str = "ringing"  # ringing | connecting | in-call
    ringing_s: float = 0.0


@dataclass(frozen=True)
class GuideState:
    """Everything the engine knows about the current session."""

    place: Place = START
    history: tuple[Place, ...] = ()
    session_id: str | None = None
    language: str = "ja"
    text_size: str = "standard"
    speech_rate: int = 1
    volume: int = 1
    idle_s: float = 0.0
    warning_left_s: float | None = None
    checked_in: bool = False  # the calm "take your time" was said during this stretch without a touch
    place_s: float = 0.0
    path: tuple[PathEntry, ...] = ()
    escalation: Escalation | None = None
    stuck: StuckCounters = field(default_factory=StuckCounters)
    offer_signal: str | None = None
    pointer: str | None = None
    pointer_s: float = 0.0
    call: Call | None = None
    call_note: str | None = None
    """Why the last call ended when it did not end by the resident's touch (dropped, staff): said and shown."""
    card_reader: bool = False  # a card reader is connected (outlives sessions: it is the kiosk's, not the resident's)
    card: CardCheck | None = None  # only while the card screen is open

    @property
    def in_session(self) -> bool:
        """True between the first touch and the wipe."""
        return self.session_id is not None

    def last_step(self) -> Place | None:
        """The step the resident is on, or was last on before help/waiting screens."""
        for place in (self.place, *reversed(self.history)):
            if place.screen == "step":
                return place
        return None
