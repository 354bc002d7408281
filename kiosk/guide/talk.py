"""The resident talking back to staff, and staff pointing at the resident's screen. Pure, like the engine.

Answers are codes, never free text (the resident cannot type): わかりました / できました / もういちど言ってください /
わかりません at any time staff are with them, はい / いいえ when a staff message asked a question."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.guide import actions as a
from kiosk.guide.effects import Effect, Say, ScreenView, SendAnswer, Show
from kiosk.guide.state import GuideState
from kiosk.guide.texts import ui

if TYPE_CHECKING:
    from kiosk.guide.engine import Guide

Result = tuple[GuideState, list[Effect]]

ANSWERS: tuple[str, ...] = ("understood", "done", "say-again", "not-understood")
"""Answers offered whenever staff are with the resident (claimed or coming)."""
YES_NO: tuple[str, ...] = ("yes", "no")
POINTER_S = 12.0
"""How long the ring stays without a touch: long enough to find it, short enough not to linger on a later screen."""
SCREEN_ELEMENTS = ("instruction",)
"""Elements every screen with text has besides its buttons (the first text block)."""


def answers_offered(state: GuideState) -> tuple[str, ...]:
    """The answers the waiting screen offers now (none before staff are with the resident)."""
    esc = state.escalation
    if esc is None or not esc.open or esc.status in ("unreachable",):
        return ()
    if esc.question is not None:
        return YES_NO
    if esc.status in ("claimed", "coming"):
        return ANSWERS
    return ()


def answer(guide: Guide, state: GuideState, action: a.Action) -> Result:
    """Send the resident's answer, show it as sent and say so."""
    assert isinstance(action, a.Answer)
    esc = state.escalation
    if not state.in_session or esc is None or action.answer not in answers_offered(state):
        return state, []
    question = esc.question if action.answer in YES_NO else None
    new_esc = replace(esc, question=None if question is not None else esc.question, answered=action.answer)
    new = replace(state, escalation=new_esc)
    record = guide._record(state, "resident-answer", value=action.answer)
    send = SendAnswer(state.session_id or "", action.answer, question)
    sent = ui(state.language, "answer.sent", answer=ui(state.language, f"answer.{action.answer}"))
    return new, [record, send, Show(guide.views.render(new)), Say(sent, state.language)]


def elements(view: ScreenView) -> set[str]:
    """Ids of the elements on a screen staff can point at."""
    found = {b.id for b in view.all_buttons()}
    if view.qr_url:
        found.add("qr")
    if view.picture:
        found.add("picture")
    if view.blocks:
        found.update(SCREEN_ELEMENTS)
    return found


def point(guide: Guide, state: GuideState, action: a.Action) -> Result:
    """Ring the element staff pointed at and say 「ここを押してください」; from the waiting screen, go back to the step
    first when the element is on the step (staff see the step, not the waiting screen)."""
    assert isinstance(action, a.PointAt)
    if not state.in_session or state.escalation is None or not state.escalation.open:
        return state, []
    moved: list[Effect] = []
    if action.element not in elements(guide.views.render(state)):
        step = state.last_step()
        if step is None or state.place.screen not in ("waiting", "help"):
            return state, []
        back = state
        while back.place.screen in ("waiting", "help") and back.history:
            back = replace(back, place=back.history[-1], history=back.history[:-1])
        if action.element not in elements(guide.views.render(back)):
            return state, []
        state, moved = back, [guide._record(back, "step-shown")]
    new = replace(state, pointer=action.element, pointer_s=0.0)
    effects = [*moved, guide._record(new, "staff-pointer", value=action.element)]
    return new, [*effects, Show(guide.views.render(new)), Say(ui(new.language, "pointer.say"), new.language)]


def after_step(guide: Guide, old: GuideState, new: GuideState, action: a.Action, effects: list[Effect]) -> Result:
    """The ring goes at the resident's next touch or after `POINTER_S` seconds."""
    if new.pointer is None:
        return new, effects
    if action.touch and not isinstance(action, a.PointAt):
        cleared = replace(new, pointer=None, pointer_s=0.0)
        if any(isinstance(e, Show) for e in effects):
            effects = [Show(guide.views.render(cleared)) if isinstance(e, Show) else e for e in effects]
        elif effects or cleared != new:
            effects = [*effects, Show(guide.views.render(cleared))]
        return cleared, effects
    if isinstance(action, a.Tick) and old.pointer is not None:
        waited = new.pointer_s + action.seconds
        if waited >= POINTER_S:
            cleared = replace(new, pointer=None, pointer_s=0.0)
            return cleared, [*effects, Show(guide.views.render(cleared))]
        return replace(new, pointer_s=waited), effects
    return new, effects
