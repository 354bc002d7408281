"""Which engine speaks each language and why; and the fallback to espeak-ng when the chosen engine is missing or
fails (speech goes on, text is still shown)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from voice import create_speaker
from voice.chooser import build_voices, choose
from voice.players import SilentPlayer
from voice.speaker import QueuedSpeaker

EVERYTHING = {"openjtalk": {"ja"}, "espeak-ng": {"ja", "en"}, "sapi5": {"ja", "en"}}


@pytest.mark.parametrize(
    ("lang", "speaks", "windows", "engine", "because"),
    [
        ("ja", EVERYTHING, False, "openjtalk", "pitch accent"),
        ("ja-easy", EVERYTHING, True, "openjtalk", "pitch accent"),
        ("en", EVERYTHING, False, "espeak-ng", "espeak-ng speaks en"),
        ("ja", {"espeak-ng": {"ja", "en"}}, False, "espeak-ng", "Open JTalk is not installed"),
        ("ja", {"espeak-ng": {"ja", "en"}, "sapi5": {"ja"}}, True, "sapi5", "SAPI5 Japanese voice"),
        ("ja", {"espeak-ng": {"ja", "en"}, "sapi5": {"ja"}}, False, "espeak-ng", "flat"),  # SAPI5 only on Windows
        ("en", {"sapi5": {"en"}}, True, "sapi5", "espeak-ng is missing"),
        ("en", {"openjtalk": {"ja"}}, False, None, "no engine speaks en"),
    ],
)
def test_choose(lang: str, speaks: dict, windows: bool, engine: str | None, because: str) -> None:
    problems = {"openjtalk": "is not installed", "espeak-ng": "is missing"}
    choice = choose(lang, speaks, {k: v for k, v in problems.items() if k not in speaks}, windows=windows)
    assert choice.engine == engine
    assert because in choice.reason


def test_on_this_machine_open_jtalk_speaks_japanese_and_espeak_english() -> None:
    voices = build_voices()
    report = voices.report()
    assert {lang: r["engine"] for lang, r in report.items()} == {
        "ja": "openjtalk",
        "ja-easy": "openjtalk",
        "en": "espeak-ng",
    }
    assert "CC BY 3.0" in voices.credits()[0] and "Mei" in voices.credits()[0]


def test_other_languages_go_to_espeak() -> None:
    assert build_voices(openjtalk_module="pyopenjtalk_not_here").choice("ko").engine == "espeak-ng"


def test_without_open_jtalk_espeak_reads_kana_and_says_why() -> None:
    voices = build_voices(openjtalk_module="pyopenjtalk_not_here")
    assert voices.choice("ja").engine == "espeak-ng"
    assert "Open JTalk is not installed" in voices.choice("ja").reason
    assert voices.credits() == []


def test_a_failing_open_jtalk_falls_back_to_espeak(tmp_path: Path) -> None:
    # `wave` imports fine but is no Open JTalk: loading fails the way a broken install would.
    started = threading.Event()
    speaker = create_speaker(player=SilentPlayer(speed=50.0), openjtalk_module="wave",
                             on_started=lambda _t: started.set())  # fmt: skip
    try:
        assert isinstance(speaker, QueuedSpeaker)
        assert speaker.voices()["languages"]["ja"]["engine"] == "openjtalk"
        speaker.speak("窓口へどうぞ")
        assert started.wait(10.0)
        assert speaker.wait_idle(10.0)
        assert speaker.status().available
        fallback = speaker.voices()["languages"]["ja"]["fallback"]
        assert "openjtalk failed" in fallback and "espeak-ng spoke instead" in fallback
    finally:
        speaker.close()


def test_a_fallback_is_logged_once_per_cause(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    voices = build_voices(openjtalk_module="wave")
    for i in range(3):
        voices.render("はい", None, tmp_path / f"{i}.wav", lang="ja", rate_level=1, volume=1.0, pace=1.0)
    assert len([r for r in caplog.records if "espeak-ng spoke instead" in r.getMessage()]) == 1
