"""Japanese must not come out flat: F0 spread over kiosk sentences, Open JTalk against espeak-ng.

REQUIREMENTS.md: mean F0 spread ≥ 3 semitones (espeak-ng's flat Japanese ≈ 1.5). The tracker is checked first on
tones whose pitch is known, so a broken tracker cannot pass or fail the speech for the wrong reason.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from voice.chooser import build_voices
from voice.pitch import f0_track, spread_semitones, wav_pitch_spread

KIOSK_SENTENCES = [
    "マイナンバーカードを読み取り機の上に置いてください。",
    "次へ進みますか？「はい」か「いいえ」を押してください。",
    "分からないときは、画面の下の「たすけて」ボタンを押してください。",
    "これで手続きは終わりです。お疲れさまでした。",
    "住民票の写しを申請します。",
]


def tone(path: Path, segments: list[tuple[float, float]], rate: int = 22050) -> Path:
    """A harmonic-rich tone (like a voice): (frequency Hz, seconds) segments."""
    parts = []
    for freq, seconds in segments:
        t = np.arange(int(rate * seconds)) / rate
        parts.append(sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 6)))
    samples = np.concatenate(parts)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes((samples / np.max(np.abs(samples)) * 0.5 * 32767).astype("<i2").tobytes())
    return path


def test_tracker_finds_known_pitches(tmp_path: Path) -> None:
    for freq in (110.0, 220.0, 330.0):
        f0 = f0_track(*_read(tone(tmp_path / f"{freq}.wav", [(freq, 1.0)])))
        assert np.median(f0) == pytest.approx(freq, rel=0.02)
        assert spread_semitones(f0) < 0.2
    # Two notes four semitones apart, half the time each: spread = 2 semitones.
    glide = tone(tmp_path / "two.wav", [(200.0, 1.0), (200.0 * 2 ** (4 / 12), 1.0)])
    assert wav_pitch_spread(glide) == pytest.approx(2.0, abs=0.2)


@pytest.fixture(scope="module")
def spreads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    voices = build_voices()
    assert voices.wait_ready()
    folder = tmp_path_factory.mktemp("pitch")
    found = {}
    for name in ("openjtalk", "espeak-ng"):
        engine = voices.engines[name]
        per_sentence = [
            wav_pitch_spread(
                engine.render(text, None, folder / f"{name}-{i}.wav", lang="ja", rate_level=1, volume=1.0, pace=1.0)
            )
            for i, text in enumerate(KIOSK_SENTENCES)
        ]
        found[name] = float(np.mean(per_sentence))
    return found


def test_japanese_has_pitch_accent(spreads: dict[str, float]) -> None:
    assert spreads["openjtalk"] >= 3.0, spreads


def test_the_measure_tells_flat_from_accented(spreads: dict[str, float]) -> None:
    assert spreads["espeak-ng"] < 2.5, spreads
    assert spreads["openjtalk"] > spreads["espeak-ng"] + 1.0, spreads


def test_the_chosen_japanese_engine_is_the_accented_one() -> None:
    voices = build_voices()
    assert voices.choice("ja").engine == voices.choice("ja-easy").engine == "openjtalk"


def _read(path: Path) -> tuple[np.ndarray, int]:
    from voice.pitch import read_wav

    return read_wav(path)
