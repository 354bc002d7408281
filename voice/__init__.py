"""Speech out (Open JTalk for Japanese, espeak-ng via pyttsx3 for English and as the fallback, see `voice.chooser`)
and speech in (vosk) behind two small protocols.

Import-light: pyopenjtalk, pyttsx3, fugashi, vosk and sounddevice are imported only when an engine is created.

    speaker = voice.create_speaker(on_started=hook)      # NullSpeaker (status says why) when it cannot speak
    speaker.speak("次へ進みます")                          # returns at once; a newer speak() interrupts
    speaker.stop(); speaker.reset(); speaker.close()      # touch / session end / shutdown
    listener = voice.create_listener(model_path=folder)  # NullListener without microphone or model
    result = listener.listen({"next": ["つぎ"], "yes": ["はい"]})   # push-to-talk only
    if result.command is not None: ...                    # None = not understood: ask again, never guess
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voice.null import NullListener, NullSpeaker
from voice.types import (
    AudioInputError,
    Listener,
    ModelError,
    PlaybackError,
    Recognition,
    Speaker,
    SynthesisError,
    VoiceError,
    VoiceStatus,
)

if TYPE_CHECKING:
    from voice.listener import create_listener
    from voice.speaker import create_speaker

__all__ = [
    "AudioInputError",
    "Listener",
    "ModelError",
    "NullListener",
    "NullSpeaker",
    "PlaybackError",
    "Recognition",
    "Speaker",
    "SynthesisError",
    "VoiceError",
    "VoiceStatus",
    "create_listener",
    "create_speaker",
]


def __getattr__(name: str) -> Any:
    """Load the factories on first use so `import voice` stays cheap."""
    if name == "create_speaker":
        from voice.speaker import create_speaker

        return create_speaker
    if name == "create_listener":
        from voice.listener import create_listener

        return create_listener
    raise AttributeError(f"module 'voice' has no attribute {name!r}")
