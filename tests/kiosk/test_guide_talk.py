"""The engine's answers, staff questions and pointer: pure, action by action."""

from __future__ import annotations

import pytest

from kiosk.guide import Guide, Say, SendAnswer, Show
from kiosk.guide import actions as a
from kiosk.guide.talk import POINTER_S
from tests.kiosk.guide_fixtures import sample_procedure
from tests.kiosk.test_guide import SETTINGS, TO_STEP_ONE, records, run, shown


@pytest.fixture
def guide() -> Guide:
    return Guide({"sample": sample_procedure()}, SETTINGS)


def waiting_with_staff(guide: Guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"), a.EscalationUpdate("claimed"))
    return state


def button_ids(guide: Guide, state) -> list[str]:
    return [b.id for b in guide.view(state).buttons]


def test_no_answers_before_staff_are_there(guide):
    state, _ = run(guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"))
    assert button_ids(guide, state) == ["return"]
    unchanged, effects = guide.step(state, a.Answer("understood"))
    assert unchanged == state and effects == []


def test_answers_once_staff_are_there_travel_as_codes(guide):
    state = waiting_with_staff(guide)
    assert button_ids(guide, state) == [
        "answer-understood",
        "answer-done",
        "answer-say-again",
        "answer-not-understood",
    ]  # the bar's もどる is the way back: four answers fit one row
    state, effects = guide.step(state, a.Answer("done"))
    assert [e for e in effects if isinstance(e, SendAnswer)] == [SendAnswer(state.session_id, "done", None)]
    assert "resident-answer" in records(effects)
    assert any(isinstance(e, Say) and "できました" in e.text for e in effects)
    assert "係の人に伝えました: できました" in shown(effects)[-1].all_text()
    unchanged, none = guide.step(state, a.Answer("yes"))  # no question pending: はい is not offered
    assert unchanged == state and none == []


def test_a_yes_no_question_shows_two_big_buttons_and_is_answered_once(guide):
    state = waiting_with_staff(guide)
    state, effects = guide.step(
        state, a.StaffMessageArrived("text", "カードはありますか", message_id=41, question=True)
    )
    assert button_ids(guide, state) == ["answer-yes", "answer-no", "return"]
    assert any(isinstance(e, Say) and "カードはありますか" in e.text for e in effects)
    state, effects = guide.step(state, a.Answer("no"))
    assert [e for e in effects if isinstance(e, SendAnswer)] == [SendAnswer(state.session_id, "no", 41)]
    assert "answer-yes" not in button_ids(guide, state)
    assert "answer-done" in button_ids(guide, state)


def test_answers_are_voice_commands_on_the_waiting_screen(guide):
    state = waiting_with_staff(guide)
    state, _ = guide.step(state, a.StaffMessageArrived("text", "よろしいですか", message_id=7, question=True))
    state, _effects = guide.step(state, a.Repeat())
    view = guide.view(state)
    phrases, actions = guide.views.commands(state, view)
    assert "はい" in phrases["answer-yes"] and "いいえ" in phrases["answer-no"]
    assert actions["answer-yes"] == a.Answer("yes")
    state, _ = guide.step(state, a.Answer("no"))
    phrases, actions = guide.views.commands(state, guide.view(state))
    assert "もういちど いって ください" in phrases["answer-say-again"]
    assert phrases["repeat"] == ("もういちど",)  # the kiosk's own もういちど stays a different command


def test_pointer_rings_an_element_and_says_press_here(guide):
    state, _ = run(
        guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"), a.EscalationUpdate("claimed"), a.ReturnToProcedure()
    )
    state, effects = guide.step(state, a.PointAt("next"))
    assert state.pointer == "next" and shown(effects)[-1].pointer == "next"
    assert any(isinstance(e, Say) and e.text == "ここを押してください" for e in effects)
    state, effects = guide.step(state, a.Tick(POINTER_S / 2))
    assert state.pointer == "next"
    state, effects = guide.step(state, a.Tick(POINTER_S))
    assert state.pointer is None and shown(effects)[-1].pointer is None


def test_pointer_goes_at_the_next_touch(guide):
    state, _ = run(
        guide, *TO_STEP_ONE, a.AskHelp("screen-unclear"), a.EscalationUpdate("claimed"), a.ReturnToProcedure()
    )
    state, _ = guide.step(state, a.PointAt("help"))
    state, effects = guide.step(state, a.Repeat())
    assert state.pointer is None and shown(effects)[-1].pointer is None


def test_pointer_from_the_waiting_screen_returns_to_the_step(guide):
    state = waiting_with_staff(guide)
    state, _effects = guide.step(state, a.PointAt("next"))
    assert (state.place.screen, state.place.step_id, state.pointer) == ("step", "one", "next")
    unknown, none = guide.step(state, a.PointAt("choice-maybe"))
    assert unknown == state and none == []


def test_pointer_needs_an_open_escalation(guide):
    state, _ = run(guide, *TO_STEP_ONE)
    unchanged, effects = guide.step(state, a.PointAt("next"))
    assert unchanged == state and effects == []


def test_every_language_has_the_answer_words(guide):
    state = waiting_with_staff(guide)
    for language in ("ja-easy", "en"):
        state, effects = guide.step(state, a.SetLanguage(language))
        labels = [b.label for b in guide.view(state).buttons]
        assert len(set(labels)) == 4 and all(labels)
    assert any(isinstance(e, Show) for e in effects)
