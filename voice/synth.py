"""Text → WAV with pyttsx3 driving espeak-ng: one utterance per runAndWait(), written to a file we own.

pyttsx3 2.99 traps avoided here: we never call say() (it shells out to aplay and hides failures), we call
save_to_file exactly once per runAndWait(), and we silence its "Audio saved to …" print.
"""

from __future__ import annotations

import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.types import EmptyText, NoVoice, SynthesisError

SAMPLE_RATE = 22050
# Speech rate levels (words per minute): 0 slow, 1 slower than normal (the default), 2 espeak's normal 175.
RATE_LEVELS = (120, 145, 175)
DEFAULT_RATE_LEVEL = 1
DEFAULT_VOLUME = 1.0


class SpeechSettings:
    """Rate level and volume as every Speaker keeps them (validated and clamped the same way)."""

    _rate_level: int = DEFAULT_RATE_LEVEL
    _volume: float = DEFAULT_VOLUME

    def set_rate(self, level: int) -> None:
        """Set the rate level: 0 slow, 1 slower than normal (default), 2 espeak's normal rate."""
        if level not in range(len(RATE_LEVELS)):
            raise ValueError(f"rate level must be 0..{len(RATE_LEVELS) - 1}, not {level}")
        self._rate_level = level

    def set_volume(self, volume: float) -> None:
        """Set the volume for the next utterance, clamped to 0.0..1.0."""
        self._volume = max(0.0, min(1.0, float(volume)))

    def rate(self) -> int:
        """The current rate level."""
        return self._rate_level

    def volume(self) -> float:
        """The current volume."""
        return self._volume

    def reset_settings(self) -> None:
        """Rate and volume back to their defaults."""
        self._rate_level = DEFAULT_RATE_LEVEL
        self._volume = DEFAULT_VOLUME


SETTLE_TIMEOUT_S = 1.0
# pyttsx3.init() hands every caller the same engine (and espeak-ng is initialised once per process).
ENGINE_LOCK = threading.Lock()
# espeak-ng voice ids per language code; anything else is looked up in the engine's voice list.
VOICE_IDS = {"ja": "jpx/ja", "en": "gmw/en-us", "ko": "ko"}


@dataclass(frozen=True)
class VoiceInfo:
    """One installed voice: the id to select it and the languages it speaks."""

    id: str
    name: str
    languages: tuple[str, ...]


def base_language(lang: str) -> str:
    """Language code without region or variant: "ja-x-easy" → "ja"."""
    return lang.replace("_", "-").split("-")[0].lower()


class Synthesizer:
    """Owns the one pyttsx3 engine of the process; call it from one thread at a time."""

    def __init__(self) -> None:
        try:
            import pyttsx3
            import pyttsx3.drivers.espeak as espeak_driver

            # The driver prints "Audio saved to …" to stdout on every file; shadow print in that module only.
            espeak_driver.print = lambda *args, **kwargs: None
            self._engine: Any = pyttsx3.init("espeak")
        except Exception as exc:  # pyttsx3 raises RuntimeError/OSError/ImportError variants
            raise SynthesisError(f"espeak-ng via pyttsx3 is unavailable: {exc}") from exc
        self._lock = ENGINE_LOCK
        self._voice_for: dict[str, str] = {}

    def voices(self) -> list[VoiceInfo]:
        """Installed voices with their languages (for `yorisoi voice check`)."""
        return [VoiceInfo(id=v.id, name=v.name, languages=tuple(v.languages or ())) for v in self._voice_list()]

    def voice_id(self, lang: str) -> str:
        """The espeak-ng voice id for a language code; SynthesisError if none speaks it."""
        base = base_language(lang)
        if base not in self._voice_for:
            wanted = VOICE_IDS.get(base)
            ids = {v.id for v in self._voice_list()}
            if wanted not in ids:
                wanted = next((v.id for v in self._voice_list() if base in (v.languages or ())), None)
            if wanted is None:
                raise NoVoice(f"no espeak-ng voice for language {lang!r}")
            self._voice_for[base] = wanted
        return self._voice_for[base]

    def synthesize(
        self, text: str, path: Path, *, lang: str = "ja", rate_level: int = 1, volume: float = 1.0, pace: float = 1.0
    ) -> Path:
        """Write `text` (already kana for Japanese) as a 22050 Hz mono 16-bit WAV at `path`; pace < 1 is slower."""
        if not text.strip():
            raise EmptyText("nothing to say")
        with self._lock:
            try:
                # Order matters: with espeak-ng 1.51, a rate set before the volume was sometimes ignored.
                self._engine.setProperty("voice", self.voice_id(lang))
                self._engine.setProperty("volume", max(0.0, min(1.0, volume)))
                self._engine.setProperty("rate", round(RATE_LEVELS[rate_level] * pace))
                for _attempt in range(2):
                    self._settle()
                    path.unlink(missing_ok=True)
                    self._engine.save_to_file(text, str(path))
                    self._engine.runAndWait()
                    if path.exists() and path.stat().st_size > 44:
                        return path
            except SynthesisError:
                raise
            except Exception as exc:
                raise SynthesisError(f"espeak-ng failed: {exc}") from exc
        raise SynthesisError(f"espeak-ng produced no audio for {len(text)} characters")

    def _settle(self) -> None:
        """Wait for espeak-ng's callback thread to finish the previous utterance.

        pyttsx3 2.99's runAndWait() calls stop(), which flags a cancel when espeak-ng still reports "playing";
        the stale flag then cancels the next utterance before it is written (seen as an empty WAV).
        """
        driver = getattr(getattr(self._engine, "proxy", None), "_driver", None)
        if driver is None or not hasattr(driver, "_stopping"):
            return
        from pyttsx3.drivers import _espeak

        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.001)
        driver._stopping = False

    def _voice_list(self) -> list[Any]:
        return list(self._engine.getProperty("voices"))


def wav_duration(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())
