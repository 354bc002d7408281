"""Call readiness: reasons for each missing part, checked without opening any device."""

from __future__ import annotations

from pathlib import Path

from voice import call_readiness
from voice.call_readiness import check


def test_disabled_and_missing_file_microphone(tmp_path: Path) -> None:
    assert check(enabled=False, microphone="default", microphone_format="pulse", speaker=None).reason == "disabled"
    missing = check(enabled=True, microphone=str(tmp_path / "none.wav"), microphone_format=None, speaker=None)
    assert missing.reason == "no-microphone"
    (tmp_path / "tone.wav").write_bytes(b"RIFF")
    assert (
        check(enabled=True, microphone=str(tmp_path / "tone.wav"), microphone_format=None, speaker=None).reason is None
    )


def test_devices_decide(monkeypatch) -> None:
    monkeypatch.setattr(call_readiness, "_pulse_devices", lambda kind: [])
    monkeypatch.setattr(call_readiness, "_alsa_cards", lambda: [])
    assert (
        check(enabled=True, microphone="default", microphone_format="pulse", speaker="default").reason
        == "no-microphone"
    )
    monkeypatch.setattr(
        call_readiness, "_pulse_devices", lambda kind: ["usb-speakerphone"] if kind == "sources" else []
    )
    ready = check(enabled=True, microphone="default", microphone_format="pulse", speaker="default")
    assert ready.reason == "no-speaker"
    monkeypatch.setattr(call_readiness, "_pulse_devices", lambda kind: ["usb-speakerphone"])
    ready = check(enabled=True, microphone="default", microphone_format="pulse", speaker="default")
    assert ready.reason is None and "usb-speakerphone" in ready.detail


def test_no_media_stack(monkeypatch) -> None:
    monkeypatch.setattr(call_readiness, "media_stack", lambda: None)
    assert check(enabled=True, microphone="default", microphone_format="pulse", speaker=None).reason == "no-media-stack"


def test_voice_check_reports_call_readiness() -> None:
    from voice.diagnostics import _call, format_report

    call = _call()
    assert call["available"] or call["reason"] in ("no-microphone", "no-speaker", "no-media-stack")
    assert "call:" in format_report({**_fake_report(), "call": call})


def _fake_report() -> dict:
    status = {"available": False, "reason": "x", "detail": "y"}
    synth = {"ok": False, "error": "none"}
    return {
        "packages": {},
        "voices": {},
        "synthesis": synth,
        "output": status,
        "input": status,
        "devices": [],
        "model": status,
        "engines": {"error": "not checked in this test"},
    }
