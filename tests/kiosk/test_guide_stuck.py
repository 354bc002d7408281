"""The kiosk notices a stuck resident and offers help itself: once per signal and step, never after a decline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.guide import Escalate, Guide, GuideSettings, Record, Say, Show
from kiosk.guide import actions as a
from kiosk.guide.stuck import StuckSettings
from tests.kiosk.guide_fixtures import sample_procedure

STUCK = StuckSettings(step_seconds={"sample/one": 60.0})
SETTINGS = GuideSettings(idle_warning_s=100, warning_grace_s=30, stuck=STUCK)
TO_STEP_ONE = (a.Begin("s1"), a.StartProcedure("sample"), a.Next())


def make(settings: GuideSettings = SETTINGS) -> Guide:
    return Guide({"sample": sample_procedure()}, settings)


def run(guide, *actions, state=None):
    state = state or guide.initial()
    effects = []
    for action in actions:
        state, produced = guide.step(state, action)
        effects += produced
    return state, effects


def offers(effects) -> list[str]:
    return [e.value for e in effects if isinstance(e, Record) and e.action == "help-offered"]


def test_time_on_step_uses_the_served_threshold():
    guide = make()
    state, effects = run(guide, *TO_STEP_ONE, a.Tick(30), a.Tick(29))
    assert offers(effects) == []
    state, effects = guide.step(state, a.Tick(1))
    assert offers(effects) == ["time-on-step"]
    assert state.place.screen == "offer"
    view = [e.view for e in effects if isinstance(e, Show)][-1]
    assert view.title == "お手伝いしましょうか?"
    assert [b.id for b in view.buttons] == ["offer-accept", "offer-decline"]
    assert any(isinstance(e, Say) and "お手伝いしましょうか" in e.text for e in effects)


def test_default_threshold_comes_from_the_step_length():
    step = sample_procedure().step("two")
    expected = STUCK.base_seconds + STUCK.seconds_per_char * len(step.instruction.get("ja"))
    assert STUCK.step_threshold("sample", step) == pytest.approx(expected)
    assert STUCK.step_threshold("sample", sample_procedure().step("one")) == 60.0


def test_declined_signal_never_fires_again_on_that_step():
    guide = make()
    state, effects = run(guide, *TO_STEP_ONE, a.Tick(60))
    assert offers(effects) == ["time-on-step"]
    state, effects = guide.step(state, a.DeclineHelp())
    assert (state.place.screen, state.place.step_id) == ("step", "one")
    assert "help-offer-declined" in [e.action for e in effects if isinstance(e, Record)]
    state, effects = run(guide, a.Tick(60), a.Next(), a.Back(), a.Tick(61), state=state)
    assert offers(effects) == []


def test_accepting_escalates_with_the_signal_as_reason():
    guide = make()
    state, effects = run(guide, *TO_STEP_ONE, a.Repeat(), a.Repeat(), a.Repeat())
    assert offers(effects) == ["repeat"]
    state, effects = guide.step(state, a.AskHelp("offer:repeat"))
    [escalate] = [e for e in effects if isinstance(e, Escalate)]
    assert (escalate.reason, escalate.step_id) == ("offer:repeat", "one")
    assert "help-offer-accepted" in [e.action for e in effects if isinstance(e, Record)]
    assert state.place.screen == "waiting"
    state, _ = guide.step(state, a.ReturnToProcedure())
    assert (state.place.screen, state.place.step_id) == ("step", "one")


def test_two_repeats_do_not_fire_and_moving_resets_the_count():
    guide = make()
    _, effects = run(guide, *TO_STEP_ONE, a.Repeat(), a.Repeat(), a.Next(), a.Repeat())
    assert offers(effects) == []


def test_oscillation_three_times_over_the_same_two_steps():
    guide = make()
    state, effects = run(guide, *TO_STEP_ONE, a.Next(), a.Back(), a.Next(), a.Back())
    assert offers(effects) == []
    state, effects = run(guide, a.Next(), a.Back(), state=state)
    assert offers(effects) == ["oscillation"]


def test_timeout_extended_twice_in_a_row():
    guide = make(replace(SETTINGS, stuck=replace(STUCK, step_seconds={"sample/one": 1000})))
    state, effects = run(guide, *TO_STEP_ONE, a.Tick(100), a.ExtendTime())
    assert offers(effects) == []
    state, effects = run(guide, a.Tick(100), a.ExtendTime(), state=state)
    assert offers(effects) == ["extend"]


def test_voice_not_understood_three_times_in_a_row():
    guide = make()
    _, effects = run(
        guide,
        *TO_STEP_ONE,
        a.VoiceNotUnderstood(),
        a.VoiceNotUnderstood(),
        a.Repeat(),
        a.VoiceNotUnderstood(),
        a.VoiceNotUnderstood(),
    )
    assert offers(effects) == []
    _, effects = run(guide, *TO_STEP_ONE, *[a.VoiceNotUnderstood()] * 3)
    assert offers(effects) == ["voice"]


def test_no_offer_while_help_is_already_on_its_way():
    guide = make()
    _, effects = run(guide, *TO_STEP_ONE, a.AskHelp("other"), a.ReturnToProcedure(), a.Tick(61))
    assert offers(effects) == []


def test_quiet_mode_records_the_signal_without_offering():
    guide = make(replace(SETTINGS, stuck=replace(STUCK, quiet=True)))
    state, effects = run(guide, *TO_STEP_ONE, a.Tick(60))
    assert offers(effects) == []
    assert [e.value for e in effects if isinstance(e, Record) and e.action == "stuck-signal"] == ["time-on-step"]
    assert state.place.screen == "step"


def test_a_signal_can_be_switched_off():
    guide = make(replace(SETTINGS, stuck=replace(STUCK, enabled=frozenset({"oscillation"}))))
    _, effects = run(guide, *TO_STEP_ONE, a.Tick(60), a.Repeat(), a.Repeat(), a.Repeat())
    assert offers(effects) == []


def test_no_answer_to_the_offer_leads_to_the_normal_timeout():
    guide = make()
    state, _ = run(guide, *TO_STEP_ONE, a.Tick(60))
    state, _ = run(guide, a.Tick(40), a.Tick(30), state=state)
    assert not state.in_session
