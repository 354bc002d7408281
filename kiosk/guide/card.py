"""The card check as guide state, actions and effects: "put your card on the reader" → how many PIN tries are left.

The engine never sees anything read from the card but counts and codes; the runtime reads the card through the
reader room only between `ReadCard` and `StopCard`, which the engine emits when the card screen opens and closes.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.guide.actions import Action
from kiosk.guide.effects import Effect

CARD_OUTCOMES = ("read", "not-mynumber", "no-answer", "removed", "reader-error")
CARD_PLACES = ("card-reader",)
"""Content `where:` values of steps that use the card: their screens offer the check."""
PIN_RESET_PROCEDURE = "mynumber-pin-reset"
"""The procedure a locked or nearly locked PIN leads to, when the kiosk has it."""


# --- actions ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckCard(Action):
    """The resident chose "check my card"; from the start screen it also begins a session (runtime fills the id)."""

    session_id: str = ""


@dataclass(frozen=True)
class RetryCard(Action):
    """もういちど on a card result: back to "put your card on the reader"."""


@dataclass(frozen=True)
class StartPinReset(Action):
    """暗証番号の再設定 on a card result: open the PIN-reset procedure."""


@dataclass(frozen=True)
class CardReaderChanged(Action):
    """The reader was connected or disconnected (the card check is offered only while one is there)."""

    connected: bool
    touch = False


@dataclass(frozen=True)
class CardPlaced(Action):
    """A card is on the reader and is being read."""

    touch = False


@dataclass(frozen=True)
class CardChecked(Action):
    """What the reader found: an outcome code and, when read, tries left per PIN (None: unknown)."""

    outcome: str
    auth_left: int | None = None
    text_left: int | None = None
    sign_left: int | None = None
    certificate_expired: bool | None = None
    touch = False


# --- effects ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReadCard(Effect):
    """The card screen opened: watch the reader and report each card placed on it."""


@dataclass(frozen=True)
class StopCard(Effect):
    """The card screen closed: stop reading and forget everything of the card."""


# --- state -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CardCheck:
    """The card screen's state: waiting for a card, reading it, or its result (counts only)."""

    phase: str = "waiting"  # waiting | reading | result
    outcome: str | None = None
    auth_left: int | None = None
    text_left: int | None = None
    sign_left: int | None = None
    certificate_expired: bool | None = None

    @property
    def pin4_left(self) -> int | None:
        """Tries left of the 4-digit PINs (the fewer of 利用者証明用 and 券面事項入力補助用)."""
        known = [n for n in (self.auth_left, self.text_left) if n is not None]
        return min(known) if known else None

    @property
    def urgent(self) -> bool:
        """A PIN is locked or one wrong try from it: the result leads to the reset procedure and staff."""
        return any(n is not None and n <= 1 for n in (self.auth_left, self.text_left, self.sign_left))

    def event_code(self) -> str:
        """The pseudonymous session event's outcome: "pin4-1-left", "pin4-locked", or why nothing was read."""
        if self.outcome != "read":
            return self.outcome or "unknown"
        left = self.pin4_left
        if left is None:
            return "pin4-unknown"
        return "pin4-locked" if left == 0 else f"pin4-{left}-left"
