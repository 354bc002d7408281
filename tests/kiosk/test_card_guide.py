"""The card check in the pure guide engine: where it is offered, what each result says and offers, and that the card
is read only while its screen is open (ReadCard / StopCard) and forgotten when the screen closes."""

from __future__ import annotations

import pytest

from content.loader import load_catalog
from kiosk.guide import Guide, Record, Say, Show, Wipe
from kiosk.guide import actions as a
from kiosk.guide.card import (
    CardChecked,
    CardPlaced,
    CardReaderChanged,
    CheckCard,
    ReadCard,
    RetryCard,
    StartPinReset,
    StopCard,
)
from kiosk.guide.state import Place
from tests.kiosk.guide_fixtures import sample_procedure

SHIPPED = load_catalog().procedures
ONE_LEFT = "4桁の暗証番号は、あと1回まちがえるとロックされます。自信がないときは、入力しないで係の人を呼んでください。"


def guide(with_reset: bool = False) -> Guide:
    """The shipped procedures, with or without the PIN-reset procedure (a municipality may not publish it)."""
    procedures = {pid: p for pid, p in SHIPPED.items() if pid != "mynumber-pin-reset"}
    if with_reset:
        procedures["mynumber-pin-reset"] = SHIPPED.get("mynumber-pin-reset") or sample_procedure().model_copy(
            update={"id": "mynumber-pin-reset"}
        )
    return Guide(procedures)


def run(g: Guide, *actions, reader: bool = True):
    state, effects = g.boot()
    if reader:
        state, effects = g.step(state, CardReaderChanged(True))
    for action in actions:
        state, effects = g.step(state, action)
    return state, effects


def ids(g: Guide, state) -> list[str]:
    return [b.id for b in g.view(state).buttons]


def on_card_screen(g: Guide, result: CardChecked | None = None):
    state, effects = run(g, CheckCard("session-0001"), CardPlaced())
    if result is not None:
        state, effects = g.step(state, result)
    return state, effects


def test_no_reader_no_offer_anywhere():
    g = guide()
    state, _ = run(g, reader=False)
    assert "card-check" not in ids(g, state)
    assert run(g, CheckCard("session-0001"), reader=False)[0].place.screen == "start"
    state, _ = run(g, a.Begin("session-0001"), a.AskHelp("pin-forgotten"), reader=False)
    assert state.place.screen == "waiting" and "card-check" not in ids(g, state)


def test_start_screen_offers_it_and_it_begins_a_session_over_the_catalog():
    g = guide()
    state, _ = run(g)
    assert ids(g, state) == ["begin", "card-check"]
    state, effects = g.step(state, CheckCard("session-0001"))
    assert state.in_session and state.place == Place("card") and state.history == (Place("catalog"),)
    assert [e.action for e in effects if isinstance(e, Record)] == ["session-start", "card-check-opened"]
    assert effects[-1] == ReadCard()
    assert "読み取り機" in g.view(state).title


def test_waiting_screen_offers_it_after_a_card_or_pin_reason_only():
    g = guide()
    state, _ = run(g, a.Begin("session-0001"), a.AskHelp("pin-forgotten"))
    assert ids(g, state)[0] == "card-check"
    state, effects = g.step(state, CheckCard())
    assert state.place.screen == "card" and ReadCard() in effects and state.escalation.open
    other, _ = run(g, a.Begin("session-0001"), a.AskHelp("screen-unclear"))
    assert "card-check" not in ids(g, other)


def test_a_step_that_uses_the_card_offers_it():
    g = guide()
    state, _ = run(g, a.Begin("session-0001"))
    state = state.__class__(**{**state.__dict__, "place": Place("step", "myna-hokensho", "clinic-place-card")})
    assert ids(g, state) == ["card-check", "next"]
    state, effects = g.step(state, CheckCard())
    assert state.place.screen == "card" and effects[-1] == ReadCard()
    state, effects = g.step(state, a.Back())
    assert state.place.step_id == "clinic-place-card" and state.card is None and effects[-1] == StopCard()


@pytest.mark.parametrize(
    ("auth", "expected"),
    [(3, "あと3回まちがえると"), (2, "あと2回まちがえると"), (1, ONE_LEFT), (0, "ロックされています")],
)
def test_results_say_the_tries_left(auth, expected):
    g = guide()
    state, effects = on_card_screen(g, CardChecked("read", auth, 3, 5, False))
    text = g.view(state).all_text()
    assert expected in text
    said = [e.text for e in effects if isinstance(e, Say)]
    assert said and expected.rstrip("。") in said[0]
    record = next(e for e in effects if isinstance(e, Record))
    assert record.action == "card-check"
    assert record.value == ("pin4-locked" if auth == 0 else f"pin4-{auth}-left")
    urgent = auth <= 1
    assert ("card-call" in ids(g, state)) is urgent
    assert ("市役所の窓口で、ロックを解除" in text) is (auth == 0)


def test_the_reset_procedure_is_offered_when_the_kiosk_has_it():
    g = guide(with_reset=True)
    state, _ = on_card_screen(g, CardChecked("read", 1, 1, 5, None))
    assert ids(g, state) == ["card-reset", "card-call", "card-done"]
    state, effects = g.step(state, StartPinReset())
    assert state.place == Place("before", "mynumber-pin-reset") and state.card is None and StopCard() in effects
    assert "card-reset" not in ids(guide(), on_card_screen(guide(), CardChecked("read", 1, 1, 5, None))[0])


def test_signature_password_and_expired_certificate():
    g = guide()
    state, _ = on_card_screen(g, CardChecked("read", 3, 3, 0, True))
    text = g.view(state).all_text()
    assert "署名用の暗証番号(6〜16けたの英数字)はロックされています" in text
    assert "有効期限が切れています" in text and "マイナンバーカードを持っていってください" in text


@pytest.mark.parametrize(
    ("outcome", "title", "help_reason"),
    [
        ("not-mynumber", "マイナンバーカードではないようです", "card-unreadable"),
        ("no-answer", "カードのICチップが読み取れません", "card-unreadable"),
        ("removed", "カードが離れました", "card-unreadable"),
        ("reader-error", "読み取り機が使えません", "card-unreadable"),
    ],
)
def test_failures_have_clear_sentences_and_the_usual_help(outcome, title, help_reason):
    g = guide()
    state, _ = on_card_screen(g, CardChecked(outcome))
    view = g.view(state)
    assert view.title == title and view.blocks
    call = next(b for b in view.buttons if b.id == "card-call")
    assert call.action == a.AskHelp(help_reason)
    assert ("card-retry" in ids(g, state)) is (outcome != "reader-error")
    assert any(b.id == "help" for b in view.bar)  # a human is one touch away, as everywhere
    if outcome != "reader-error":
        state, _ = g.step(state, RetryCard())
        assert state.card.phase == "waiting"


def test_leaving_in_any_way_stops_the_reader_and_forgets_the_card():
    g = guide()
    for leave in (a.Back(), a.GoHome(), a.AskHelp(), a.EndSession("completed")):
        state, effects = on_card_screen(g, CardChecked("read", 1, 3, 5, False))
        state, effects = g.step(state, leave)
        assert state.card is None and StopCard() in effects, leave
    state, effects = on_card_screen(g, CardChecked("read", 1, 3, 5, False))
    state, effects = g.step(state, a.GoHome())
    assert any(isinstance(e, Wipe) for e in effects) and state.card_reader  # the reader is the kiosk's
    assert ids(g, state) == ["begin", "card-check"]


def test_a_result_outside_the_card_screen_is_ignored():
    g = guide()
    state, _ = run(g, a.Begin("session-0001"))
    assert g.step(state, CardChecked("read", 1, 1, 5, False)) == (state, [])
    assert g.step(state, CardPlaced()) == (state, [])


def test_reader_unplugged_hides_the_offer_and_fails_an_open_check():
    g = guide()
    state, effects = run(g, CardReaderChanged(False))
    assert "card-check" not in ids(g, state) and any(isinstance(e, Show) for e in effects)
    state, _ = run(g, CheckCard("session-0001"))
    state, effects = g.step(state, CardReaderChanged(False))
    assert state.card.outcome == "reader-error"
    assert next(e for e in effects if isinstance(e, Record)).value == "reader-error"


def test_no_count_ever_reaches_an_escalation():
    g = guide()
    state, _ = on_card_screen(g, CardChecked("read", 1, 1, 1, True))
    state, effects = g.step(state, a.AskHelp("pin-forgotten"))
    escalate = next(e for e in effects if type(e).__name__ == "Escalate")
    assert escalate.reason == "pin-forgotten" and escalate.procedure_id is None
    assert state.card is None
