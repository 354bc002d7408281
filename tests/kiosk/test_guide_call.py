"""The call as guide state and effects: ringing, 話す / 話さない, in call, ended; timeout and session end."""

from __future__ import annotations

import pytest

from kiosk.guide import EndCall, Guide, Say, StartCall, Wipe
from kiosk.guide import actions as a
from kiosk.guide.call import RING_S
from tests.kiosk.guide_fixtures import sample_procedure
from tests.kiosk.test_guide import SETTINGS, TO_STEP_ONE, records, run, shown


@pytest.fixture
def guide() -> Guide:
    return Guide({"sample": sample_procedure()}, SETTINGS)


def on_step_with_staff(guide):
    state, _ = run(
        guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"), a.EscalationUpdate("claimed"), a.ReturnToProcedure()
    )
    return state


def test_ringing_overlays_the_step_and_nothing_starts_before_talk(guide):
    state = on_step_with_staff(guide)
    state, effects = guide.step(state, a.CallOffered("c1"))
    view = shown(effects)[-1]
    assert (view.screen, view.call.status) == ("step", "ringing")  # the step stays underneath
    assert [b.id for b in view.call.buttons] == ["call-accept", "call-decline"]
    assert any(isinstance(e, Say) and "係の人と話しますか" in e.text for e in effects)
    assert not [e for e in effects if isinstance(e, StartCall)]
    state, effects = guide.step(state, a.AcceptCall())
    assert [e for e in effects if isinstance(e, StartCall)] == [StartCall("c1")]
    state, effects = guide.step(state, a.CallConnected("c1"))
    view = shown(effects)[-1]
    assert view.banner == "通話中" and [b.id for b in view.call.buttons] == ["call-end"]
    state, effects = guide.step(state, a.HangUp())
    assert [e for e in effects if isinstance(e, EndCall)] == [EndCall("c1", "resident")]
    assert state.call is None and shown(effects)[-1].call is None
    assert records(effects) == ["call-ended"]


def test_declining_sends_no_media(guide):
    state, _ = guide.step(on_step_with_staff(guide), a.CallOffered("c2"))
    state, effects = guide.step(state, a.DeclineCall())
    assert [e for e in effects if isinstance(e, EndCall)] == [EndCall("c2", "declined")]
    assert not [e for e in effects if isinstance(e, StartCall)] and state.call is None


def test_the_timeout_never_fires_during_a_call(guide):
    state, _ = run(guide, a.CallOffered("c3"), a.AcceptCall(), a.CallConnected("c3"), state=on_step_with_staff(guide))
    for _ in range(100):
        state, _ = guide.step(state, a.Tick(60))
        assert state.warning_left_s is None and state.in_session and state.call is not None
    state, _ = guide.step(state, a.CallEnded("c3", "staff"))
    state, _ = guide.step(state, a.Tick(SETTINGS.idle_warning_s + 1))
    assert state.warning_left_s is not None  # the clock runs again after the call


def test_unanswered_ring_stops(guide):
    state, _ = guide.step(on_step_with_staff(guide), a.CallOffered("c4"))
    state, effects = guide.step(state, a.Tick(RING_S + 1))
    assert state.call is None and [e for e in effects if isinstance(e, EndCall)] == [EndCall("c4", "no-answer")]


def test_dropped_call_is_said_and_shown_and_falls_back_to_text(guide):
    state, _ = run(guide, a.CallOffered("c5"), a.AcceptCall(), a.CallConnected("c5"), state=on_step_with_staff(guide))
    state, effects = guide.step(state, a.CallEnded("c5", "dropped"))
    assert [e for e in effects if isinstance(e, EndCall)] == [EndCall("c5", "dropped")]
    assert any(isinstance(e, Say) and "通話が切れました" in e.text for e in effects)
    assert "通話が切れました" in shown(effects)[-1].banner
    state, effects = guide.step(state, a.StaffMessageArrived("text", "文字で続けます"))
    assert any(isinstance(e, Say) and e.text == "文字で続けます" for e in effects)
    assert shown(effects)[-1].banner == "係の人からのお知らせがあります"


def test_session_end_ends_the_call(guide):
    state, _ = run(guide, a.CallOffered("c6"), a.AcceptCall(), state=on_step_with_staff(guide))
    _, effects = guide.step(state, a.GoHome())
    ends = [i for i, e in enumerate(effects) if isinstance(e, EndCall)]
    wipes = [i for i, e in enumerate(effects) if isinstance(e, Wipe)]
    assert [effects[i] for i in ends] == [EndCall("c6", "session-end")] and ends[0] < wipes[0]


def test_no_call_without_an_open_help_request(guide):
    state, _ = run(guide, *TO_STEP_ONE)
    new, effects = guide.step(state, a.CallOffered("c7"))
    assert new.call is None and effects == [EndCall("c7", "no-session")]
