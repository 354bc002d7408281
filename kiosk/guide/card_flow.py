"""How the guide engine moves through a card check, and what the card screen shows. Pure, like the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.guide import actions as a
from kiosk.guide.card import (
    CARD_OUTCOMES,
    CARD_PLACES,
    PIN_RESET_PROCEDURE,
    CardCheck,
    CardChecked,
    CardPlaced,
    CardReaderChanged,
    CheckCard,
    ReadCard,
    RetryCard,
    StartPinReset,
    StopCard,
)
from kiosk.guide.card_texts import card_ui
from kiosk.guide.effects import Block, Button, Effect, Record, ScreenView
from kiosk.guide.state import GuideState, Place

if TYPE_CHECKING:
    from kiosk.guide.engine import Guide, Result
    from kiosk.guide.views import Views

READER_PICTURE = "card-reader.png"


class CardFlow:
    """The card check's handlers for one guide."""

    def __init__(self, guide: Guide):
        self.guide = guide

    def handlers(self) -> dict[type, Callable[[GuideState, a.Action], Result]]:
        """Action type → handler, merged into the engine's table."""
        return {
            CheckCard: self._check,
            RetryCard: self._retry,
            StartPinReset: self._reset,
            CardReaderChanged: self._reader_changed,
            CardPlaced: self._placed,
            CardChecked: self._checked,
        }

    def follow(self, old: GuideState, new: GuideState, effects: list[Effect]) -> Result:
        """Open the reader when the card screen appears and close it (forgetting the card) when it goes."""
        was, now = old.place.screen == "card", new.place.screen == "card"
        if now and not was:
            return replace(new, card=CardCheck()), [*effects, ReadCard()]
        if was and not now:
            return replace(new, card=None), [*effects, StopCard()]
        return new, effects

    def _check(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, CheckCard)
        if not state.card_reader or state.place.screen == "card":
            return state, []
        records: list[Effect] = []
        entry = state.place.screen
        if not state.in_session:  # from the start screen: a session whose base is the catalog
            state = replace(state, session_id=action.session_id or "unset", idle_s=0.0, place=Place("catalog"))
            records.append(Record(state.session_id or "", "session-start", value=state.language))
        records.append(self.guide._record(state, "card-check-opened", value=entry))
        return self.guide._go(state, Place("card"), *records)

    def _retry(self, state: GuideState, _action: a.Action) -> Result:
        if state.place.screen != "card" or state.card is None or state.card.phase != "result":
            return state, []
        new = replace(state, card=CardCheck())
        return new, self.guide._present(new)

    def _reset(self, state: GuideState, _action: a.Action) -> Result:
        if state.place.screen != "card" or PIN_RESET_PROCEDURE not in self.guide.procedures:
            return state, []
        record = Record(state.session_id or "", "procedure-start", procedure_id=PIN_RESET_PROCEDURE)
        return self.guide._go(state, Place("before", procedure_id=PIN_RESET_PROCEDURE), record)

    def _reader_changed(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, CardReaderChanged)
        if action.connected == state.card_reader:
            return state, []
        new = replace(state, card_reader=action.connected)
        if not action.connected and state.place.screen == "card" and state.card and state.card.phase != "result":
            return self._result(new, CardCheck("result", "reader-error"))
        return new, self.guide._present(new, speak=False, listen=new.in_session)

    def _placed(self, state: GuideState, _action: a.Action) -> Result:
        if state.place.screen != "card" or state.card is None or state.card.phase == "reading":
            return state, []
        new = replace(state, card=CardCheck("reading"))
        return new, self.guide._present(new, listen=False)

    def _checked(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, CardChecked)
        if state.place.screen != "card" or action.outcome not in CARD_OUTCOMES:
            return state, []
        check = CardCheck(
            "result",
            action.outcome,
            action.auth_left,
            action.text_left,
            action.sign_left,
            action.certificate_expired,
        )
        return self._result(state, check)

    def _result(self, state: GuideState, check: CardCheck) -> Result:
        new = replace(state, card=check)
        record = self.guide._record(state, "card-check", value=check.event_code())
        return new, [record, *self.guide._present(new)]


# --- the screens -----------------------------------------------------------------------------------------------
def offer_button(state: GuideState, key: str = "offer") -> Button:
    """The button that opens the card check (only drawn while a reader is connected)."""
    return Button("card-check", card_ui(state.language, key), CheckCard(), "secondary")


def offers_on_step(state: GuideState, where: str) -> bool:
    """A step that uses the card offers the check while a reader is connected."""
    return state.card_reader and where in CARD_PLACES


def card_view(views: Views, state: GuideState) -> ScreenView:
    """The card screen: put the card on the reader, reading, or the result with the next steps."""
    lang, check = state.language, state.card or CardCheck()
    if check.phase == "waiting":
        blocks: tuple[Block, ...] = (
            Block("instruction", card_ui(lang, "waiting.text")),
            Block("info", card_ui(lang, "waiting.privacy")),
        )
        return views._base(state, "card", card_ui(lang, "waiting.title"), blocks=blocks, picture=READER_PICTURE)
    if check.phase == "reading":
        blocks = (Block("instruction", card_ui(lang, "reading.text")),)
        return views._base(state, "card", card_ui(lang, "reading.title"), blocks=blocks, picture=READER_PICTURE)
    counter = views.settings.counter_name.get(lang) or views.settings.counter_name.get("ja", "")
    if check.outcome != "read":
        outcome = check.outcome or "reader-error"
        blocks = (Block("message", card_ui(lang, f"{outcome}.text", counter=counter)),)
        retry = Button("card-retry", card_ui(lang, "retry"), RetryCard(), "choice")
        buttons: list[Button] = [] if outcome == "reader-error" else [retry]
        buttons += [Button("card-call", card_ui(lang, "call"), a.AskHelp("card-unreadable"), "choice")]
        buttons += [Button("card-done", card_ui(lang, "done"), a.Back(), "primary")]
        return views._base(state, "card", card_ui(lang, f"{outcome}.title"), blocks=blocks, buttons=tuple(buttons))
    blocks = _result_blocks(check, lang, counter)
    buttons = []
    if check.urgent and PIN_RESET_PROCEDURE in views.procedures:
        buttons.append(Button("card-reset", card_ui(lang, "reset"), StartPinReset(), "choice"))
    if check.urgent:
        buttons.append(Button("card-call", card_ui(lang, "call"), a.AskHelp("pin-forgotten"), "choice"))
    buttons.append(Button("card-done", card_ui(lang, "done"), a.Back(), "primary"))
    return views._base(state, "card", card_ui(lang, "result.title"), blocks=blocks, buttons=tuple(buttons))


def _result_blocks(check: CardCheck, lang: str, counter: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    pin4 = check.pin4_left
    if pin4 is None:
        blocks.append(Block("message", card_ui(lang, "unknown")))
    elif pin4 == 0:
        blocks.append(Block("caution", card_ui(lang, "pin4.locked")))
    elif pin4 == 1:
        blocks.append(Block("caution", card_ui(lang, "pin4.1")))
    else:
        blocks.append(Block("message", f"{card_ui(lang, 'pin4.n', n=pin4)}{_space(lang)}{card_ui(lang, 'calm')}"))
    sign = check.sign_left
    if sign is not None and sign < 5:
        key = "sign.locked" if sign == 0 else ("sign.1" if sign == 1 else "sign.n")
        blocks.append(Block("caution" if sign <= 1 else "message", card_ui(lang, key, n=sign)))
    if pin4 == 0 or sign == 0:
        blocks.append(Block("info", card_ui(lang, "locked.where", counter=counter)))
    if check.certificate_expired:
        blocks.append(Block("info", card_ui(lang, "expired", counter=counter)))
    return tuple(blocks)


def _space(lang: str) -> str:
    return " " if lang == "en" else ""


def start_buttons(state: GuideState) -> tuple[Button, ...]:
    """The start screen's extra button when a reader is connected."""
    return (offer_button(state),) if state.card_reader else ()


def waiting_button(state: GuideState) -> tuple[Button, ...]:
    """While staff are on their way for a card or PIN problem, the resident may check the card."""
    esc = state.escalation
    if state.card_reader and esc is not None and esc.reason in ("card-unreadable", "pin-forgotten"):
        return (offer_button(state, "offer.waiting"),)
    return ()
