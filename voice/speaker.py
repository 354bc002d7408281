"""The Speaker: a background thread that turns the newest request into a WAV (through the engine chosen for its
language, see `voice.chooser`) and sound.

One slot, newest wins: speak() replaces whatever is pending and interrupts what is playing; stop() clears
everything at once. prepare() renders screens the resident may see next while the speaker is idle, so their speech
starts at once. Hearing the same words again (もういちど) plays them slightly slower. Failures never reach the
caller; they show in status() (the kiosk keeps its text).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.clips import ClipCache, ClipKey
from voice.espeak import EspeakEngine
from voice.null import NullSpeaker
from voice.players import Player, find_player, make_player
from voice.synth import SpeechSettings
from voice.types import (
    DISABLED,
    NO_AUDIO_DEVICE,
    TTS_UNAVAILABLE,
    PlaybackError,
    SpeechFailed,
    SpeechHook,
    SynthesisError,
    VoiceError,
    VoiceStatus,
)

log = logging.getLogger(__name__)

AGAIN_PACE = 0.9  # the same words again are spoken 10% slower: the resident did not catch them the first time
MAX_AHEAD = 6


@dataclass(frozen=True)
class Utterance:
    """One request to speak, stamped with the generation it belongs to."""

    text: str
    reading: str | None
    lang: str
    generation: int
    pace: float = 1.0


class QueuedSpeaker(SpeechSettings):
    """Speaker backed by speech engines and a Player; speak() returns at once.

    `synthesizer` is a `voice.chooser.Voices` (or any engine with `render`), or an espeak-ng Synthesizer that
    `reader` gives kana.
    """

    def __init__(
        self,
        synthesizer: Any,
        player: Player,
        *,
        reader: Callable[[str], str] | None = None,
        on_started: SpeechHook | None = None,
        on_error: Callable[[VoiceError], None] | None = None,
    ) -> None:
        self._engine = synthesizer if hasattr(synthesizer, "render") else EspeakEngine(synthesizer, reader)
        self._player = player
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
        self._clips = ClipCache(self._workdir)
        self._ahead: deque[ClipKey] = deque(maxlen=MAX_AHEAD)
        self._last_heard: tuple[str, str | None, str] | None = None
        self._preparing = False
        self._thread = threading.Thread(target=self._run, name="yorisoi-speaker", daemon=True)
        self._thread.start()
        # Preparing runs beside speaking (the engines release the GIL while rendering), so a prepared screen's
        # speech starts at once even while the next one is still being rendered.
        self._ahead_thread = threading.Thread(target=self._run_ahead, name="yorisoi-speech-ahead", daemon=True)
        self._ahead_thread.start()

    def speak(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Queue `text` (spoken as `reading` when given), interrupting the current utterance."""
        with self._cond:
            if self._closed:
                return
            self._generation += 1
            again = self._last_heard == (text, reading, lang)
            self._last_heard = (text, reading, lang)
            self._pending = Utterance(text, reading, lang, self._generation, AGAIN_PACE if again else 1.0)
            self._cancel.set()
            self._cond.notify_all()

    def prepare(self, text: str, *, reading: str | None = None, lang: str = "ja") -> None:
        """Render this utterance while idle, so speaking it later starts at once (screens one touch away)."""
        key = ClipKey(text, reading, lang, self._rate_level, self._volume, 1.0)
        with self._cond:
            if self._closed or key in self._ahead:
                return
            self._ahead.append(key)
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
        with self._cond:
            self._last_heard = None
            self._ahead.clear()
        self.stop()
        self._clips.clear()  # nothing of the session stays on disk (a staff message may be among the clips)
        self.reset_settings()

    def status(self) -> VoiceStatus:
        """Available unless the last synthesis or playback failed."""
        return self._status

    def voices(self) -> dict[str, Any]:
        """Which engine speaks each language and why, plus the attributions owed (for `voice check`, maintenance)."""
        report = getattr(self._engine, "report", None)
        credits = getattr(self._engine, "credits", None)
        return {"languages": report() if report else {}, "credits": credits() if credits else []}

    def wait_ready(self, timeout_s: float = 30.0) -> bool:
        """Block until engines loading in the background are ready (for benchmarks and the CLI)."""
        wait = getattr(self._engine, "wait_ready", None)
        return True if wait is None else bool(wait(timeout_s))

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until nothing is pending, playing or being prepared (tests, CLI, benchmarks); False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._pending is None and not self._busy and not self._ahead and not self._preparing, timeout_s
            )

    def close(self) -> None:
        """Stop, end the worker thread and remove temporary audio."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._generation += 1
            self._cancel.set()
            self._cond.notify_all()
        self._thread.join(timeout=5.0)
        self._ahead_thread.join(timeout=5.0)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                utterance, self._pending = self._pending, None
                if utterance is None:
                    continue
                self._cancel = threading.Event()  # a fresh one per utterance: set only by newer requests
                self._busy = True
            try:
                self._say(utterance)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _run_ahead(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._ahead or self._closed)
                if self._closed:
                    return
                key = self._ahead.popleft()
                self._preparing = True
            try:
                self._render_ahead(key)
            finally:
                with self._cond:
                    self._preparing = False
                    self._cond.notify_all()

    def _say(self, utterance: Utterance) -> None:
        try:
            key = ClipKey(utterance.text, utterance.reading, utterance.lang, self._rate_level, self._volume,
                          utterance.pace)  # fmt: skip
            path = self._clip(key)
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
            self._fail(SpeechFailed(f"{type(exc).__name__}: {exc}"))

    def _clip(self, key: ClipKey) -> Path:
        def render(path: Path) -> object:
            return self._engine.render(key.text, key.reading, path, lang=key.lang, rate_level=key.rate_level,
                                       volume=key.volume, pace=key.pace)  # fmt: skip

        return self._clips.clip(key, render)

    def _render_ahead(self, key: ClipKey) -> None:
        try:
            self._clip(key)
        except Exception as exc:  # the real speak() will report it; preparing ahead is only a head start
            log.debug("preparing speech ahead failed: %s", exc)

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
    openjtalk_module: str = "pyopenjtalk",
) -> QueuedSpeaker | NullSpeaker:
    """The real speaker when TTS and an audio player work here, else a NullSpeaker saying why; never raises.

    `player` is "sounddevice", "aplay", "paplay", "play", "silent", a Player, or None to find one that works.
    `overrides` maps words to content-given readings. Open JTalk loads in the background (see `voice.chooser`).
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
        from voice.chooser import build_voices

        voices = build_voices(overrides, openjtalk_module=openjtalk_module)
    except Exception as exc:  # an engine's import broke in an unexpected way: text only, with the reason
        return NullSpeaker(TTS_UNAVAILABLE, f"speech engines unavailable: {type(exc).__name__}: {exc}")
    if all(choice.engine is None for choice in voices.choices.values()):
        return NullSpeaker(TTS_UNAVAILABLE, voices.choice("ja").reason)
    return QueuedSpeaker(voices, chosen, on_started=on_started, on_error=on_error)


def _named_player(name: str | Player) -> tuple[Player | None, VoiceStatus]:
    player = make_player(name) if isinstance(name, str) else name
    status = player.probe()
    return (player if status.available else None), status
