"""The guide engine: `Guide.step(state, action) -> (state, effects)`. Pure: no Kivy, no I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from content.schema import Procedure, Step
from kiosk.guide import actions as a
from kiosk.guide import call, patience, stuck, talk
from kiosk.guide.card_flow import CardFlow
from kiosk.guide.effects import (
    ApplySettings,
    CancelEscalation,
    Effect,
    Escalate,
    Listen,
    PathEntry,
    Record,
    Say,
    ScreenView,
    Show,
    Wipe,
)
from kiosk.guide.state import Escalation, GuideSettings, GuideState, Place
from kiosk.guide.views import Views
from yorisoi.vocabulary import HELP_REASONS, TEXT_SIZES

Result = tuple[GuideState, list[Effect]]


class Guide:
    """The procedures and settings a kiosk runs with; `step` moves a state by one action."""

    def __init__(self, procedures: Mapping[str, Procedure], settings: GuideSettings | None = None):
        self.settings = settings or GuideSettings()
        self.procedures = dict(procedures)
        self.steps: dict[str, dict[str, Step]] = {pid: {s.id: s for s in p.steps} for pid, p in procedures.items()}
        self.views = Views(self.procedures, self.steps, self.settings)
        self._handlers: dict[type, Callable[[GuideState, a.Action], Result]] = {
            a.Begin: self._begin,
            a.ShowPage: self._page,
            a.StartProcedure: self._start_procedure,
            a.MissingNeeds: self._missing,
            a.Next: self._next,
            a.Back: self._back,
            a.Choose: self._choose,
            a.Repeat: self._repeat,
            a.AskHelp: self._ask_help,
            a.ReturnToProcedure: self._return,
            a.EscalationUpdate: self._update,
            a.HelpdeskUnreachable: self._unreachable,
            a.StaffMessageArrived: self._staff_message,
            a.Tick: self._tick,
            a.ExtendTime: self._extend,
            a.SetLanguage: self._language,
            a.SetTextSize: self._size,
            a.CycleTextSize: self._cycle_size,
            a.SetSpeechRate: self._rate,
            a.VoiceNotUnderstood: self._not_understood,
            a.GoHome: self._home,
            a.EndSession: self._end,
            a.DeclineHelp: self._decline,
            a.OpenVoiceSettings: self._open_voice,
            a.CycleSpeechRate: self._cycle_rate,
            a.SetVolume: self._volume,
            a.CycleVolume: self._cycle_volume,
            a.Answer: lambda state, action: talk.answer(self, state, action),
            a.PointAt: lambda state, action: talk.point(self, state, action),
            a.CallOffered: lambda state, action: call.offered(self, state, action),
            a.AcceptCall: lambda state, action: call.accept(self, state, action),
            a.DeclineCall: lambda state, action: call.decline(self, state, action),
            a.HangUp: lambda state, action: call.hang_up(self, state, action),
            a.CallConnected: lambda state, action: call.connected(self, state, action),
            a.CallEnded: lambda state, action: call.ended(self, state, action),
        }
        self.cards = CardFlow(self)
        self._handlers.update(self.cards.handlers())

    def initial(self) -> GuideState:
        """The start screen with nobody at the kiosk."""
        return GuideState(language=self.settings.default_language)

    def boot(self) -> Result:
        """State and effects when the kiosk starts (or restarts after a crash): the start screen, wiped."""
        state = self.initial()
        return state, [Wipe("restart"), *self._present(state, speak=False)]

    def step(self, state: GuideState, action: a.Action) -> Result:
        """Apply one action; unknown or out-of-place actions leave the state as it is."""
        handler = self._handlers.get(type(action))
        if handler is None:
            return state, []
        old = state
        if action.touch and state.in_session:
            state = replace(state, idle_s=0.0, warning_left_s=None, checked_in=False)
        state, effects = handler(state, action)
        state, effects = self.cards.follow(old, state, effects)
        if not state.in_session:
            return state, effects
        state, effects = talk.after_step(self, old, state, action, effects)
        state = stuck.track(old, state, action)
        step = self._current_step(state)
        floor = patience.patience_s(step, self.settings) or 0.0  # away on a phone is not being stuck
        signal = stuck.detect(state, step, self.settings.stuck, floor)
        if signal is None:
            return state, effects
        state, offered = self._offer(state, signal)
        return state, [*effects, *offered]

    # --- rendering ---------------------------------------------------------------------------------------------
    def view(self, state: GuideState) -> ScreenView:
        """The complete screen for a state."""
        return self.views.render(state)

    def _present(self, state: GuideState, *, speak: bool = True, listen: bool = True) -> list[Effect]:
        view = self.views.render(state)
        effects: list[Effect] = [Show(view)]
        if speak:
            text, reading = self.views.speech(state)
            effects.append(Say(text, state.language, reading))
        if listen and state.in_session:
            phrases, actions = self.views.commands(state, view)
            effects.append(Listen(phrases, actions))
        return effects

    def _record(self, state: GuideState, action: str, **fields: Any) -> Record:
        place = state.last_step() or state.place
        fields.setdefault("procedure_id", place.procedure_id)
        fields.setdefault("step_id", place.step_id)
        return Record(state.session_id or "", action, **fields)

    # --- moving between places ---------------------------------------------------------------------------------
    def _leave(self, state: GuideState) -> GuideState:
        """Close the current place: a step's time goes into the path."""
        if state.place.screen == "step" and state.place.step_id:
            state = replace(state, path=(*state.path, PathEntry(state.place.step_id, round(state.place_s, 1))))
        return replace(state, place_s=0.0)

    def _go(self, state: GuideState, place: Place, *extra: Effect, push: bool = True) -> Result:
        left = self._leave(state)
        history = (*left.history, left.place) if push else left.history
        new = replace(left, place=place, history=history)
        effects = list(extra)
        if place.screen == "step":
            effects.append(self._record(new, "step-shown"))
        return new, [*effects, *self._present(new)]

    def _begin(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.Begin)
        if state.in_session:
            return state, []
        new = replace(state, session_id=action.session_id or "unset", idle_s=0.0)
        record = Record(new.session_id or "", "session-start", value=new.language)
        return self._go(new, Place("catalog"), record, push=False)

    def _page(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.ShowPage)
        pages = max(1, -(-len(self.procedures) // self.settings.page_size))
        if state.place.screen != "catalog" or not 0 <= action.page < pages:
            return state, []
        return self._go(state, Place("catalog", page=action.page))

    def _start_procedure(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.StartProcedure)
        if state.place.screen != "catalog" or action.procedure_id not in self.procedures:
            return state, []
        place = Place("before", procedure_id=action.procedure_id)
        record = Record(state.session_id or "", "procedure-start", procedure_id=action.procedure_id)
        return self._go(state, place, record)

    def _missing(self, state: GuideState, _action: a.Action) -> Result:
        if state.place.screen != "before":
            return state, []
        return self._go(state, replace(state.place, screen="missing"), self._record(state, "needs-missing"))

    def _next(self, state: GuideState, _action: a.Action) -> Result:
        place = state.place
        if place.screen == "before" and place.procedure_id:
            first = self.procedures[place.procedure_id].first_step
            return self._go(state, Place("step", place.procedure_id, first))
        step = self._current_step(state)
        if step is None or step.next is None:
            return state, []
        return self._go(state, replace(place, step_id=step.next))

    def _choose(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.Choose)
        step = self._current_step(state)
        if step is None or step.question is None:
            return state, []
        for choice in step.question.choices:
            if choice.id == action.choice_id:
                record = self._record(state, "choice", value=choice.id)
                return self._go(state, replace(state.place, step_id=choice.next), record)
        return state, []

    def _back(self, state: GuideState, _action: a.Action) -> Result:
        if not state.in_session:
            return state, []
        if not state.history:
            return self._end_session(state, "home")
        left = self._leave(state)
        new = replace(left, place=left.history[-1], history=left.history[:-1])
        return new, [self._record(state, "back"), *self._present(new)]

    def _return(self, state: GuideState, action: a.Action) -> Result:
        if state.place.screen not in ("waiting", "help"):
            return state, []
        return self._back(state, action)

    def _home(self, state: GuideState, _action: a.Action) -> Result:
        if not state.in_session:
            return state, []
        return self._end_session(state, "home")

    def _end(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.EndSession)
        if not state.in_session:
            return state, []
        return self._end_session(state, action.outcome)

    def _end_session(self, state: GuideState, outcome: str) -> Result:
        """Every path home: tell the helpdesk if help is pending, record the end, wipe, show the start screen."""
        effects: list[Effect] = call.on_session_end(state)
        if state.escalation and state.escalation.open:
            effects.append(CancelEscalation(state.session_id or "", outcome))
        left = self._leave(state)
        effects.append(self._record(left, "session-end", value=outcome, seconds=sum(p.seconds for p in left.path)))
        fresh = replace(self.initial(), card_reader=state.card_reader)
        effects.append(Wipe(outcome))
        if (state.speech_rate, state.volume) != (fresh.speech_rate, fresh.volume):
            effects.append(ApplySettings(fresh.speech_rate, fresh.volume))
        return fresh, [*effects, *self._present(fresh, speak=False)]

    def _current_step(self, state: GuideState) -> Step | None:
        place = state.place
        if place.screen != "step" or not place.procedure_id or not place.step_id:
            return None
        return self.steps[place.procedure_id].get(place.step_id)

    # --- help ----------------------------------------------------------------------------------------------------
    def _ask_help(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.AskHelp)
        if not state.in_session:
            return state, []
        if state.escalation and state.escalation.open:
            if state.place.screen == "waiting":
                return state, self._present(state)
            return self._go(state, Place("waiting"))
        if action.reason is None:
            if state.place.screen == "help":
                return state, []
            return self._go(state, Place("help"), self._record(state, "help-opened"))
        if action.reason not in HELP_REASONS and not action.reason.startswith("offer:"):
            return state, []
        return self._escalate(state, action.reason)

    def _escalate(self, state: GuideState, reason: str) -> Result:
        step_place = state.last_step()
        path = state.path
        if state.place.screen == "step" and state.place.step_id:
            path = (*path, PathEntry(state.place.step_id, round(state.place_s, 1)))
        escalate = Escalate(
            session_id=state.session_id or "",
            procedure_id=step_place.procedure_id if step_place else None,
            step_id=step_place.step_id if step_place else None,
            language=state.language,
            reason=reason,
            path=path,
        )
        new = replace(state, escalation=Escalation(reason=reason))
        record = self._record(state, "help-asked", value=reason)
        if state.place.screen == "offer":
            record = self._record(state, "help-offer-accepted", value=state.offer_signal)
            new = replace(new, offer_signal=None)
        if state.place.screen in ("help", "offer"):  # replaced by the waiting screen
            new = replace(new, place=new.history[-1], history=new.history[:-1])
        return self._go(new, Place("waiting"), escalate, record)

    def _offer(self, state: GuideState, signal: str) -> Result:
        """A stuck signal fired: record it and, unless the site is in quiet mode, offer help (once)."""
        step_id = state.place.step_id or ""
        marked = replace(state, stuck=replace(state.stuck, offered=state.stuck.offered | {(signal, step_id)}))
        fired = self._record(state, "stuck-signal", value=signal)
        if self.settings.stuck.quiet:
            return marked, [fired]
        new, effects = self._go(replace(marked, offer_signal=signal), replace(state.place, screen="offer"))
        return new, [fired, self._record(state, "help-offered", value=signal), *effects]

    def _decline(self, state: GuideState, _action: a.Action) -> Result:
        if state.place.screen != "offer":
            return state, []
        record = self._record(state, "help-offer-declined", value=state.offer_signal)
        left = self._leave(replace(state, offer_signal=None))
        new = replace(left, place=left.history[-1], history=left.history[:-1])
        return new, [record, *self._present(new)]

    def _update(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.EscalationUpdate)
        if not state.escalation:
            return state, []
        escalation = replace(state.escalation, status=action.status, position=action.position, wait_s=action.wait_s)
        if escalation == state.escalation:
            return state, []
        new = replace(state, escalation=escalation)
        changed = escalation.status != state.escalation.status
        return new, self._present(new, speak=changed and new.place.screen == "waiting", listen=False)

    def _unreachable(self, state: GuideState, _action: a.Action) -> Result:
        if not state.escalation or state.escalation.status == "unreachable":
            return state, []
        new = replace(state, escalation=replace(state.escalation, status="unreachable"))
        return new, [self._record(state, "helpdesk-unreachable"), *self._present(new, listen=False)]

    def _staff_message(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.StaffMessageArrived)
        if not state.in_session or not state.escalation:
            return state, []
        if action.kind == "send-step":
            return self._staff_step(state, action.step_id)
        status = {"coming": "coming", "resolved": "resolved"}.get(action.kind, state.escalation.status)
        messages = state.escalation.messages + ((action.text,) if action.text else ())
        question = action.message_id if action.question and action.text else None
        escalation = replace(state.escalation, status=status, messages=messages)
        if action.text:  # a new message: a pending question is replaced by this one (or withdrawn)
            escalation = replace(escalation, question=question, answered=None)
        new = replace(state, escalation=escalation, call_note=None if action.text else state.call_note)
        if action.text:
            effects = [self._record(state, "staff-message", value=action.kind), *self._present(new, speak=False)]
            return new, [*effects, Say(action.text, state.language)]
        return new, self._present(new, listen=False)

    def _staff_step(self, state: GuideState, step_id: str | None) -> Result:
        step_place = state.last_step()
        if step_place is None or step_id not in self.steps[step_place.procedure_id or ""]:
            return state, []
        while state.place.screen in ("waiting", "help") and state.history:
            state = replace(state, place=state.history[-1], history=state.history[:-1])
        record = self._record(state, "staff-step", value=step_id)
        return self._go(state, replace(step_place, step_id=step_id), record)

    # --- time --------------------------------------------------------------------------------------------------
    def _tick(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.Tick)
        if not state.in_session or action.seconds <= 0:
            return state, []
        if state.call is not None:
            return call.tick(self, state, action)
        escalation = state.escalation
        if escalation:
            escalation = replace(escalation, waited_s=escalation.waited_s + action.seconds)
        new = replace(
            state, idle_s=state.idle_s + action.seconds, place_s=state.place_s + action.seconds, escalation=escalation
        )
        if new.warning_left_s is not None:
            left = new.warning_left_s - action.seconds
            if left <= 0:
                return self._end_session(new, "timeout")
            new = replace(new, warning_left_s=left)
            changed = int(left) != int(state.warning_left_s or 0)
            return new, self._present(new, speak=False, listen=False) if changed else []
        step = self._step_under(new)
        if new.idle_s >= patience.idle_limit(new, step, self.settings):
            new = replace(new, warning_left_s=self.settings.warning_grace_s)
            record = self._record(new, "timeout-warning")
            text = self.views.render(new).overlay
            say = [Say(f"{text.title}。{text.text}", new.language)] if text else []
            return new, [record, *self._present(new, speak=False, listen=False), *say]
        if patience.check_in_due(new, step, self.settings):
            new = replace(new, checked_in=True)
            record = self._record(new, "idle-check-in")
            calm = Say(self.views.check_in(new.language), new.language)
            return new, [record, *self._present(new, speak=False, listen=False), calm]
        if self._fallback_due(state, new):
            return new, self._present(new, listen=False)
        return new, []

    def _step_under(self, state: GuideState) -> Step | None:
        """The step on screen, or under the help offer that covers it."""
        place = state.last_step() if state.place.screen == "offer" else state.place
        if place is None or place.screen != "step" or not place.procedure_id or not place.step_id:
            return None
        return self.steps[place.procedure_id].get(place.step_id)

    def _fallback_due(self, old: GuideState, new: GuideState) -> bool:
        threshold = self.settings.help_fallback_after_s
        return bool(
            old.escalation and new.escalation and old.escalation.waited_s < threshold <= new.escalation.waited_s
        )

    def _extend(self, state: GuideState, _action: a.Action) -> Result:
        if not state.in_session:
            return state, []
        return state, [self._record(state, "timeout-extended"), *self._present(state, speak=False, listen=False)]

    # --- display choices ---------------------------------------------------------------------------------------
    def _language(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.SetLanguage)
        if action.language not in self.settings.languages or action.language == state.language:
            return state, []
        new = replace(state, language=action.language)
        records = [self._record(new, "language", value=action.language)] if new.in_session else []
        return new, [*records, *self._present(new)]

    def _size(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.SetTextSize)
        if action.size not in TEXT_SIZES or action.size == state.text_size:
            return state, []
        new = replace(state, text_size=action.size)
        records = [self._record(new, "text-size", value=action.size)] if new.in_session else []
        return new, [*records, *self._present(new, speak=False, listen=False)]

    def _cycle_size(self, state: GuideState, _action: a.Action) -> Result:
        following = TEXT_SIZES[(TEXT_SIZES.index(state.text_size) + 1) % len(TEXT_SIZES)]
        return self._size(state, a.SetTextSize(following))

    def _rate(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.SetSpeechRate)
        if action.rate not in (0, 1, 2) or action.rate == state.speech_rate:
            return state, []
        new = replace(state, speech_rate=action.rate)
        records = [self._record(new, "speech-rate", value=f"rate-{action.rate}")] if new.in_session else []
        return new, [*records, ApplySettings(new.speech_rate, new.volume), *self._present(new, listen=False)]
        # _present says the screen again: the resident hears the new speed at once

    def _open_voice(self, state: GuideState, _action: a.Action) -> Result:
        if state.place.screen == "voice" or not state.in_session:
            return state, []
        return self._go(state, Place("voice"))

    def _cycle_rate(self, state: GuideState, _action: a.Action) -> Result:
        return self._rate(state, a.SetSpeechRate((state.speech_rate + 1) % 3))

    def _volume(self, state: GuideState, action: a.Action) -> Result:
        assert isinstance(action, a.SetVolume)
        if action.volume not in (0, 1, 2) or action.volume == state.volume:
            return state, []
        new = replace(state, volume=action.volume)
        effects = [ApplySettings(new.speech_rate, new.volume), *self._present(new, speak=False, listen=False)]
        text, reading = self.views.speech(new)
        return new, [*effects, Say(text, new.language, reading)]  # let the resident hear the new volume

    def _cycle_volume(self, state: GuideState, _action: a.Action) -> Result:
        return self._volume(state, a.SetVolume((state.volume + 1) % 3))

    def _repeat(self, state: GuideState, _action: a.Action) -> Result:
        records = [self._record(state, "repeat")] if state.in_session else []
        text, reading = self.views.speech(state)
        return state, [*records, Say(text, state.language, reading)]

    def _not_understood(self, state: GuideState, _action: a.Action) -> Result:
        if not state.in_session:
            return state, []
        return state, [self._record(state, "voice-not-understood")]
