"""Spoken answers to a staff question through real vosk grammar recognition. No Japanese model can be had here
(PLATFORM.md), so the guide's own commands for the waiting screen are kept and only their words are swapped for the
test-only Korean model's (はい → 네, いいえ → 아니요): the decision, the command ids and the actions are the kiosk's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.guide import Guide, Listen, SendAnswer
from kiosk.guide import actions as a
from tests.kiosk.guide_fixtures import sample_procedure
from voice.audio import WavSource
from voice.listener import VoskListener

KOREAN_STAND_INS = {"answer-yes": ("네",), "answer-no": ("아니요",)}

pytestmark = [pytest.mark.vosk_model, pytest.mark.slow]


def asked_state():
    guide = Guide({"sample": sample_procedure()})
    state = guide.initial()
    for action in (
        a.Begin("s-voice-1"),
        a.StartProcedure("sample"),
        a.Next(),
        a.AskHelp("screen-unclear"),
        a.EscalationUpdate("claimed"),
    ):
        state, _ = guide.step(state, action)
    state, effects = guide.step(state, a.StaffMessageArrived("text", "カードはありますか", message_id=9, question=True))
    [listening] = [e for e in effects if isinstance(e, Listen)]  # what the runtime hands the listener
    return guide, state, listening


@pytest.mark.parametrize(("spoken", "answer"), [("네", "yes"), ("아니요", "no")])
def test_spoken_yes_or_no_answers_the_staff_question(
    korean_model: Any, korean_speech: Callable[[str], Path], spoken: str, answer: str
) -> None:
    guide, state, listening = asked_state()
    assert {"answer-yes", "answer-no"} <= set(listening.phrases)
    phrases = {command: KOREAN_STAND_INS.get(command, words) for command, words in listening.phrases.items()}
    korean = {command: words for command, words in phrases.items() if command in KOREAN_STAND_INS}
    heard = VoskListener(korean_model, WavSource(korean_speech(spoken))).listen(korean, lang="ko")
    assert heard.command == f"answer-{answer}"
    _, effects = guide.step(state, listening.actions[heard.command])
    assert [e for e in effects if isinstance(e, SendAnswer)] == [SendAnswer("s-voice-1", answer, 9)]
