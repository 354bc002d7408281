"""16 kHz mono 16-bit audio for the recognizer: from the microphone, or from a WAV through the same path,
plus a small energy endpointer that decides when the resident has stopped speaking."""

from __future__ import annotations

import math
import queue
import time
import wave
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voice.types import NO_MICROPHONE, AudioInputError, VoiceStatus, WavFormat, WavUnreadable

SAMPLE_RATE = 16000
CHUNK_FRAMES = 800  # 50 ms: the endpointer's resolution


class AudioSource(Protocol):
    """Yields raw 16 kHz mono int16 chunks for at most `max_seconds`."""

    def chunks(self, max_seconds: float) -> Iterator[bytes]:
        """Audio chunks until `max_seconds` or the end of the input."""

    def probe(self) -> VoiceStatus:
        """Whether this input can be read here."""


class WavSource:
    """Reads a 16 kHz mono 16-bit WAV in microphone-sized chunks; `realtime` paces it like a microphone."""

    def __init__(self, path: Path | str, *, realtime: bool = False) -> None:
        self.path = Path(path)
        self.realtime = realtime

    def probe(self) -> VoiceStatus:
        """Available when the file exists and has the recognizer's format."""
        try:
            self._check()
        except AudioInputError as exc:
            return VoiceStatus(False, exc.code, str(exc))
        return VoiceStatus(True)

    def chunks(self, max_seconds: float) -> Iterator[bytes]:
        """Yield the file's audio, at most `max_seconds` of it."""
        self._check()
        with wave.open(str(self.path), "rb") as w:
            remaining = int(max_seconds * SAMPLE_RATE)
            start = time.perf_counter()
            sent = 0
            while remaining > 0:
                data = w.readframes(min(CHUNK_FRAMES, remaining))
                if not data:
                    return
                if self.realtime:
                    time.sleep(max(0.0, start + sent / SAMPLE_RATE - time.perf_counter()))
                sent += len(data) // 2
                remaining -= len(data) // 2
                yield data

    def _check(self) -> None:
        try:
            with wave.open(str(self.path), "rb") as w:
                shape = (w.getframerate(), w.getnchannels(), w.getsampwidth())
        except (OSError, wave.Error, EOFError) as exc:
            raise WavUnreadable(f"cannot read {self.path}: {exc}") from exc
        if shape != (SAMPLE_RATE, 1, 2):
            raise WavFormat(f"{self.path} is {shape}, need 16000 Hz mono 16-bit")


class MicrophoneSource:
    """The default input device through sounddevice; opened only while listening (push-to-talk)."""

    def probe(self) -> VoiceStatus:
        """Available when PortAudio reports a default input device."""
        try:
            import sounddevice as sd

            sd.query_devices(kind="input")
        except Exception as exc:
            return VoiceStatus(False, NO_MICROPHONE, f"sounddevice: {exc}")
        return VoiceStatus(True)

    def chunks(self, max_seconds: float) -> Iterator[bytes]:
        """Yield microphone audio until `max_seconds` have passed or the caller stops iterating."""
        with self._stream() as blocks:
            deadline = time.monotonic() + max_seconds
            while time.monotonic() < deadline:
                try:
                    yield blocks.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty:
                    return

    @contextmanager
    def _stream(self) -> Iterator[queue.Queue[bytes]]:
        try:
            import sounddevice as sd

            blocks: queue.Queue[bytes] = queue.Queue()
            stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="int16",
                blocksize=CHUNK_FRAMES,
                callback=lambda data, _frames, _time, _status: blocks.put(bytes(data)),
            )
        except Exception as exc:
            raise AudioInputError(f"microphone: {exc}") from exc
        with stream:
            yield blocks


def rms(chunk: bytes) -> float:
    """Root-mean-square level of int16 samples."""
    samples = array("h", chunk)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


@dataclass
class Endpointer:
    """Speech starts when a chunk is louder than `speech_level`; it ends after `end_silence_s` below it."""

    speech_level: float = 500.0
    end_silence_s: float = 0.2  # short: commands are single words; the decision budget is 300 ms
    started: bool = False
    _quiet_s: float = 0.0

    def feed(self, chunk: bytes) -> bool:
        """Account for one chunk; True once speech has started and then ended."""
        seconds = len(chunk) / 2 / SAMPLE_RATE
        if rms(chunk) >= self.speech_level:
            self.started = True
            self._quiet_s = 0.0
            return False
        if self.started:
            self._quiet_s += seconds
        return self.started and self._quiet_s >= self.end_silence_s
