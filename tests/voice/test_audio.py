"""Audio inputs and the endpointer. The microphone path is driven by a stand-in PortAudio stream that
delivers a real WAV through the same callback sounddevice would call (this machine has no microphone)."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voice.audio import CHUNK_FRAMES, SAMPLE_RATE, Endpointer, MicrophoneSource, WavSource, rms
from voice.listener import VoskListener
from voice.players import silence


class WavInputStream:
    """Same constructor and context-manager shape as sounddevice.RawInputStream, fed from a WAV file."""

    wav: Path
    pace: float = 1.0  # 1.0 = real time, like a microphone

    def __init__(self, *, samplerate: int, channels: int, dtype: str, blocksize: int, callback: Callable) -> None:
        assert (samplerate, channels, dtype) == (SAMPLE_RATE, 1, "int16")
        self._blocksize, self._callback = blocksize, callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with wave.open(str(self.wav), "rb") as w:
            while not self._stop.is_set() and (data := w.readframes(self._blocksize)):
                self._callback(memoryview(data), len(data) // 2, None, None)
                time.sleep(self.pace * len(data) / 2 / SAMPLE_RATE)

    def __enter__(self) -> WavInputStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def microphone_playing(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], MicrophoneSource]:
    import sounddevice

    def use(wav: Path, pace: float = 1.0) -> MicrophoneSource:
        stream = type("Stream", (WavInputStream,), {"wav": wav, "pace": pace})
        monkeypatch.setattr(sounddevice, "RawInputStream", stream)
        return MicrophoneSource()

    return use


def test_wav_source_chunks_and_limit(tmp_path: Path) -> None:
    source = WavSource(silence(tmp_path / "s.wav", 1.0, rate=SAMPLE_RATE))
    chunks = list(source.chunks(0.5))
    assert sum(len(c) for c in chunks) == SAMPLE_RATE  # 0.5 s of 2-byte samples
    assert all(len(c) == CHUNK_FRAMES * 2 for c in chunks)


def test_realtime_wav_source_is_paced(tmp_path: Path) -> None:
    source = WavSource(silence(tmp_path / "s.wav", 0.5, rate=SAMPLE_RATE), realtime=True)
    began = time.perf_counter()
    list(source.chunks(5.0))
    assert time.perf_counter() - began > 0.4


def test_endpointer_waits_for_speech_then_silence() -> None:
    loud = b"\x00\x10" * CHUNK_FRAMES  # 4096 in little-endian int16
    quiet = b"\0\0" * CHUNK_FRAMES
    assert rms(loud) == 4096
    end = Endpointer(end_silence_s=0.1)
    assert not any(end.feed(quiet) for _ in range(10))  # silence before speech never ends anything
    assert not end.feed(loud)
    assert not end.feed(quiet)  # 50 ms
    assert end.feed(quiet)  # 100 ms


def test_microphone_chunks_stop_at_the_deadline(microphone_playing: Callable, tmp_path: Path) -> None:
    mic = microphone_playing(silence(tmp_path / "long.wav", 3.0, rate=SAMPLE_RATE))
    began = time.perf_counter()
    heard = sum(len(c) for c in mic.chunks(0.3)) / 2 / SAMPLE_RATE
    assert time.perf_counter() - began > 0.25  # it listened in real time until the deadline
    assert 0.2 <= heard <= 0.4


@pytest.mark.vosk_model
@pytest.mark.slow
def test_microphone_path_recognizes_a_command(
    microphone_playing: Callable, korean_model: Any, korean_speech: Callable[[str], Path]
) -> None:
    listener = VoskListener(korean_model, microphone_playing(korean_speech("아니요"), pace=0.2))
    assert listener.listen({"yes": ["네"], "no": ["아니요"]}, timeout_s=5.0).command == "no"
