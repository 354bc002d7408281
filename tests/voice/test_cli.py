"""`yorisoi voice ...` through the real command dispatcher."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from voice.cli import parse_grammar
from yorisoi.cli import main


def test_say_writes_a_wav_and_shows_the_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "say.wav"
    assert main(["voice", "say", "2階の窓口へどうぞ", "--out", str(out)]) == 0
    with wave.open(str(out), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (48000, 1, 2)  # Open JTalk
        assert w.getnframes() > 48000 // 2
    out = capsys.readouterr().out
    assert "by openjtalk" in out and "ニカイノマドグチエ" in out


def test_say_with_a_named_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "say", "2階の窓口へどうぞ", "--engine", "espeak-ng", "--out", str(tmp_path / "e.wav")]) == 0
    assert "by espeak-ng" in capsys.readouterr().out
    assert main(["voice", "say", "はい", "--engine", "festival", "--out", str(tmp_path / "f.wav")]) == 1
    assert "no-voice" in capsys.readouterr().err


def test_say_in_english(tmp_path: Path) -> None:
    assert main(["voice", "say", "Please wait", "--lang", "en", "--out", str(tmp_path / "en.wav")]) == 0


def test_say_aloud_through_a_chosen_player(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "say", "はい", "--player", "silent"]) == 0
    assert main(["voice", "say", "はい", "--player", "gramophone"]) == 1
    assert "player-missing" in capsys.readouterr().err


def test_check_reports_everything_as_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    assert main(["voice", "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["synthesis"]["ok"] is True
    assert report["synthesis"]["text_to_wav_ms"] > 0
    assert report["voices"]["chosen"]["ja"] == "jpx/ja"
    assert report["engines"]["languages"]["ja-easy"]["engine"] == "openjtalk"
    assert report["engines"]["languages"]["en"]["engine"] == "espeak-ng"
    assert report["engines"]["samples"]["ja"]["ok"] is True
    assert any("CC BY 3.0" in credit for credit in report["engines"]["credits"])
    assert report["model"]["reason"] == "model-missing"
    assert set(report["output"]) >= {"available", "reason"}


def test_check_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "check", "--model", "/nonexistent-model"]) == 0
    text = capsys.readouterr().out
    assert "synthesis: ok" in text and "model-missing" in text
    assert "speaks ja       openjtalk: Open JTalk is installed" in text
    assert 'credits:   Japanese voice: HTS Voice "Mei"' in text


def test_listen_without_model_is_unavailable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = tmp_path / "q.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\0\0" * 8000)
    code = main(["voice", "listen", "--grammar", "yes=はい", "--wav", str(wav), "--model", str(tmp_path / "none")])
    assert code == 2
    assert "model-missing" in capsys.readouterr().err


def test_parse_grammar() -> None:
    assert parse_grammar(["yes=はい|ええ", "no=いいえ", "yes=うん"]) == {
        "yes": ["はい", "ええ", "うん"],
        "no": ["いいえ"],
    }
    with pytest.raises(ValueError):
        parse_grammar(["はい"])
