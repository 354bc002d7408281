"""Which engine speaks each language, and why; and `Voices`, which sends each utterance to its engine.

Japanese (ja, ja-easy): Open JTalk whenever it is installed (pitch accent), else a Windows SAPI5 Japanese voice,
else espeak-ng reading kana (flat). English: espeak-ng, else a Windows SAPI5 voice. When the chosen engine fails
on an utterance, espeak-ng says it instead, so a broken engine costs quality, never the voice.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voice import espeak, openjtalk, sapi5
from voice.synth import base_language
from voice.types import NoVoice, SynthesisError

log = logging.getLogger(__name__)

LANGUAGES = ("ja", "ja-easy", "en")


class SpeechEngine(Protocol):
    """One text-to-speech engine: renders an utterance (written text + optional reading) to a WAV file."""

    name: str

    def render(
        self, text: str, reading: str | None, path: Path, *, lang: str, rate_level: int, volume: float, pace: float
    ) -> Path:
        """Write the utterance as a mono 16-bit WAV at `path`; SynthesisError on failure."""


@dataclass(frozen=True)
class Choice:
    """The engine that speaks `lang` (None: nothing can) and a sentence saying why."""

    lang: str
    engine: str | None
    reason: str


def choose(lang: str, speaks: Mapping[str, set[str]], problems: Mapping[str, str], *, windows: bool) -> Choice:
    """Pick the engine for `lang` from what each engine speaks here; `problems` says why an engine is missing."""
    base = base_language(lang)
    can = {name for name, langs in speaks.items() if base in langs and (name != sapi5.NAME or windows)}
    jtalk_missing = problems.get(openjtalk.NAME, "not installed")
    if base == "ja" and openjtalk.NAME in can:
        return Choice(lang, openjtalk.NAME, "Open JTalk is installed: Japanese with pitch accent (Mei voice)")
    if base == "ja" and sapi5.NAME in can:
        return Choice(lang, sapi5.NAME, f"Open JTalk {jtalk_missing}; a Windows SAPI5 Japanese voice reads the text")
    if base == "ja" and espeak.NAME in can:
        return Choice(lang, espeak.NAME, f"Open JTalk {jtalk_missing}; espeak-ng reads kana (flat, no pitch accent)")
    if espeak.NAME in can:
        return Choice(lang, espeak.NAME, f"espeak-ng speaks {base}")
    if sapi5.NAME in can:
        why = problems.get(espeak.NAME, "has no voice for it")
        return Choice(lang, sapi5.NAME, f"espeak-ng {why}; a Windows SAPI5 voice speaks {base}")
    reasons = "; ".join(f"{name}: {why}" for name, why in problems.items()) or "no engine installed"
    return Choice(lang, None, f"no engine speaks {base} ({reasons})")


class Voices:
    """Routes each utterance to the engine chosen for its language, with espeak-ng as the fallback."""

    def __init__(self, engines: Mapping[str, SpeechEngine], choices: Mapping[str, Choice]) -> None:
        self.engines = dict(engines)
        self.choices = dict(choices)
        self.fallbacks: dict[str, str] = {}  # language → why the fallback spoke last time

    def choice(self, lang: str) -> Choice:
        """The choice for `lang`, or for its base language; other languages go to espeak-ng when it is here."""
        found = self.choices.get(lang) or self.choices.get(base_language(lang))
        if found is not None:
            return found
        if espeak.NAME in self.engines:
            return Choice(lang, espeak.NAME, f"espeak-ng speaks the languages the kiosk does not offer ({lang})")
        return Choice(lang, None, f"no engine was chosen for {lang}")

    def render(
        self, text: str, reading: str | None, path: Path, *, lang: str, rate_level: int, volume: float, pace: float
    ) -> Path:
        """Render with the chosen engine; if it fails, with espeak-ng (SynthesisError only when both fail)."""
        choice = self.choice(lang)
        if choice.engine is None:
            raise NoVoice(choice.reason)
        try:
            return self.engines[choice.engine].render(
                text, reading, path, lang=lang, rate_level=rate_level, volume=volume, pace=pace
            )
        except Exception as exc:
            fallback = self.engines.get(espeak.NAME)
            code = getattr(exc, "code", type(exc).__name__)
            if fallback is None or choice.engine == espeak.NAME or code == "empty-text":
                raise
            why = f"{choice.engine} failed ({code}: {exc}); espeak-ng spoke instead"
            if self.fallbacks.get(lang) != why:  # once per cause, not on every screen
                log.warning("speech: %s", why)
            self.fallbacks[lang] = why
            return fallback.render(text, reading, path, lang=lang, rate_level=rate_level, volume=volume, pace=pace)

    def wait_ready(self, timeout_s: float = openjtalk.LOAD_TIMEOUT_S) -> bool:
        """Block until engines that load in the background are loaded (or failed); False on timeout."""
        for engine in self.engines.values():
            wait = getattr(engine, "wait_ready", None)
            if wait is not None:
                try:
                    if not wait(timeout_s):
                        return False
                except SynthesisError:
                    pass  # loaded and failed: the fallback speaks
        return True

    def report(self) -> dict[str, dict[str, str | None]]:
        """Per language: the engine, why it was chosen, and the last fallback if one happened."""
        return {
            lang: {"engine": c.engine, "reason": c.reason, "fallback": self.fallbacks.get(lang)}
            for lang, c in self.choices.items()
        }

    def credits(self) -> list[str]:
        """Attributions owed for the voices in use (Mei is CC BY 3.0)."""
        used = {c.engine for c in self.choices.values()}
        return [openjtalk.ATTRIBUTION] if openjtalk.NAME in used else []


def build_voices(
    overrides: Mapping[str, str] | None = None,
    *,
    windows: bool | None = None,
    openjtalk_module: str = openjtalk.MODULE,
    languages: tuple[str, ...] = LANGUAGES,
) -> Voices:
    """Find the engines that work here, choose one per language, and start loading Open JTalk in the background."""
    windows = sys.platform == "win32" if windows is None else windows
    engines: dict[str, SpeechEngine] = {}
    speaks: dict[str, set[str]] = {}
    problems: dict[str, str] = {}
    _add_espeak(engines, speaks, problems, overrides)
    if openjtalk.installed(openjtalk_module):
        jtalk = openjtalk.OpenJTalkSynthesizer(overrides, module=openjtalk_module)
        jtalk.start_loading()
        engines[openjtalk.NAME], speaks[openjtalk.NAME] = jtalk, {"ja"}
    else:
        problems[openjtalk.NAME] = "is not installed (pip install pyopenjtalk-plus)"
    if windows:
        try:
            engine = sapi5.Sapi5Engine()
            engines[sapi5.NAME], speaks[sapi5.NAME] = engine, engine.languages()
        except SynthesisError as exc:
            problems[sapi5.NAME] = str(exc)
    choices = {lang: choose(lang, speaks, problems, windows=windows) for lang in languages}
    return Voices({name: engines[name] for name in {c.engine for c in choices.values()} | {espeak.NAME}
                   if name in engines}, choices)  # fmt: skip


def _add_espeak(engines: dict, speaks: dict, problems: dict, overrides: Mapping[str, str] | None) -> None:
    from voice.synth import Synthesizer

    try:
        synthesizer = Synthesizer()
    except SynthesisError as exc:
        problems[espeak.NAME] = f"is unavailable ({exc})"
        return
    langs = {"en"}
    reader = None
    try:
        from voice.reading import KanaReader

        reader = KanaReader(overrides).read
        langs.add("ja")
    except Exception as exc:  # fugashi/unidic missing: espeak-ng would read kanji as "Chinese letter"
        problems[espeak.NAME] = f"cannot read Japanese as kana ({type(exc).__name__}: {exc})"
    engines[espeak.NAME], speaks[espeak.NAME] = espeak.EspeakEngine(synthesizer, reader), langs
