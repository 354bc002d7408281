"""What `yorisoi voice check` reports: engines, voices per language, output and input devices, model status,
and one sample synthesized with its latency. Every probe is caught, so the report itself never fails."""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLE = "今日は9時30分から、2階の窓口でQRコードを読み取ります。"
PACKAGES = ("pyttsx3", "pyopenjtalk-plus", "fugashi", "unidic-lite", "vosk", "sounddevice")


def check_report(*, model: str | None = None) -> dict[str, Any]:
    """Collect every probe into one JSON-able dict."""
    return {
        "packages": _packages(),
        "engines": _engines(),
        "voices": _voices(),
        "synthesis": _synthesis(),
        "output": _output(),
        "input": _input(),
        "devices": _devices(),
        "model": _model(model or os.environ.get("VOSK_MODEL_PATH")),
        "call": _call(),
    }


def _call() -> dict[str, Any]:
    """Voice-call readiness with the default devices (never opens the microphone)."""
    from voice.call_readiness import check

    ready = check(enabled=True, microphone="default", microphone_format="pulse", speaker="default")
    if ready.reason is None:
        return {"available": True, "detail": ready.detail}
    return {"available": False, "reason": ready.reason, "detail": ready.detail}


def _packages() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def _engines() -> dict[str, Any]:
    """Which engine speaks each language and why, one sample each, and the attributions owed."""
    try:
        from voice.chooser import build_voices
        from voice.synth import wav_duration

        voices = build_voices()
        voices.wait_ready()
        samples: dict[str, dict[str, object]] = {}
        with tempfile.TemporaryDirectory(prefix="yorisoi-check-") as tmp:
            for lang, text in (("ja", SAMPLE), ("en", "Please touch the screen.")):
                began = time.perf_counter()
                try:
                    wav = voices.render(text, None, Path(tmp) / f"{lang}.wav", lang=lang, rate_level=1, volume=1.0,
                                        pace=1.0)  # fmt: skip
                    samples[lang] = {"ok": True, "ms": round((time.perf_counter() - began) * 1000, 1),
                                     "audio_s": round(wav_duration(wav), 2)}  # fmt: skip
                except Exception as exc:
                    samples[lang] = {"ok": False, "error": f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"}
        return {"languages": voices.report(), "samples": samples, "credits": voices.credits()}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def _voices() -> dict[str, Any]:
    try:
        from voice.synth import Synthesizer

        synth = Synthesizer()
        chosen = {}
        for lang in ("ja", "en", "ko"):
            try:
                chosen[lang] = synth.voice_id(lang)
            except Exception as exc:
                chosen[lang] = f"none ({exc})"
        return {"installed": len(synth.voices()), "chosen": chosen}
    except Exception as exc:
        return {"error": str(exc)}


def _synthesis() -> dict[str, Any]:
    try:
        from voice.reading import KanaReader
        from voice.synth import Synthesizer, wav_duration

        reader, synth = KanaReader(), Synthesizer()
        with tempfile.TemporaryDirectory(prefix="yorisoi-check-") as tmp:
            synth.synthesize("ハイ", Path(tmp) / "warm.wav")
            began = time.perf_counter()
            kana = reader.read(SAMPLE)
            read_ms = (time.perf_counter() - began) * 1000
            wav = synth.synthesize(kana, Path(tmp) / "sample.wav")
            total_ms = (time.perf_counter() - began) * 1000
            audio_s = wav_duration(wav)
        return {"ok": True, "text": SAMPLE, "kana": kana, "kana_ms": round(read_ms, 1),
                "text_to_wav_ms": round(total_ms, 1), "audio_s": round(audio_s, 2)}  # fmt: skip
    except Exception as exc:
        return {"ok": False, "error": f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"}


def _output() -> dict[str, Any]:
    from voice.players import find_player

    player, status = find_player()
    return {"available": status.available, "player": player.name if player else None,
            "reason": status.reason, "detail": status.detail}  # fmt: skip


def _input() -> dict[str, Any]:
    from voice.audio import MicrophoneSource

    status = MicrophoneSource().probe()
    return {"available": status.available, "reason": status.reason, "detail": status.detail}


def _devices() -> Any:
    try:
        import sounddevice as sd

        return [
            {"name": d["name"], "inputs": d["max_input_channels"], "outputs": d["max_output_channels"]}
            for d in sd.query_devices()
        ]
    except Exception as exc:
        return {"error": str(exc)}


def _model(path: str | None) -> dict[str, Any]:
    if not path:
        return {"available": False, "reason": "model-missing", "detail": "set VOSK_MODEL_PATH or --model"}
    from voice.listener import load_model
    from voice.types import VoiceError

    began = time.perf_counter()
    try:
        load_model(path)
    except VoiceError as exc:
        return {"available": False, "path": path, "reason": exc.code, "detail": str(exc)}
    return {"available": True, "path": path, "load_s": round(time.perf_counter() - began, 2)}


def format_report(report: dict[str, Any]) -> str:
    """Human-readable lines for the terminal."""
    synth = report["synthesis"]
    lines = [
        "packages:  " + ", ".join(f"{k} {v}" for k, v in report["packages"].items()),
        *_engine_lines(report["engines"]),
        f"espeak-ng voices: {report['voices']}",
        (
            f"synthesis: ok, {synth['text_to_wav_ms']} ms text→WAV ({synth['kana_ms']} ms kana), "
            f"{synth['audio_s']} s audio\n           {synth['text']}\n           → {synth['kana']}"
            if synth["ok"]
            else f"synthesis: FAILED {synth['error']}"
        ),
        f"output:    {_status_line(report['output'])}",
        f"input:     {_status_line(report['input'])}",
        f"devices:   {report['devices']}",
        f"model:     {_status_line(report['model'])}",
        f"call:      {_status_line(report['call'])}",
    ]
    return "\n".join(lines)


def _engine_lines(engines: dict[str, Any]) -> list[str]:
    if "error" in engines:
        return [f"engines:   FAILED {engines['error']}"]
    lines = []
    for lang, chosen in engines["languages"].items():
        sample = engines["samples"].get(lang.split("-")[0], {})
        timing = f" [sample {sample['ms']} ms for {sample['audio_s']} s]" if sample.get("ok") else ""
        lines.append(f"speaks {lang:8} {chosen['engine']}: {chosen['reason']}{timing}")
        if chosen.get("fallback"):
            lines.append(f"           fallback: {chosen['fallback']}")
    lines += [f"credits:   {credit}" for credit in engines["credits"]]
    return lines


def _status_line(status: dict[str, Any]) -> str:
    if status.get("available"):
        return "available " + ", ".join(f"{k}={v}" for k, v in status.items() if k != "available" and v)
    return f"unavailable: {status.get('reason')}: {status.get('detail')}"
