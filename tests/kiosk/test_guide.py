"""The guide engine, action by action, on a small branching procedure."""

from __future__ import annotations

import pytest

from kiosk.guide import (
    ApplySettings,
    CancelEscalation,
    Escalate,
    Guide,
    GuideSettings,
    GuideState,
    Listen,
    Record,
    Say,
    Show,
    Wipe,
)
from kiosk.guide import actions as a
from tests.kiosk.guide_fixtures import sample_procedure

SETTINGS = GuideSettings(
    idle_warning_s=100,
    warning_grace_s=30,
    help_fallback_after_s=60,
    fallback_phone="0120-000-000",
    site_values={"counter_hours": "平日9時から17時"},
)


@pytest.fixture
def guide() -> Guide:
    return Guide({"sample": sample_procedure()}, SETTINGS)


def run(guide: Guide, *actions: a.Action, state: GuideState | None = None):
    """Apply actions in turn; return the final state and every effect in order."""
    state = state or guide.initial()
    effects = []
    for action in actions:
        state, produced = guide.step(state, action)
        effects += produced
    return state, effects


def shown(effects) -> list:
    return [e.view for e in effects if isinstance(e, Show)]


def records(effects) -> list[str]:
    return [e.action for e in effects if isinstance(e, Record)]


TO_STEP_ONE = (a.Begin("s1"), a.StartProcedure("sample"), a.Next())


def test_begin_opens_catalog_and_records_session_start(guide):
    state, effects = run(guide, a.Begin("s1"))
    assert state.place.screen == "catalog"
    assert shown(effects)[-1].cards[0].procedure_id == "sample"
    assert records(effects) == ["session-start"]
    assert any(isinstance(e, Say) for e in effects)
    assert any(isinstance(e, Listen) for e in effects)


def test_before_screen_lists_needs_and_time(guide):
    _state, effects = run(guide, a.Begin("s1"), a.StartProcedure("sample"))
    view = shown(effects)[-1]
    assert view.screen == "before"
    assert "マイナンバーカード" in view.all_text() and "5分" in view.all_text()


def test_missing_needs_says_what_to_do_instead(guide):
    _state, effects = run(guide, a.Begin("s1"), a.StartProcedure("sample"), a.MissingNeeds())
    assert shown(effects)[-1].screen == "missing"
    assert "窓口で相談してください" in shown(effects)[-1].all_text()


@pytest.mark.parametrize(
    ("actions", "screen", "step"),
    [
        (TO_STEP_ONE, "step", "one"),
        ((*TO_STEP_ONE, a.Next()), "step", "two"),
        ((*TO_STEP_ONE, a.Next(), a.Choose("yes")), "step", "three"),
        ((*TO_STEP_ONE, a.Next(), a.Choose("no")), "step", "counter"),
        ((*TO_STEP_ONE, a.Next(), a.Choose("maybe")), "step", "two"),
        ((*TO_STEP_ONE, a.Next(), a.Next()), "step", "two"),  # a question is answered, not skipped
        ((*TO_STEP_ONE, a.Next(), a.Choose("yes"), a.Next()), "step", "done"),
        ((*TO_STEP_ONE, a.Back()), "before", None),
        ((*TO_STEP_ONE, a.Next(), a.Choose("no"), a.Back()), "step", "two"),
    ],
)
def test_navigation(guide, actions, screen, step):
    state, _ = run(guide, *actions)
    assert (state.place.screen, state.place.step_id) == (screen, step)


def test_back_through_a_branch_returns_exactly(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.Next(), a.Choose("no"), a.Back(), a.Choose("yes"), a.Back(), a.Back())
    assert state.place.step_id == "one"


def test_progress_counts_steps_on_the_way_to_the_nearest_end(guide):
    _, effects = run(guide, *TO_STEP_ONE, a.Next())
    assert shown(effects)[-1].progress == "2 / 3"  # two → no → counter is the shortest end
    _, effects = run(guide, *TO_STEP_ONE, a.Next(), a.Choose("yes"))
    assert shown(effects)[-1].progress == "3 / 4"


def test_done_and_counter_screens(guide):
    _, effects = run(guide, *TO_STEP_ONE, a.Next(), a.Choose("yes"), a.Next())
    assert shown(effects)[-1].screen == "done"
    _, effects = run(guide, *TO_STEP_ONE, a.Next(), a.Choose("no"))
    view = shown(effects)[-1]
    assert view.screen == "counter" and "平日9時から17時" in view.all_text()


def test_qr_step_carries_the_url(guide):
    _, effects = run(guide, *TO_STEP_ONE, a.Next(), a.Choose("yes"))
    assert shown(effects)[-1].qr_url == "https://www.digital.go.jp/"


def test_repeat_says_the_current_step_again_without_moving(guide):
    state, _ = run(guide, *TO_STEP_ONE)
    new, effects = guide.step(state, a.Repeat())
    assert (new.place, new.history) == (state.place, state.history)
    says = [e for e in effects if isinstance(e, Say)]
    assert says and "つぎへを押してください" in says[0].text


@pytest.mark.parametrize("language", ["ja-easy", "en"])
def test_language_change_keeps_the_place(guide, language):
    state, _ = run(guide, *TO_STEP_ONE, a.Next())
    new, effects = guide.step(state, a.SetLanguage(language))
    assert new.place == state.place and new.history == state.history
    assert shown(effects)[-1].language == language
    assert shown(effects)[-1].title == sample_procedure().step("two").title.get(language)


def test_text_size_cycles_and_keeps_the_place(guide):
    state, _ = run(guide, *TO_STEP_ONE)
    sizes = []
    for _ in range(3):
        state, effects = guide.step(state, a.CycleTextSize())
        sizes.append(shown(effects)[-1].text_size)
    assert sizes == ["large", "largest", "standard"]
    assert state.place.step_id == "one"


def test_fixed_bar_on_every_session_screen(guide):
    _, effects = run(guide, *TO_STEP_ONE, a.Next(), a.AskHelp())
    for view in shown(effects):
        ids = [b.id for b in view.bar]
        assert ids == ["back", "repeat", "help", "size", "voice", "language"], view.screen


def test_help_reason_escalates_with_context_and_path(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.Tick(7), a.Next(), a.Tick(3))
    state, effects = run(guide, a.AskHelp(), a.AskHelp("card-unreadable"), state=state)
    escalations = [e for e in effects if isinstance(e, Escalate)]
    assert len(escalations) == 1
    esc = escalations[0]
    assert (esc.procedure_id, esc.step_id, esc.reason, esc.language) == ("sample", "two", "card-unreadable", "ja")
    assert [(p.step_id, p.seconds) for p in esc.path] == [("one", 7.0), ("two", 3.0)]
    assert state.place.screen == "waiting"
    # back from waiting returns to the step, not to the reasons screen
    state, _ = guide.step(state, a.ReturnToProcedure())
    assert state.place.step_id == "two"


def test_second_help_request_does_not_escalate_twice(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("other"), a.ReturnToProcedure())
    state, effects = run(guide, a.AskHelp(), a.AskHelp("other"), state=state)
    assert not [e for e in effects if isinstance(e, Escalate)]
    assert state.place.screen == "waiting"


def test_staff_message_is_shown_and_spoken(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"))
    state, effects = guide.step(state, a.StaffMessageArrived("text", "右下のボタンを押してください"))
    assert "右下のボタンを押してください" in shown(effects)[-1].all_text()
    assert any(isinstance(e, Say) and "右下" in e.text for e in effects)


def test_staff_sends_a_step(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"))
    state, effects = guide.step(state, a.StaffMessageArrived("send-step", step_id="three"))
    assert (state.place.screen, state.place.step_id) == ("step", "three")
    assert "staff-step" in records(effects)
    unchanged, effects = guide.step(state, a.StaffMessageArrived("send-step", step_id="nowhere"))
    assert unchanged == state and effects == []


def test_queue_position_and_fallback_after_threshold(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("other"), a.EscalationUpdate("waiting", position=3, wait_s=240))
    text = guide.view(state).all_text()
    assert "2人" in text and "4分" in text
    assert "0120-000-000" not in text
    state, effects = guide.step(state, a.Tick(61))
    assert "0120-000-000" in shown(effects)[-1].all_text()


def test_helpdesk_unreachable_shows_fallback_at_once(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("other"), a.HelpdeskUnreachable())
    assert "0120-000-000" in guide.view(state).all_text()


def test_inactivity_warning_then_extend_any_number_of_times(guide):
    state, _ = run(guide, *TO_STEP_ONE)
    for _ in range(5):
        state, effects = guide.step(state, a.Tick(100))
        assert shown(effects)[-1].overlay is not None
        assert "timeout-warning" in records(effects)
        assert any(isinstance(e, Say) for e in effects)
        state, effects = guide.step(state, a.ExtendTime())
        assert state.warning_left_s is None and shown(effects)[-1].overlay is None
    assert state.place.step_id == "one"


def test_timeout_after_grace_wipes_and_cancels_open_help(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("other"), a.ReturnToProcedure())
    state, _ = run(guide, a.Tick(100), a.Tick(29), state=state)
    assert state.in_session
    state, effects = guide.step(state, a.Tick(1))
    assert state == guide.initial()
    assert any(isinstance(e, CancelEscalation) for e in effects)
    assert [e.outcome for e in effects if isinstance(e, Wipe)] == ["timeout"]
    assert shown(effects)[-1].screen == "start"


@pytest.mark.parametrize("leave", [a.GoHome(), a.EndSession("completed")])
def test_every_way_home_wipes(guide, leave):
    state, _ = run(guide, *TO_STEP_ONE, a.SetLanguage("en"), a.CycleTextSize(), a.SetSpeechRate(0))
    state, effects = guide.step(state, leave)
    assert state == guide.initial()
    assert any(isinstance(e, Wipe) for e in effects)
    assert "session-end" in records(effects)
    assert shown(effects)[-1].language == "ja"  # back to the default for the next resident


def test_back_from_catalog_ends_the_session(guide):
    state, effects = run(guide, a.Begin("s1"), a.Back())
    assert not state.in_session and any(isinstance(e, Wipe) for e in effects)


def test_start_screen_says_how_long_the_kiosk_waits(guide):
    view = guide.view(guide.initial())
    assert "2分" in view.all_text()  # idle_warning_s=100 rounds to 2 minutes


def test_records_hold_no_free_text(guide):
    _, effects = run(guide, *TO_STEP_ONE, a.AskHelp("other"), a.StaffMessageArrived("text", "電話 090-1234-5678"))
    for record in (e for e in effects if isinstance(e, Record)):
        assert record.value is None or record.value in {"ja", "other", "text"}


def test_voice_commands_follow_the_screen(guide):
    _, effects = run(guide, *TO_STEP_ONE, a.Next())
    listen = [e for e in effects if isinstance(e, Listen)][-1]
    assert "next" not in listen.actions  # a question must be answered
    assert listen.actions["choice-yes"] == a.Choose("yes")
    assert "はい" in listen.phrases["choice-yes"]


def test_boot_wipes_and_shows_start(guide):
    _state, effects = guide.boot()
    assert isinstance(effects[0], Wipe) and shown(effects)[-1].screen == "start"


def test_voice_settings_screen_changes_speed_and_volume_and_keeps_the_place(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.OpenVoiceSettings())
    assert state.place.screen == "voice"
    state, effects = guide.step(state, a.CycleSpeechRate())
    assert [e for e in effects if isinstance(e, ApplySettings)] == [ApplySettings(2, 1)]
    assert any(isinstance(e, Say) for e in effects)  # the resident hears the new speed at once
    state, effects = run(guide, a.CycleVolume(), a.CycleVolume(), state=state)
    assert state.volume == 0 and ApplySettings(2, 0) in effects
    view = guide.view(state)
    assert len(view.buttons) == 3  # speed, volume, done: never more than three choices
    state, _ = guide.step(state, a.Back())
    assert (state.place.screen, state.place.step_id) == ("step", "one")
    state, effects = guide.step(state, a.GoHome())
    assert ApplySettings(1, 1) in effects and (state.speech_rate, state.volume) == (1, 1)
