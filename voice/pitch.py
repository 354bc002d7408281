"""How much the voice's pitch moves: F0 by autocorrelation, spread as a standard deviation in semitones.

Japanese read with pitch accent moves ~3.5-4 semitones over a kiosk sentence; espeak-ng's Japanese ~1.5 (flat).
A measuring tool for tests and benchmarks (numpy, imported here only).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

FRAME_S = 0.04
HOP_S = 0.01
F0_RANGE = (70.0, 600.0)
OCTAVE_BAND = 2**0.9
VOICED = 0.5  # normalised autocorrelation peak above which a frame counts as voiced


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono 16-bit WAV → float samples in -1..1 and the sample rate."""
    with wave.open(str(path), "rb") as w:
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, rate


def f0_track(samples: np.ndarray, rate: int) -> np.ndarray:
    """F0 in Hz of every voiced frame (unvoiced and quiet frames left out).

    Two passes: the first, over 70-600 Hz, finds the voice's median; the second searches within ±0.9 octave of it,
    so a formant or harmonic peak cannot pass for a pitch an octave away (which would fake pitch movement).
    """
    first = _track(samples, rate, F0_RANGE)
    if len(first) == 0:
        return first
    median = float(np.median(first))
    return _track(samples, rate, (max(F0_RANGE[0], median / OCTAVE_BAND), min(F0_RANGE[1] * 1.5, median * OCTAVE_BAND)))


def _track(samples: np.ndarray, rate: int, f0_range: tuple[float, float]) -> np.ndarray:
    frame, hop = int(FRAME_S * rate), int(HOP_S * rate)
    lo, hi = int(rate / f0_range[1]), int(rate / f0_range[0])
    loud = 0.1 * float(np.max(np.abs(samples))) if len(samples) else 0.0
    found = []
    for start in range(0, len(samples) - frame, hop):
        x = samples[start : start + frame]
        if np.max(np.abs(x)) < loud:
            continue
        x = x - x.mean()
        ac = np.correlate(x, x, mode="full")[frame - 1 :]
        if ac[0] <= 0:
            continue
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] < VOICED:
            continue
        # Parabolic interpolation around the peak for sub-sample precision.
        if 0 < lag < len(ac) - 1:
            a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
            lag = lag + 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) else lag
        found.append(rate / lag)
    return np.array(found)


def spread_semitones(f0: np.ndarray) -> float:
    """Standard deviation of F0 in semitones (12·log2 of F0 over its median)."""
    if len(f0) < 2:
        return 0.0
    return float(np.std(12 * np.log2(f0 / np.median(f0))))


def wav_pitch_spread(path: Path) -> float:
    """F0 spread of one WAV file, in semitones."""
    return spread_semitones(f0_track(*read_wav(path)))
