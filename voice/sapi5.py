"""Windows SAPI5 voices through pyttsx3: they read kanji themselves, so the text goes in as written (no kana).

Used only on Windows (`sys.platform == "win32"`) when a SAPI5 voice speaks the language (Haruka, Ayumi, Zira...).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from voice.synth import RATE_LEVELS, base_language
from voice.types import NoVoice, SynthesisError

NAME = "sapi5"
# SAPI5's normal pace is ~200 words per minute; keep espeak-ng's proportions.
SAPI_RATES = tuple(round(200 * wpm / RATE_LEVELS[-1]) for wpm in RATE_LEVELS)
LANGUAGE_IDS = {"ja": ("ja", "411", "japanese"), "en": ("en", "409", "english")}


class Sapi5Engine:
    """The process's pyttsx3 SAPI5 engine; one utterance per runAndWait(), written to a WAV we own."""

    name = NAME

    def __init__(self) -> None:
        try:
            import pyttsx3

            self._engine: Any = pyttsx3.init("sapi5")
        except Exception as exc:
            raise SynthesisError(f"SAPI5 via pyttsx3 is unavailable: {exc}") from exc
        self._lock = threading.Lock()

    def languages(self) -> set[str]:
        """Base language codes some installed SAPI5 voice speaks."""
        return {lang for lang in LANGUAGE_IDS if self._voice_for(lang) is not None}

    def render(
        self, text: str, reading: str | None, path: Path, *, lang: str, rate_level: int, volume: float, pace: float
    ) -> Path:
        """Write the utterance (content's reading if given, else the written text) as a WAV."""
        voice = self._voice_for(lang)
        if voice is None:
            raise NoVoice(f"no SAPI5 voice for language {lang!r}")
        with self._lock:
            try:
                self._engine.setProperty("voice", voice)
                self._engine.setProperty("volume", max(0.0, min(1.0, volume)))
                self._engine.setProperty("rate", round(SAPI_RATES[rate_level] * pace))
                self._engine.save_to_file(reading or text, str(path))
                self._engine.runAndWait()
            except Exception as exc:
                raise SynthesisError(f"SAPI5 failed: {exc}") from exc
        if not path.exists() or path.stat().st_size <= 44:
            raise SynthesisError("SAPI5 produced no audio")
        return path

    def _voice_for(self, lang: str) -> str | None:
        keys = LANGUAGE_IDS.get(base_language(lang), (base_language(lang),))
        for v in self._engine.getProperty("voices"):
            described = " ".join([v.id, v.name or "", *map(str, v.languages or ())]).lower()
            if any(key in described for key in keys):
                return v.id
        return None
