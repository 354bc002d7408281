"""espeak-ng as a speech engine: the fallback for Japanese (read as kana, flat pitch) and the English voice.

espeak-ng reads every kanji as "Chinese letter", so Japanese goes through the kana reader first; content's own
reading, when given, is spoken as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voice.synth import Synthesizer, base_language

NAME = "espeak-ng"


class EspeakEngine:
    """pyttsx3 driving espeak-ng, with Japanese turned into kana by `reader`."""

    name = NAME

    def __init__(self, synthesizer: Synthesizer, reader: Callable[[str], str] | None = None) -> None:
        self.synthesizer = synthesizer
        self._reader = reader

    def render(
        self, text: str, reading: str | None, path: Path, *, lang: str, rate_level: int, volume: float, pace: float
    ) -> Path:
        """Write the utterance as a WAV: the reading if given, kana for Japanese, else the text as written."""
        spoken = self.spoken_form(text, reading, lang)
        return self.synthesizer.synthesize(spoken, path, lang=lang, rate_level=rate_level, volume=volume, pace=pace)

    def spoken_form(self, text: str, reading: str | None, lang: str) -> str:
        """What espeak-ng is given for this utterance."""
        if reading:
            return reading
        if base_language(lang) == "ja" and self._reader is not None:
            return self._reader(text)
        return text
