"""The Speaker: a background thread that turns the newest request into kana, a WAV and sound.

One slot, newest wins: speak() replaces whatever is pending and interrupts what is playing; stop() clears
everything at once. Failures never reach the caller; they show in status() (the kiosk keeps its text).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from voice.null import NullSpeaker
from voice.players import Player, find_player, make_player
from voice.synth import SpeechSettings, Synthesizer, base_language
from voice.types import (
    DISABLED,
    NO_AUDIO_DEVICE,
    TTS_UNAVAILABLE,
    PlaybackError,
    SpeechHook,
    SynthesisError,
    VoiceError,
    VoiceStatus,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Utterance:
    """One request to speak, stamped with the generation it belongs to."""

    text: str
    reading: str | None
    lang: str
    generation: int


class QueuedSpeaker(SpeechSettings):
    """Speaker backed by pyttsx3/espeak-ng and a Player; speak() returns at once."""

    def __init__(
        self,
        synthesizer: Synthesizer,
        player: Player,
        *,
        reader: Callable[[str], str] | None = None,
        on_started: SpeechHook | None = None,
        on_error: Callable[[VoiceError], None] | None = None,
    ) -> None:
        self._synth = synthesizer
        self._player = player
        self._reader = reader
        self._on_started = on_started
        self._on_error = on_error
        self._cond = threading.Condition()
        self._pending: Utterance | None = None
        self._busy = False
        self._cancel = threading.Event()
        self._generation = 0
        self._closed = False
        self._status = VoiceStatus(True)
        self._workdir = Path(tempfile.mkdtemp(prefix="yorisoi-speech-"))
        self._thread = threading.Thread(target=self._run, name="yorisoi-speaker", daemon=True)
        self._thread.start()

    def speak(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Queue `text` (spoken as `reading` when given), interrupting the current utterance."""
        with self._cond:
            if self._closed:
                return
            self._generation += 1
            self._pending = Utterance(text, reading, lang, self._generation)
            self._cancel.set()
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop speaking now and drop anything pending."""
        with self._cond:
            self._generation += 1
            self._pending = None
            self._cancel.set()

    def is_speaking(self) -> bool:
        """True while an utterance is pending, being synthesized or playing."""
        with self._cond:
            return self._pending is not None or self._busy

    def reset(self) -> None:
        """Session end: stop, clear, and return rate and volume to their defaults."""
        self.stop()
        self.reset_settings()

    def status(self) -> VoiceStatus:
        """Available unless the last synthesis or playback failed."""
        return self._status

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until nothing is pending or playing (for tests and the CLI); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout_s)

    def close(self) -> None:
        """Stop, end the worker thread and remove temporary audio."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._generation += 1
            self._cancel.set()
            self._cond.notify_all()
        self._thread.join(timeout=5.0)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                utterance, self._pending = self._pending, None
                self._cancel = threading.Event()  # a fresh one per utterance: set only by newer requests
                self._busy = True
            try:
                self._say(utterance)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _say(self, utterance: Utterance) -> None:
        path = self._workdir / f"utterance-{utterance.generation}.wav"
        try:
            spoken = self._spoken_form(utterance)
            self._synth.synthesize(spoken, path, lang=utterance.lang, rate_level=self._rate_level, volume=self._volume)
            with self._cond:
                cancel = self._cancel
                if utterance.generation != self._generation or self._closed:
                    return  # superseded while synthesizing
            if self._on_started is not None:
                self._on_started(utterance.text)
            self._player.play(path, cancel)
            self._status = VoiceStatus(True)
        except (SynthesisError, PlaybackError) as exc:
            self._fail(exc)
        except Exception as exc:  # a reader or hook bug must not kill the speech thread
            self._fail(VoiceError(f"{type(exc).__name__}: {exc}", code="speech-failed"))
        finally:
            with contextlib.suppress(OSError):
                path.unlink()

    def _spoken_form(self, utterance: Utterance) -> str:
        if utterance.reading:
            return utterance.reading
        if base_language(utterance.lang) == "ja" and self._reader is not None:
            return self._reader(utterance.text)
        return utterance.text

    def _fail(self, exc: VoiceError) -> None:
        log.warning("speech failed (%s): %s", exc.code, exc)
        self._status = VoiceStatus(False, exc.code, str(exc))
        if self._on_error is not None:
            self._on_error(exc)


def create_speaker(
    *,
    enabled: bool = True,
    player: str | Player | None = None,
    on_started: SpeechHook | None = None,
    on_error: Callable[[VoiceError], None] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> QueuedSpeaker | NullSpeaker:
    """The real speaker when TTS and an audio player work here, else a NullSpeaker saying why; never raises.

    `player` is "sounddevice", "aplay", "paplay", "play", "silent", a Player, or None to find one that works.
    `overrides` maps words to content-given readings.
    """
    if not enabled:
        return NullSpeaker(DISABLED, "speech output is switched off")
    try:
        chosen, found = find_player() if player is None else _named_player(player)
    except VoiceError as exc:
        return NullSpeaker(exc.code, str(exc))
    if chosen is None:
        return NullSpeaker(found.reason or NO_AUDIO_DEVICE, found.detail)
    try:
        synthesizer = Synthesizer()
        from voice.reading import KanaReader

        reader = KanaReader(overrides)
    except SynthesisError as exc:
        return NullSpeaker(exc.code, str(exc))
    except Exception as exc:  # fugashi/unidic missing or broken: Japanese would be read as "Chinese letter"
        return NullSpeaker(TTS_UNAVAILABLE, f"kana reading unavailable: {exc}")
    return QueuedSpeaker(synthesizer, chosen, reader=reader.read, on_started=on_started, on_error=on_error)


def _named_player(name: str | Player) -> tuple[Player | None, VoiceStatus]:
    player = make_player(name) if isinstance(name, str) else name
    status = player.probe()
    return (player if status.available else None), status
