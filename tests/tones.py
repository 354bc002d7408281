"""Sine-tone WAV files for the call tests (made on the fly, never committed)."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path


def tone_wav(path: Path, hz: float, seconds: float = 4.0, rate: int = 48_000, level: float = 0.5) -> Path:
    """A mono 16-bit WAV of a sine tone."""
    frames = int(seconds * rate)
    data = b"".join(
        struct.pack("<h", int(level * 32767 * math.sin(2 * math.pi * hz * i / rate))) for i in range(frames)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data)
    return path
