"""The queued speaker with real kana reading and real espeak-ng synthesis; the silent player keeps time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice import NullSpeaker, Speaker, create_speaker
from voice.players import CommandPlayer, SilentPlayer
from voice.reading import KanaReader
from voice.speaker import QueuedSpeaker
from voice.synth import DEFAULT_RATE_LEVEL, Synthesizer
from voice.types import VoiceError

LONG = "本日は市役所のオンライン手続きをお手伝いします。画面の大きなボタンを押してください。"


class Recorder:
    """Collects speaker hooks with timestamps."""

    def __init__(self) -> None:
        self.started: list[tuple[float, str]] = []
        self.errors: list[VoiceError] = []
        self.event = threading.Event()

    def on_started(self, text: str) -> None:
        self.started.append((time.perf_counter(), text))
        self.event.set()

    def on_error(self, error: VoiceError) -> None:
        self.errors.append(error)
        self.event.set()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def player() -> SilentPlayer:
    return SilentPlayer(speed=2.0)


@pytest.fixture
def speaker(
    synthesizer: Synthesizer, kana_reader: KanaReader, player: SilentPlayer, recorder: Recorder
) -> Iterator[QueuedSpeaker]:
    s = QueuedSpeaker(
        synthesizer, player, reader=kana_reader.read, on_started=recorder.on_started, on_error=recorder.on_error
    )
    yield s
    s.close()


def test_speak_returns_before_the_speech_is_over(
    speaker: QueuedSpeaker, recorder: Recorder, player: SilentPlayer
) -> None:
    speaker.speak(LONG)
    assert not player.completed and speaker.is_speaking()  # several seconds of speech, and speak() returned
    assert recorder.event.wait(10.0)
    assert recorder.started[0][1] == LONG


def test_new_step_interrupts_the_old_one(speaker: QueuedSpeaker, recorder: Recorder, player: SilentPlayer) -> None:
    speaker.speak(LONG)
    assert recorder.event.wait(10.0)
    speaker.speak("はい")
    assert speaker.wait_idle(20.0)
    assert [text for _, text in recorder.started] == [LONG, "はい"]
    assert player.completed == [False, True]  # the long clip was cut short, the new one played to its end


def test_stop_clears_everything(speaker: QueuedSpeaker, recorder: Recorder, player: SilentPlayer) -> None:
    speaker.speak(LONG)
    assert recorder.event.wait(10.0)
    speaker.stop()
    assert speaker.wait_idle(10.0)
    assert not speaker.is_speaking() and player.completed == [False]


def test_stop_before_synthesis_finishes_says_nothing(speaker: QueuedSpeaker, recorder: Recorder) -> None:
    for _ in range(5):
        speaker.speak(LONG)
        speaker.stop()
    speaker.speak("はい")  # a marker behind them: speech starts in order, so a stopped one would come first
    assert recorder.event.wait(10.0)
    assert speaker.wait_idle(10.0)
    assert [text for _, text in recorder.started] == ["はい"]


def test_rate_levels_change_the_clip_length(speaker: QueuedSpeaker, player: SilentPlayer) -> None:
    player.speed = 50.0
    for level in (0, 2):
        speaker.set_rate(level)
        speaker.speak("つぎの画面へ進みます")
        assert speaker.wait_idle(10.0)
    assert player.played[0] > player.played[1] * 1.2
    with pytest.raises(ValueError):
        speaker.set_rate(3)


def test_reset_restores_defaults_and_stops(speaker: QueuedSpeaker) -> None:
    speaker.set_rate(0)
    speaker.set_volume(0.2)
    speaker.speak(LONG)
    speaker.reset()
    assert (speaker.rate(), speaker.volume()) == (DEFAULT_RATE_LEVEL, 1.0)
    assert speaker.wait_idle(1.0)


def test_given_reading_is_spoken_instead_of_the_text(speaker: QueuedSpeaker, player: SilentPlayer) -> None:
    player.speed = 50.0
    speaker.speak("窓口", reading="マドグチデス マドグチデス マドグチデス")
    assert speaker.wait_idle(10.0)
    speaker.speak("窓口")
    assert speaker.wait_idle(10.0)
    assert player.played[0] > 2 * player.played[1]


def test_playback_failure_is_reported_not_raised(
    synthesizer: Synthesizer, kana_reader: KanaReader, recorder: Recorder
) -> None:
    broken = CommandPlayer("broken", ["sh", "-c", "echo 'device unplugged' >&2; exit 1", "p"])
    s = QueuedSpeaker(synthesizer, broken, reader=kana_reader.read, on_error=recorder.on_error)
    try:
        s.speak("はい")
        assert recorder.event.wait(5.0)
        assert s.wait_idle(2.0)
        status = s.status()
        assert (status.available, status.reason) == (False, "playback-failed")
        assert "device unplugged" in (status.detail or "")
        s.speak("いいえ")  # still accepted; the kiosk carries on with text
    finally:
        s.close()


def test_create_speaker_with_a_working_player(recorder: Recorder) -> None:
    s = create_speaker(player="silent", on_started=recorder.on_started)
    try:
        assert isinstance(s, Speaker)
        assert s.status().available
        s.speak("こんにちは")
        assert recorder.event.wait(5.0)
    finally:
        s.close()


def test_create_speaker_without_audio_device_never_raises(tmp_path: Path) -> None:
    dead = CommandPlayer("dead", ["sh", "-c", "echo 'no default audio device' >&2; exit 1", "p"])
    s = create_speaker(player=dead)
    assert isinstance(s, NullSpeaker)
    assert (s.status().available, s.status().reason) == (False, "no-audio-device")
    s.speak("はい")
    assert not s.is_speaking()
    s.close()


def test_create_speaker_switched_off_and_unknown_player() -> None:
    assert create_speaker(enabled=False).status().reason == "disabled"
    assert create_speaker(player="gramophone").status().reason == "player-missing"


def test_auto_player_on_this_machine() -> None:
    s = create_speaker()
    try:
        if s.status().available:
            pytest.skip("this machine has a working audio output")
        assert s.status().reason == "no-audio-device"
    finally:
        s.close()


def test_null_speaker_keeps_the_interface() -> None:
    s = NullSpeaker("no-audio-device")
    assert isinstance(s, Speaker)
    s.set_rate(0)
    s.set_volume(3.0)
    assert s.volume() == 1.0
    s.reset()
    assert s.rate() == DEFAULT_RATE_LEVEL


def test_a_failing_reader_does_not_kill_the_speech_thread(synthesizer: Synthesizer, recorder: Recorder) -> None:
    def reader(text: str) -> str:
        if text == "壊れた":
            raise RuntimeError("dictionary broken")
        return "ハイ"

    s = QueuedSpeaker(synthesizer, SilentPlayer(speed=20.0), reader=reader, on_started=recorder.on_started)
    try:
        s.speak("壊れた")
        assert s.wait_idle(5.0)
        assert s.status().reason == "speech-failed"
        s.speak("はい")
        assert recorder.event.wait(5.0)
        assert s.wait_idle(5.0)
        assert s.status().available
    finally:
        s.close()


def test_the_same_words_again_are_slightly_slower(speaker: QueuedSpeaker, player: SilentPlayer) -> None:
    player.speed = 50.0
    for _ in range(2):
        speaker.speak("つぎの画面へ進みます")
        assert speaker.wait_idle(10.0)
    speaker.reset()
    speaker.speak("つぎの画面へ進みます")  # a new session: heard for the first time again
    assert speaker.wait_idle(10.0)
    first, again, fresh = player.played
    assert 1.05 < again / first < 1.25
    assert fresh == pytest.approx(first, rel=0.02)


def test_prepared_speech_starts_without_synthesis(recorder: Recorder) -> None:
    s = create_speaker(player=SilentPlayer(speed=50.0), on_started=recorder.on_started)
    try:
        assert s.wait_ready()
        s.prepare(LONG)
        assert s.wait_idle(10.0)  # idle includes having rendered what was prepared
        assert not s.is_speaking()
        began = time.perf_counter()
        s.speak(LONG)
        assert recorder.event.wait(5.0)
        assert recorder.started[0][0] - began < 0.05  # Open JTalk alone takes ~0.2 s for this sentence
        assert s.voices()["languages"]["ja"]["engine"] == "openjtalk"
    finally:
        s.close()


def test_session_end_deletes_every_rendered_clip(speaker: QueuedSpeaker, player: SilentPlayer) -> None:
    player.speed = 50.0
    speaker.speak("係の人からのお知らせです")
    speaker.prepare("つぎの画面です")
    assert speaker.wait_idle(10.0)
    folder = speaker._workdir
    assert len(list(folder.glob("*.wav"))) == 2
    speaker.reset()
    assert list(folder.glob("*.wav")) == []
