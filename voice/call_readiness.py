"""Can this machine take a voice call? Checked without opening the microphone (nothing is captured outside a
call): the media stack imports, and the sound server or ALSA lists a capture and a playback device. The kiosk asks
it at start (the answer goes in its heartbeat); `yorisoi voice check` prints it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CallReadiness:
    """`reason` is None when calls can work, else a stable code: disabled, no-media-stack, no-microphone, no-speaker."""

    reason: str | None
    detail: str


def media_stack() -> str | None:
    """aiortc and PyAV versions, or None when they cannot be imported."""
    try:
        import aiortc
        import av
    except ImportError:
        return None
    return f"aiortc {aiortc.__version__}, PyAV {av.__version__}"


def _pulse_devices(kind: str) -> list[str]:
    if shutil.which("pactl") is None:
        return []
    try:
        out = subprocess.run(["pactl", "list", "short", kind], capture_output=True, text=True, timeout=3).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    names = [line.split("\t")[1] for line in out.splitlines() if "\t" in line]
    return [n for n in names if not n.endswith(".monitor")] if kind == "sources" else names


def _alsa_cards() -> list[str]:
    cards = Path("/proc/asound/cards")
    if not cards.exists():
        return []
    return [line.strip() for line in cards.read_text().splitlines() if line.strip() and line.strip()[0].isdigit()]


def check(*, enabled: bool, microphone: str, microphone_format: str | None, speaker: str | None) -> CallReadiness:
    """Whether calls can work with this configuration, and what was found."""
    if not enabled:
        return CallReadiness("disabled", "calls are off in the kiosk configuration")
    stack = media_stack()
    if stack is None:
        return CallReadiness("no-media-stack", "aiortc / PyAV are not installed (pip install 'yorisoi[kiosk]')")
    if microphone_format is None:  # a file plays as the microphone (demo, tests)
        if not Path(microphone).is_file():
            return CallReadiness("no-microphone", f"microphone file {microphone} not found")
        return CallReadiness(None, f"{stack}; microphone file {microphone}")
    sources, sinks = _pulse_devices("sources"), _pulse_devices("sinks")
    cards = _alsa_cards()
    if not sources and not cards:
        return CallReadiness("no-microphone", "no capture device (PulseAudio sources or ALSA cards)")
    if speaker is not None and not sinks and not cards:
        return CallReadiness("no-speaker", "no playback device (PulseAudio sinks or ALSA cards)")
    found = ", ".join(sources[:2] or cards[:2])
    return CallReadiness(None, f"{stack}; capture: {found}")
