"""Real Open JTalk WAVs: format, level (never clipping), silence, rate and pace, and nothing printed on stdout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voice.pitch import read_wav
from voice.synth import wav_duration
from voice.types import SynthesisError

SENTENCES = [
    "マイナンバーカードを読み取り機の上に置いてください。",
    "手数料は1通300円です。受付は9:00〜17:00です。",
    "係の方にお知らせください。",
    "次へ進みますか？「はい」か「いいえ」を押してください。",
]


def runs_of_silence(samples: np.ndarray, rate: int, level: float = 0.01) -> tuple[float, float, float]:
    """Leading silence, trailing silence and the longest silence inside, in seconds (10 ms frames)."""
    hop = rate // 100
    loud = [np.max(np.abs(samples[i : i + hop])) >= level for i in range(0, len(samples) - hop, hop)]
    first, last = loud.index(True), len(loud) - 1 - loud[::-1].index(True)
    longest = run = 0
    for is_loud in loud[first : last + 1]:
        run = 0 if is_loud else run + 1
        longest = max(longest, run)
    return first / 100, (len(loud) - 1 - last) / 100, longest / 100


@pytest.mark.parametrize("text", SENTENCES)
def test_speech_is_below_full_scale_and_not_silent(open_jtalk, tmp_path: Path, text: str) -> None:
    path = open_jtalk.synthesize(text, tmp_path / "s.wav")
    samples, rate = read_wav(path)
    assert rate == 48000
    peak = float(np.max(np.abs(samples)))
    assert 0.3 < peak <= 0.81  # scaled: Mei alone reaches ~1.2 × full scale on some of these
    assert np.mean(np.abs(samples) > 0.999) == 0  # no clipped samples
    assert float(np.sqrt(np.mean(samples**2))) > 0.02
    lead, trail, inside = runs_of_silence(samples, rate)
    assert lead < 0.5 and trail < 0.8, (lead, trail)
    assert inside < 1.0, inside  # pauses at punctuation, never a dead gap


def test_rate_levels_and_pace_change_the_length(open_jtalk, tmp_path: Path) -> None:
    text = SENTENCES[0]
    slow, default, normal = (
        wav_duration(open_jtalk.synthesize(text, tmp_path / f"{level}.wav", rate_level=level)) for level in (0, 1, 2)
    )
    assert slow > default > normal
    again = wav_duration(open_jtalk.synthesize(text, tmp_path / "again.wav", pace=0.9))
    assert 1.05 < again / default < 1.2  # slightly slower, not a different rate level


def test_volume_scales_the_level(open_jtalk, tmp_path: Path) -> None:
    loud, _ = read_wav(open_jtalk.synthesize(SENTENCES[2], tmp_path / "loud.wav", volume=1.0))
    quiet, _ = read_wav(open_jtalk.synthesize(SENTENCES[2], tmp_path / "quiet.wav", volume=0.3))
    assert np.max(np.abs(quiet)) == pytest.approx(0.3 * np.max(np.abs(loud)), rel=0.01)


def test_errors_have_stable_codes(open_jtalk, tmp_path: Path) -> None:
    with pytest.raises(SynthesisError) as empty:
        open_jtalk.synthesize(" 。", tmp_path / "e.wav")
    assert empty.value.code == "empty-text"


def test_a_missing_module_fails_with_a_reason(tmp_path: Path) -> None:
    from voice.openjtalk import OpenJTalkSynthesizer, installed

    assert installed() and not installed("pyopenjtalk_not_here")
    engine = OpenJTalkSynthesizer(module="pyopenjtalk_not_here")
    with pytest.raises(SynthesisError) as failed:
        engine.synthesize("はい", tmp_path / "x.wav")
    assert failed.value.code == "tts-unavailable"
    assert "pyopenjtalk_not_here" in str(failed.value)


def test_loading_prints_nothing_and_downloads_nothing(tmp_path: Path) -> None:
    # A fresh process, as the kiosk starts: the ONNX warning and mecab-dict-index's progress must not reach stdout.
    code = (
        "import sys; from pathlib import Path; from voice.openjtalk import OpenJTalkSynthesizer;"
        f"e = OpenJTalkSynthesizer({{'窓口': 'ウケツケ'}}); e.synthesize('はい', Path({str(tmp_path / 'a.wav')!r}));"
        "print('only this')"
    )
    # TMPDIR: a fresh dictionary cache, so the user dictionary is really compiled in this run.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "no_proxy": "*", "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "only this\n"
    assert (tmp_path / "a.wav").stat().st_size > 10_000
    assert len(list((tmp_path / "yorisoi-openjtalk").glob("user-*.dic"))) == 1


def test_the_user_dictionary_is_compiled_once_and_reused(tmp_path: Path) -> None:
    from voice.openjtalk import OpenJTalkSynthesizer

    cache = tmp_path / "cache"
    try:
        first = OpenJTalkSynthesizer({"窓口": "ウケツケ"}, cache=cache)
        assert first.wait_ready()
        compiled = list(cache.glob("user-*.dic"))
        assert len(compiled) == 1
        stamp = compiled[0].stat().st_mtime_ns
        again = OpenJTalkSynthesizer({"窓口": "ウケツケ"}, cache=cache)
        assert again.wait_ready() and compiled[0].stat().st_mtime_ns == stamp
        assert again.reading("窓口") == "ウケツケ"
        other = OpenJTalkSynthesizer({"窓口": "マドグチサン"}, cache=cache)  # other readings: another dictionary
        assert other.wait_ready() and len(list(cache.glob("user-*.dic"))) == 2
    finally:
        OpenJTalkSynthesizer().wait_ready()  # the standard dictionary back for the other tests
