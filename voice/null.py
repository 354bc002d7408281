"""Stand-ins used when speech is off or impossible: same interface, nothing happens, status says why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from voice.synth import DEFAULT_RATE_LEVEL, DEFAULT_VOLUME, RATE_LEVELS
from voice.types import NOT_UNDERSTOOD, Recognition, VoiceStatus


class NullSpeaker:
    """A Speaker that says nothing; the kiosk shows text only."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self._status = VoiceStatus(False, reason, detail)
        self._rate_level = DEFAULT_RATE_LEVEL
        self._volume = DEFAULT_VOLUME

    def speak(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Do nothing."""

    def stop(self) -> None:
        """Do nothing."""

    def is_speaking(self) -> bool:
        """Never speaking."""
        return False

    def set_rate(self, level: int) -> None:
        """Remember the level (validated like the real speaker)."""
        if level not in range(len(RATE_LEVELS)):
            raise ValueError(f"rate level must be 0..{len(RATE_LEVELS) - 1}, not {level}")
        self._rate_level = level

    def set_volume(self, volume: float) -> None:
        """Remember the volume, clamped to 0.0..1.0."""
        self._volume = max(0.0, min(1.0, float(volume)))

    def rate(self) -> int:
        """The current rate level."""
        return self._rate_level

    def volume(self) -> float:
        """The current volume."""
        return self._volume

    def reset(self) -> None:
        """Back to default rate and volume."""
        self._rate_level = DEFAULT_RATE_LEVEL
        self._volume = DEFAULT_VOLUME

    def status(self) -> VoiceStatus:
        """Unavailable, with the reason given at construction."""
        return self._status

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Always idle."""
        return True

    def close(self) -> None:
        """Do nothing."""


class NullListener:
    """A Listener that never understands anything; voice input is unavailable for `reason`."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self._status = VoiceStatus(False, reason, detail)

    def listen(self, grammar: Mapping[str, Sequence[str]], *, lang: str = "ja", timeout_s: float = 5.0) -> Recognition:
        """Return "not understood" at once."""
        return NOT_UNDERSTOOD

    def status(self) -> VoiceStatus:
        """Unavailable, with the reason given at construction."""
        return self._status
