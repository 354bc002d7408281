"""A voice call with the staff member, as guide state: ringing → connecting (after 話す) → in call → ended.

Pure like the engine: the runtime opens the microphone only on `StartCall` (the resident's touch on 話す) and closes
it on `EndCall`. The call overlays the step (the guide stays where it is) and the inactivity timeout never runs
while a call rings or lasts."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.guide import actions as a
from kiosk.guide.effects import Button, CallPanel, Effect, EndCall, Say, Show, StartCall
from kiosk.guide.state import Call, GuideState
from kiosk.guide.texts import ui

if TYPE_CHECKING:
    from kiosk.guide.engine import Guide

Result = tuple[GuideState, list[Effect]]

RING_S = 45.0
"""An unanswered call stops ringing after this long (the conversation goes on in text)."""


def panel(state: GuideState) -> CallPanel | None:
    """What the call draws over the screen, or None without a call."""
    call, lang = state.call, state.language
    if call is None:
        return None
    if call.status == "ringing":
        buttons = (
            Button("call-accept", ui(lang, "call.accept"), a.AcceptCall(), "primary"),
            Button("call-decline", ui(lang, "call.decline"), a.DeclineCall(), "choice"),
        )
        return CallPanel("ringing", ui(lang, "call.title"), ui(lang, "call.text"), buttons)
    hang_up = Button("call-end", ui(lang, "call.end"), a.HangUp(), "primary")
    return CallPanel(call.status, ui(lang, "call.banner"), ui(lang, f"call.{call.status}"), (hang_up,))


def _show(guide: Guide, state: GuideState, *extra: Effect, say: str | None = None) -> Result:
    effects = [*extra, Show(guide.views.render(state))]
    if say:
        effects.append(Say(say, state.language))
    return state, effects


def offered(guide: Guide, state: GuideState, action: a.Action) -> Result:
    """Staff call: ring, unless the resident is not with staff (no open help request) or already in a call."""
    assert isinstance(action, a.CallOffered)
    esc = state.escalation
    if not state.in_session or esc is None or not esc.open:
        return state, [EndCall(action.call_id, "no-session")]
    if state.call is not None:
        return state, [EndCall(action.call_id, "busy")] if state.call.call_id != action.call_id else []
    new = replace(state, call=Call(action.call_id), call_note=None, idle_s=0.0, warning_left_s=None)
    lang = state.language
    return _show(
        guide, new, guide._record(new, "call-offered"), say=f"{ui(lang, 'call.title')}。{ui(lang, 'call.text')}"
    )


def accept(guide: Guide, state: GuideState, _action: a.Action) -> Result:
    """話す: the microphone opens now, not before."""
    if state.call is None or state.call.status != "ringing":
        return state, []
    new = replace(state, call=replace(state.call, status="connecting"))
    return _show(guide, new, guide._record(new, "call-accepted"), StartCall(state.call.call_id))


def decline(guide: Guide, state: GuideState, _action: a.Action) -> Result:
    """話さない: no call; staff see it declined and go on in text."""
    if state.call is None or state.call.status != "ringing":
        return state, []
    new = replace(state, call=None)
    return _show(guide, new, guide._record(state, "call-declined"), EndCall(state.call.call_id, "declined"))


def hang_up(guide: Guide, state: GuideState, _action: a.Action) -> Result:
    """通話をおわる."""
    if state.call is None or state.call.status == "ringing":
        return state, []
    new = replace(state, call=None)
    record = guide._record(state, "call-ended", value="resident")
    return _show(guide, new, record, EndCall(state.call.call_id, "resident"), say=ui(state.language, "call.ended"))


def connected(guide: Guide, state: GuideState, action: a.Action) -> Result:
    """Audio flows: the banner says 通話中."""
    assert isinstance(action, a.CallConnected)
    if state.call is None or state.call.call_id != action.call_id or state.call.status != "connecting":
        return state, []
    return _show(guide, replace(state, call=replace(state.call, status="in-call")))


def ended(guide: Guide, state: GuideState, action: a.Action) -> Result:
    """Staff hung up or the connection dropped: say so, close the microphone, go on in text."""
    assert isinstance(action, a.CallEnded)
    if state.call is None or state.call.call_id != action.call_id:
        return state, []
    reason = action.reason if action.reason in ("dropped", "staff", "declined") else "staff"
    new = replace(state, call=None, call_note=reason, idle_s=0.0)
    record = guide._record(state, "call-ended", value=reason)
    return _show(guide, new, record, EndCall(action.call_id, reason), say=ui(state.language, f"call.note.{reason}"))


def tick(guide: Guide, state: GuideState, action: a.Action) -> Result:
    """Time during a call: no inactivity count at all; an unanswered ring stops after `RING_S`."""
    assert isinstance(action, a.Tick) and state.call is not None
    call = state.call
    if call.status != "ringing":
        return state, []
    waited = call.ringing_s + action.seconds
    if waited < RING_S:
        return replace(state, call=replace(call, ringing_s=waited)), []
    new = replace(state, call=None, idle_s=0.0)
    return _show(guide, new, guide._record(state, "call-ended", value="no-answer"), EndCall(call.call_id, "no-answer"))


def on_session_end(state: GuideState) -> list[Effect]:
    """Every way the session ends also ends its call."""
    return [EndCall(state.call.call_id, "session-end")] if state.call else []
