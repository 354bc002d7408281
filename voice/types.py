"""Small value types and protocols shared by the speech-out and speech-in halves (no heavy imports)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Stable reason codes for VoiceStatus.reason; the kiosk maps them to its own locale strings.
DISABLED = "disabled"
NO_AUDIO_DEVICE = "no-audio-device"
PLAYER_MISSING = "player-missing"
PLAYBACK_FAILED = "playback-failed"
TTS_UNAVAILABLE = "tts-unavailable"
MODEL_MISSING = "model-missing"
MODEL_INVALID = "model-invalid"
RECOGNIZER_UNAVAILABLE = "recognizer-unavailable"
NO_MICROPHONE = "no-microphone"


@dataclass(frozen=True)
class VoiceStatus:
    """Whether an engine can be used now, and if not, a stable reason code plus a detail for logs."""

    available: bool
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Recognition:
    """One listening result; `command` is None when nothing was understood well enough to act on."""

    command: str | None
    confidence: float
    heard: str


NOT_UNDERSTOOD = Recognition(command=None, confidence=0.0, heard="")


class VoiceError(Exception):
    """Base of every voice failure; `code` is stable and safe to log or show as a key."""

    code = "voice-error"


class SynthesisError(VoiceError):
    """The text-to-speech engine failed to produce audio."""

    code = TTS_UNAVAILABLE


class PlaybackError(VoiceError):
    """The audio player failed (no device, player crashed); the message carries its stderr."""

    code = PLAYBACK_FAILED


class ModelError(VoiceError):
    """The speech recognition model is missing or unusable."""

    code = MODEL_MISSING


class AudioInputError(VoiceError):
    """The microphone or WAV input could not be read."""

    code = NO_MICROPHONE


class SpeechFailed(VoiceError):
    """Speaking failed in a way no narrower error names (the message carries the cause)."""

    code = "speech-failed"


class NoVoice(SynthesisError):
    """The engine has no voice for the language."""

    code = "no-voice"


class EmptyText(SynthesisError):
    """There was nothing to say."""

    code = "empty-text"


class EngineLoading(SynthesisError):
    """The engine is still loading (in the background) and did not become ready in time."""

    code = "tts-loading"


class UserDictionaryFailed(SynthesisError):
    """The engine's user dictionary (reading fixes) could not be built."""

    code = "user-dictionary"


class PlayerMissing(PlaybackError):
    """No player of that name, or its program is not installed."""

    code = PLAYER_MISSING


class ModelInvalid(ModelError):
    """The folder is not a usable speech recognition model."""

    code = MODEL_INVALID


class RecognizerUnavailable(ModelError):
    """The speech recognizer (vosk) is not installed."""

    code = RECOGNIZER_UNAVAILABLE


class WavUnreadable(AudioInputError):
    """A WAV input file cannot be read."""

    code = "wav-unreadable"


class WavFormat(AudioInputError):
    """A WAV input file is not 16000 Hz mono 16-bit."""

    code = "wav-format"


SpeechHook = Callable[[str], None]


@runtime_checkable
class Speaker(Protocol):
    """Speech out: one utterance at a time, newest wins, never blocks the caller."""

    def speak(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Start speaking at once in the background, interrupting the current utterance."""

    def stop(self) -> None:
        """Stop now and clear the queue (any touch calls this)."""

    def is_speaking(self) -> bool:
        """True while something is pending or playing."""

    def set_rate(self, level: int) -> None:
        """0 slow, 1 slower than normal (the default), 2 espeak's normal rate."""

    def set_volume(self, volume: float) -> None:
        """Volume 0.0..1.0 for the next utterance."""

    def reset(self) -> None:
        """Session end: stop, clear, rate and volume back to defaults."""

    def status(self) -> VoiceStatus:
        """Whether this engine works here, and if not why."""

    def close(self) -> None:
        """Stop and release the engine."""


@runtime_checkable
class Listener(Protocol):
    """Speech in: listen once (push-to-talk) for one command of a small grammar."""

    def listen(self, grammar: Mapping[str, Sequence[str]], *, lang: str = "ja", timeout_s: float = 5.0) -> Recognition:
        """Listen once for one command of `grammar` (command -> phrases); command None if not understood."""

    def status(self) -> VoiceStatus:
        """Whether this engine works here, and if not why."""
