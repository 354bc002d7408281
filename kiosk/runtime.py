"""The only place that carries out the guide's effects: screen, speech, listening, the helpdesk, the journal.

Runs on the UI thread. Network calls happen on worker threads; their results come back through `post`, which the
Kivy app implements with `Clock.schedule_once`, so the engine is only ever stepped on the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from kiosk.call.line import CallLine
from kiosk.card.reader import CardOutcome, ReaderStatus
from kiosk.card.watch import CardReader, CardWatch, ReaderMonitor
from kiosk.guide import (
    ApplySettings,
    CancelEscalation,
    Effect,
    EndCall,
    Escalate,
    Guide,
    GuideState,
    Listen,
    Record,
    Say,
    ScreenView,
    SendAnswer,
    Show,
    StartCall,
    Wipe,
)
from kiosk.guide import actions as a
from kiosk.guide.card import CardChecked, CardPlaced, CardReaderChanged, CheckCard, ReadCard, StopCard
from kiosk.link.client import Helpdesk
from kiosk.link.courier import Courier
from kiosk.link.help_line import HelpLine
from kiosk.link.journal import Journal
from kiosk.speak_ahead import speak_ahead

log = logging.getLogger(__name__)


class UnknownEffect(RuntimeError):
    """The guide engine emitted an effect the runtime cannot carry out (a programming error)."""

    code = "unknown-effect"


class Display(Protocol):
    """What the runtime needs of the screen."""

    def show(self, view: ScreenView) -> None: ...
    def wipe(self) -> None: ...


VOLUME_LEVELS = {0: 0.5, 1: 0.75, 2: 1.0}
"""The guide's volume levels (小 / 中 / 大) as speaker volumes; 中 is the default every session starts with."""

Post = Callable[[Callable[[], None]], None]
"""Run a function on the UI thread soon (Kivy: Clock.schedule_once)."""


@dataclass
class Timings:
    """When things happened (monotonic seconds), for the benchmark and the maintenance screen."""

    last_show: float = 0.0
    last_say: float = 0.0
    last_touch: float = 0.0
    hooks: list[Callable[[str, float], None]] = field(default_factory=list)

    def mark(self, what: str) -> None:
        """Note the time of a show/say/touch and tell the hooks."""
        now = time.perf_counter()
        setattr(self, f"last_{what}", now)
        for hook in self.hooks:
            hook(what, now)


class KioskRuntime:
    """Steps the guide with actions and carries out the resulting effects."""

    def __init__(
        self,
        guide: Guide,
        display: Display,
        *,
        speaker,
        listener,
        helpdesk: Helpdesk | None,
        journal: Journal,
        post: Post,
        courier: Courier | None = None,
        new_session_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        calls: CallLine | None = None,
        card_reader: CardReader | None = None,
    ):
        self.guide, self.display, self.speaker, self.listener = guide, display, speaker, listener
        self.helpdesk, self.journal, self._post, self._new_session_id = helpdesk, journal, post, new_session_id
        self.state: GuideState = guide.initial()
        self.listening: Listen | None = None
        self.timings = Timings()
        self.help = HelpLine(helpdesk, self._post_action, courier=courier) if helpdesk else None
        self.unreachable_without_helpdesk = helpdesk is None
        self.card_reader = card_reader
        self.card_monitor: ReaderMonitor | None = None
        self._card_watch: CardWatch | None = None
        self.calls = calls
        if self.help is not None and calls is not None:
            self.help.on_call = calls.signal

    def attach_calls(self, calls: CallLine) -> None:
        """Take staff calls through this call line (its signals come in on the help line's long-poll)."""
        self.calls = calls
        if self.help is not None:
            self.help.on_call = calls.signal

    def post_action(self, action: a.Action) -> None:
        """Dispatch `action` on the UI thread soon (from any thread)."""
        self._post_action(action, lambda: True)

    def start(self) -> None:
        """Show the start screen (boot wipes whatever a crashed run left) and watch for a card reader."""
        self.state, effects = self.guide.boot()
        self.carry_out(effects)
        if self.card_reader is not None and self.card_monitor is None:
            self.card_monitor = ReaderMonitor(self.card_reader, self._reader_changed).start()

    def card_reader_status(self) -> ReaderStatus | None:
        """The reader as last seen (None: this kiosk has no card reader support configured)."""
        if self.card_monitor is None:
            return None
        return self.card_monitor.status or ReaderStatus("absent", reason="not checked yet")

    def stop(self) -> None:
        """Stop the worker threads of the card reader (the app calls this on exit)."""
        self._stop_card()
        if self.card_monitor is not None:
            self.card_monitor.stop()

    def dispatch(self, action: a.Action) -> None:
        """One action from a touch, a voice command, the clock or the helpdesk (UI thread only)."""
        if isinstance(action, (a.Begin, CheckCard)) and not action.session_id:
            action = replace(action, session_id=self._new_session_id())
        if action.touch:
            self.timings.mark("touch")
            self._safely(self.speaker.stop)
        self.state, effects = self.guide.step(self.state, action)
        self.carry_out(effects)

    def use_step_thresholds(self, step_seconds: dict[str, float]) -> None:
        """Served p90 times per step replace the text-length defaults of the stuck detector (UI thread only)."""
        settings = self.guide.settings
        stuck = replace(settings.stuck, step_seconds=dict(step_seconds))
        self.guide = Guide(self.guide.procedures, replace(settings, stuck=stuck))

    def tick(self, seconds: float) -> None:
        """Time passed (fed by the Kivy clock)."""
        self.dispatch(a.Tick(seconds))

    def carry_out(self, effects: list[Effect]) -> None:
        """Carry out effects in order; after a new screen, let the speaker prepare the next screens' speech."""
        for effect in effects:
            handler = getattr(self, f"_do_{type(effect).__name__}", None)
            if handler is None:  # a new effect the engine emits but nobody carries out: never drop it silently
                raise UnknownEffect(f"the kiosk runtime has no handler for {type(effect).__name__}")
            handler(effect)
        shown = [e.view for e in effects if isinstance(e, Show)]
        if shown:
            self._safely(lambda: speak_ahead(self.guide, self.state, shown[-1], self.speaker))

    # --- effects -----------------------------------------------------------------------------------------------
    def _do_Show(self, effect: Show) -> None:
        self.display.show(effect.view)
        self.timings.mark("show")

    def _do_Say(self, effect: Say) -> None:
        self.timings.mark("say")
        self._safely(lambda: self.speaker.speak(effect.text, reading=effect.reading, lang=effect.language))

    def _do_Listen(self, effect: Listen) -> None:
        self.listening = effect

    def _do_ApplySettings(self, effect: ApplySettings) -> None:
        self._safely(lambda: self.speaker.set_rate(effect.speech_rate))
        self._safely(lambda: self.speaker.set_volume(VOLUME_LEVELS[effect.volume]))

    def _do_Record(self, effect: Record) -> None:
        self.journal.record(effect)

    def _do_Escalate(self, effect: Escalate) -> None:
        if self.help is None:
            self._post_action(a.HelpdeskUnreachable(), lambda: True)
            return
        self.help.open(effect)

    def _do_SendAnswer(self, effect: SendAnswer) -> None:
        if self.help is not None:
            self.help.answer(effect.answer, effect.question_id)

    def _do_StartCall(self, effect: StartCall) -> None:
        if self.calls is not None:
            self._safely(self.speaker.stop)  # the resident hears the staff member, not the kiosk's voice
            self.calls.start(effect.call_id)

    def _do_EndCall(self, effect: EndCall) -> None:
        if self.calls is not None:
            self.calls.end(effect.call_id, effect.reason)

    def _do_CancelEscalation(self, _effect: CancelEscalation) -> None:
        if self.help is not None:
            self.help.cancel()

    def _do_ReadCard(self, _effect: ReadCard) -> None:
        self._stop_card()
        if self.card_reader is None:
            self._post_action(CardChecked("reader-error"), lambda: True)
            return
        watch: list[CardWatch] = []

        def current() -> bool:
            return bool(watch) and self._card_watch is watch[0] and not watch[0].stopped

        def outcome(found: CardOutcome) -> None:
            self._post_action(card_checked(found), current)

        watch.append(CardWatch(self.card_reader, lambda: self._post_action(CardPlaced(), current), outcome))
        self._card_watch = watch[0].start()

    def _do_StopCard(self, _effect: StopCard) -> None:
        self._stop_card()

    def _stop_card(self) -> None:
        if self._card_watch is not None:
            self._card_watch.stop()
            self._card_watch = None

    def _reader_changed(self, status: ReaderStatus) -> None:
        self._post_action(CardReaderChanged(status.connected), lambda: True)

    def _do_Wipe(self, _effect: Wipe) -> None:
        if self.calls is not None:
            self.calls.close()
        self._stop_card()
        if self.help is not None:
            self.help.close()
        self.listening = None
        self._safely(self.speaker.stop)
        self._safely(self.speaker.reset)
        self._safely(lambda: self.speaker.set_volume(VOLUME_LEVELS[1]))  # every session starts at the default
        self.display.wipe()

    # --- voice in ----------------------------------------------------------------------------------------------
    def voice_input_available(self) -> bool:
        """True when push-to-talk can work (a listener that says it is available)."""
        try:
            return bool(self.listener.status().available)
        except Exception:
            return False

    def listen_once(self) -> None:
        """Push-to-talk: listen off the UI thread and dispatch the understood command's action."""
        listening, language = self.listening, self.state.language
        if listening is None or not self.voice_input_available():
            return
        self._safely(self.speaker.stop)

        def work() -> None:
            heard = self.listener.listen(listening.phrases, lang=language)
            action = listening.actions.get(heard.command or "") or a.VoiceNotUnderstood()
            self._post_action(action, lambda: self.listening is listening)

        self._background(work)

    # --- threads -----------------------------------------------------------------------------------------------
    def _post_action(self, action: a.Action, still_valid: Callable[[], bool]) -> None:
        def run() -> None:
            if still_valid():
                self.dispatch(action)

        self._post(run)

    def _background(self, work: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                work()
            except Exception:  # a failed background call must never take the kiosk down
                log.warning("background call failed", exc_info=True)

        threading.Thread(target=guarded, daemon=True, name="kiosk-worker").start()

    @staticmethod
    def _safely(call: Callable[[], object]) -> None:
        """Speech failures never stop the screen (text is still shown)."""
        try:
            call()
        except Exception as exc:
            log.warning("speech call failed: %s", type(exc).__name__)


def card_checked(found: CardOutcome) -> CardChecked:
    """A reader's outcome as the guide action: counts per PIN and the expiry flag, nothing else of the card."""
    if found.reading is None:
        return CardChecked(found.outcome)
    left = {p.pin: p.left for p in found.reading.pins}
    return CardChecked(
        found.outcome, left.get("auth"), left.get("text"), left.get("sign"), found.reading.certificate_expired
    )
