"""Audio players we control: each play() blocks until the clip ends or stop() is called, and raises
PlaybackError when the device or player fails (pyttsx3's own aplay call hides that)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import Protocol

from voice.types import NO_AUDIO_DEVICE, PLAYER_MISSING, PlaybackError, PlayerMissing, VoiceStatus

PROBE_TIMEOUT_S = 5.0
POLL_S = 0.02
# Command lines per player name; the WAV path is appended.
COMMANDS = {"aplay": ["aplay", "-q"], "paplay": ["paplay"], "play": ["play", "-q"]}


class Player(Protocol):
    """Plays one WAV file; play() returns early (False) as soon as `cancel` is set."""

    name: str

    def play(self, path: Path, cancel: threading.Event) -> bool:
        """Play to the end (True) or until `cancel` is set (False); PlaybackError on failure."""

    def probe(self) -> VoiceStatus:
        """Whether this player can make sound here."""


class CommandPlayer:
    """Plays through an external program (aplay, paplay, sox play), terminated when cancelled."""

    def __init__(self, name: str, argv: list[str] | None = None) -> None:
        self.name = name
        self._argv = argv or COMMANDS[name]

    def play(self, path: Path, cancel: threading.Event) -> bool:
        """Play `path` to the end; False if cancelled; PlaybackError with the player's stderr on failure."""
        if cancel.is_set():
            return False
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen([*self._argv, str(path)], stdout=subprocess.DEVNULL, stderr=errors)
            while process.poll() is None:
                if cancel.wait(POLL_S):
                    process.terminate()
                    process.wait()
                    return False
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
        if process.returncode != 0:
            tail = stderr.strip().splitlines()[-1:] or ["(no message)"]
            raise PlaybackError(f"{self.name} exited with {process.returncode}: {tail[0]}")
        return True

    def probe(self) -> VoiceStatus:
        """Play 20 ms of silence to find out whether the program and an audio device exist."""
        if shutil.which(self._argv[0]) is None:
            return VoiceStatus(False, PLAYER_MISSING, f"{self._argv[0]} is not installed")
        with tempfile.TemporaryDirectory(prefix="yorisoi-probe-") as tmp:
            path = silence(Path(tmp) / "probe.wav", 0.02)
            try:
                done = subprocess.run(
                    [*self._argv, str(path)], capture_output=True, timeout=PROBE_TIMEOUT_S, check=False
                )
            except subprocess.TimeoutExpired:
                return VoiceStatus(False, NO_AUDIO_DEVICE, f"{self.name} hung for {PROBE_TIMEOUT_S} s")
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            return VoiceStatus(False, NO_AUDIO_DEVICE, f"{self.name}: {tail[0]}")
        return VoiceStatus(True)


class SoundDevicePlayer:
    """Plays in-process through PortAudio (sounddevice), 50 ms at a time so cancelling is quick."""

    name = "sounddevice"

    def play(self, path: Path, cancel: threading.Event) -> bool:
        """Play `path` to the end; False if cancelled."""
        import sounddevice as sd

        with wave.open(str(path), "rb") as w:
            data, rate = w.readframes(w.getnframes()), w.getframerate()
        step = rate // 20 * 2
        try:
            with sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16") as stream:
                for start in range(0, len(data), step):
                    if cancel.is_set():
                        stream.abort()
                        return False
                    stream.write(data[start : start + step])
        except Exception as exc:  # PortAudioError and friends
            raise PlaybackError(f"sounddevice: {exc}") from exc
        return True

    def probe(self) -> VoiceStatus:
        """Available when PortAudio reports a default output device."""
        try:
            import sounddevice as sd

            sd.query_devices(kind="output")
        except Exception as exc:
            return VoiceStatus(False, NO_AUDIO_DEVICE, f"sounddevice: {exc}")
        return VoiceStatus(True)


class SilentPlayer:
    """Takes as long as the clip would play but makes no sound: for tests, benchmarks and muted kiosks."""

    name = "silent"

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed  # >1 plays "faster" than real time, for quick tests
        self.played: list[float] = []  # durations of the clips it was given, in seconds
        self.completed: list[bool] = []  # per clip: played to the end (True) or cut short by a cancel (False)

    def play(self, path: Path, cancel: threading.Event) -> bool:
        """Wait for the clip's duration; False if cancelled first."""
        with wave.open(str(path), "rb") as w:
            duration = w.getnframes() / float(w.getframerate())
        self.played.append(duration)
        finished = not cancel.wait(duration / self.speed)
        self.completed.append(finished)
        return finished

    def probe(self) -> VoiceStatus:
        """Always available."""
        return VoiceStatus(True)


def make_player(name: str) -> Player:
    """A player by name: sounddevice, aplay, paplay, play (sox) or silent."""
    if name == "sounddevice":
        return SoundDevicePlayer()
    if name == "silent":
        return SilentPlayer()
    if name in COMMANDS:
        return CommandPlayer(name)
    raise PlayerMissing(f"unknown player {name!r}")


def find_player() -> tuple[Player | None, VoiceStatus]:
    """The first player that can really play here, or None with the last reason it could not."""
    last = VoiceStatus(False, NO_AUDIO_DEVICE, "no player tried")
    for name in ("sounddevice", "paplay", "aplay", "play"):
        player = make_player(name)
        status = player.probe()
        if status.available:
            return player, status
        if status.reason != PLAYER_MISSING or last.detail == "no player tried":
            last = status
    return None, VoiceStatus(False, NO_AUDIO_DEVICE, last.detail)


def silence(path: Path, seconds: float, rate: int = 22050) -> Path:
    """Write a silent mono 16-bit WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(rate * seconds))
    return path
