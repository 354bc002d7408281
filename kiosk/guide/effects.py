"""What the engine asks the world to do: show a screen, say something, listen, escalate, record, wipe.

A `ScreenView` is complete and render-ready: texts already in the chosen language, buttons carrying the action they
dispatch. The Kivy layer draws it and sends the actions back; it decides nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.guide.actions import Action


@dataclass(frozen=True)
class Button:
    """A touch target: its label, the action it dispatches, and its role (primary, choice, secondary, bar)."""

    id: str
    label: str
    action: Action
    role: str = "secondary"


@dataclass(frozen=True)
class Block:
    """A paragraph of the screen: instruction, caution, question, message, staff (a staff member's words), info."""

    kind: str
    text: str


@dataclass(frozen=True)
class Card:
    """A procedure card on the catalog screen."""

    procedure_id: str
    title: str
    category: str
    icon: str | None
    minutes: int
    action: Action


@dataclass(frozen=True)
class Overlay:
    """The inactivity warning over the current screen: seconds left and the one つづける button."""

    title: str
    text: str
    seconds_left: int
    button: Button


@dataclass(frozen=True)
class ScreenView:
    """Everything the kiosk draws for one screen."""

    screen: str
    language: str
    text_size: str
    title: str
    blocks: tuple[Block, ...] = ()
    buttons: tuple[Button, ...] = ()
    bar: tuple[Button, ...] = ()
    cards: tuple[Card, ...] = ()
    picture: str | None = None
    qr_url: str | None = None
    qr_label: str | None = None
    progress: str | None = None
    banner: str | None = None
    overlay: Overlay | None = None
    place: str = ""
    pointer: str | None = None
    """The element staff point at: the screen draws a pulsing ring round it."""
    call: CallPanel | None = None
    """A call ringing or under way, drawn over the step (the step stays underneath)."""

    def all_buttons(self) -> tuple[Button, ...]:
        """Every touch target on screen, overlay and call first (they sit on top)."""
        top: tuple[Button, ...] = (self.overlay.button,) if self.overlay else ()
        top += self.call.buttons if self.call else ()
        cards = tuple(Button(f"card-{c.procedure_id}", c.title, c.action, "card") for c in self.cards)
        return top + cards + self.buttons + self.bar

    def all_text(self) -> str:
        """All visible text, for privacy and wipe checks."""
        parts = [self.title, self.progress or "", self.banner or "", self.qr_label or ""]
        parts += [b.text for b in self.blocks] + [b.label for b in self.all_buttons()]
        if self.overlay:
            parts += [self.overlay.title, self.overlay.text]
        if self.call:
            parts += [self.call.title, self.call.text]
        return "\n".join(p for p in parts if p)


class Effect:
    """Base of every effect."""


@dataclass(frozen=True)
class Show(Effect):
    """Draw this screen."""

    view: ScreenView


@dataclass(frozen=True)
class Say(Effect):
    """Speak this text (a new Say interrupts the previous one); `reading` is kana for the speech engine."""

    text: str
    language: str
    reading: str | None = None


@dataclass(frozen=True)
class Listen(Effect):
    """Voice commands valid now: command → spoken phrases, and the action each command dispatches."""

    phrases: dict[str, tuple[str, ...]] = field(hash=False)
    actions: dict[str, Action] = field(hash=False)


@dataclass(frozen=True)
class PathEntry:
    """A step the resident went through and the seconds spent on it."""

    step_id: str
    seconds: float


@dataclass(frozen=True)
class Escalate(Effect):
    """Ask the helpdesk for a person, with the resident's context (never anything personal)."""

    session_id: str
    procedure_id: str | None
    step_id: str | None
    language: str
    reason: str
    path: tuple[PathEntry, ...]


@dataclass(frozen=True)
class CancelEscalation(Effect):
    """The resident left while waiting: tell the helpdesk so staff do not answer an empty kiosk."""

    session_id: str
    reason: str


@dataclass(frozen=True)
class ApplySettings(Effect):
    """Speech rate or volume changed (the runtime applies them to the speaker)."""

    speech_rate: int
    volume: int = 1


@dataclass(frozen=True)
class Record(Effect):
    """A pseudonymous session event for the journal: no free text, only ids, codes and timing."""

    session_id: str
    action: str
    procedure_id: str | None = None
    step_id: str | None = None
    seconds: float | None = None
    value: str | None = None


@dataclass(frozen=True)
class Wipe(Effect):
    """The session ended: forget everything of the resident (screen, speech queue, QR codes, messages)."""

    outcome: str


@dataclass(frozen=True)
class SendAnswer(Effect):
    """Tell staff the resident's answer (a code; `question_id` names the staff question it answers)."""

    session_id: str
    answer: str
    question_id: int | None = None


@dataclass(frozen=True)
class CallPanel:
    """The call over the current screen: ringing (話す / 話さない) or in a call (通話中, 通話をおわる)."""

    status: str  # ringing | connecting | in-call
    title: str
    text: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class StartCall(Effect):
    """The resident touched 話す: open the microphone and answer the staff member's offer."""

    call_id: str


@dataclass(frozen=True)
class EndCall(Effect):
    """Close the microphone and tell the helpdesk (reason: resident, declined, session-end, no-answer...)."""

    call_id: str
    reason: str
