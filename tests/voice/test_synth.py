"""Real espeak-ng WAVs through the real pyttsx3 path."""

from __future__ import annotations

import wave
from array import array
from pathlib import Path

import pytest

from voice.audio import rms
from voice.synth import Synthesizer, base_language, wav_duration
from voice.types import SynthesisError

SENTENCE = "ツギノ ガメンエ ススミマス。ハイカ イイエデ コタエテ クダサイ"  # 29 morae of kana


def read_wav(path: Path) -> tuple[tuple[int, int, int], bytes]:
    with wave.open(str(path), "rb") as w:
        return (w.getframerate(), w.getnchannels(), w.getsampwidth()), w.readframes(w.getnframes())


def test_wav_format_duration_and_level(synthesizer: Synthesizer, tmp_path: Path) -> None:
    path = synthesizer.synthesize(SENTENCE, tmp_path / "s.wav")
    shape, frames = read_wav(path)
    assert shape == (22050, 1, 2)
    # ~30 morae at a slow kiosk rate: a few seconds, not a blip and not a runaway.
    assert 2.0 < wav_duration(path) < 8.0
    assert rms(frames) > 500  # not silent
    assert max(abs(s) for s in array("h", frames)) > 5000


def test_slower_levels_take_longer(synthesizer: Synthesizer, tmp_path: Path) -> None:
    durations = [
        wav_duration(synthesizer.synthesize(SENTENCE, tmp_path / f"{level}.wav", rate_level=level))
        for level in (0, 1, 2)
    ]
    assert durations[0] > durations[1] > durations[2]


def test_volume_scales_the_level(synthesizer: Synthesizer, tmp_path: Path) -> None:
    loud = read_wav(synthesizer.synthesize(SENTENCE, tmp_path / "loud.wav", volume=1.0))[1]
    quiet = read_wav(synthesizer.synthesize(SENTENCE, tmp_path / "quiet.wav", volume=0.3))[1]
    assert rms(quiet) < 0.6 * rms(loud)


def test_each_utterance_goes_to_its_own_file(synthesizer: Synthesizer, tmp_path: Path) -> None:
    short = synthesizer.synthesize("ハイ", tmp_path / "a.wav")
    long = synthesizer.synthesize(SENTENCE, tmp_path / "b.wav")
    assert wav_duration(short) < 1.0 < wav_duration(long)
    assert wav_duration(short) == wav_duration(tmp_path / "a.wav")  # not overwritten by the second call


def test_nothing_printed_on_stdout(synthesizer: Synthesizer, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    synthesizer.synthesize("ハイ", tmp_path / "a.wav")
    assert "Audio saved" not in capfd.readouterr().out


def test_voices_per_language(synthesizer: Synthesizer) -> None:
    assert synthesizer.voice_id("ja") == "jpx/ja"
    assert synthesizer.voice_id("ja-x-easy") == "jpx/ja"
    assert synthesizer.voice_id("en").startswith("gmw/en")
    assert any("ja" in v.languages for v in synthesizer.voices())


def test_english_is_spoken_too(synthesizer: Synthesizer, tmp_path: Path) -> None:
    assert wav_duration(synthesizer.synthesize("Please touch the screen", tmp_path / "en.wav", lang="en")) > 0.8


def test_errors_have_stable_codes(synthesizer: Synthesizer, tmp_path: Path) -> None:
    with pytest.raises(SynthesisError) as empty:
        synthesizer.synthesize("  ", tmp_path / "e.wav")
    assert empty.value.code == "empty-text"
    with pytest.raises(SynthesisError) as unknown:
        synthesizer.synthesize("x", tmp_path / "x.wav", lang="tlh")
    assert unknown.value.code == "no-voice"


def test_base_language() -> None:
    assert base_language("ja_JP") == "ja"
    assert base_language("EN-us") == "en"
