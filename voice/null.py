"""Stand-ins used when speech is off or impossible: same interface, nothing happens, status says why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from voice.synth import SpeechSettings
from voice.types import NOT_UNDERSTOOD, Recognition, VoiceStatus


class NullSpeaker(SpeechSettings):
    """A Speaker that says nothing; the kiosk shows text only."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self._status = VoiceStatus(False, reason, detail)

    def speak(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Do nothing."""

    def prepare(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Do nothing."""

    def stop(self) -> None:
        """Do nothing."""

    def is_speaking(self) -> bool:
        """Never speaking."""
        return False

    def reset(self) -> None:
        """Back to default rate and volume."""
        self.reset_settings()

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
