"""The kiosk's call line: staff offers arrive through the help line's long-poll; the resident's touch on 話す makes
the runtime call `start`, which opens the microphone and answers; the line reports connected / dropped back to the
guide as actions and tells the helpdesk how each call ended. Network and media work run off the UI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from helpdesk.wire import CallSignal, CallSignalKind
from kiosk.guide import actions as a

log = logging.getLogger(__name__)

DROP_GRACE_S = 1.0
"""A media failure becomes "dropped" only if no hangup signal explains it within this (well inside the 5 s)."""

END_SIGNALS: dict[str, CallSignalKind] = {
    "resident": "hangup",
    "session-end": "hangup",
    "no-answer": "decline",
    "declined": "decline",
}
"""How a call the kiosk ends is told to staff; `busy` / `no-session` say the kiosk cannot take it."""


class CallLine:
    """Calls of the open escalation; `media` is a `CallMedia` (None: this kiosk cannot take calls, and says why)."""

    def __init__(
        self,
        helpdesk,
        post: Callable[[a.Action], None],
        media_factory: Callable[[Callable[[str], None]], object] | None,
        unavailable: str | None = None,
    ):
        self.helpdesk = helpdesk
        self._post = post
        self._media_factory = media_factory
        self.unavailable = unavailable if media_factory is not None else unavailable or "no-media-stack"
        self.media: Any = None  # the kiosk's CallMedia, built at the first accepted call
        self.offers: dict[str, str] = {}
        self.escalation_id: str | None = None
        self.active: str | None = None
        self.ended_elsewhere: set[str] = set()
        self._lock = threading.Lock()

    # --- from the help line's long-poll (a worker thread) ------------------------------------------------------
    def signal(self, escalation_id: str, signal: CallSignal) -> None:
        """A signal from staff: an offer rings (or is refused when the kiosk cannot call); an end ends."""
        if signal.kind == "offer" and signal.sdp:
            if self.unavailable:
                self._send(escalation_id, CallSignal(call_id=signal.call_id, kind="unavailable"))
                return
            with self._lock:
                self.offers[signal.call_id] = signal.sdp
                self.escalation_id = escalation_id
            self._post(a.CallOffered(signal.call_id))
        elif signal.kind in ("hangup", "dropped"):
            reason = "dropped" if signal.kind == "dropped" else "staff"
            with self._lock:
                self.ended_elsewhere.add(signal.call_id)
            self._post(a.CallEnded(signal.call_id, reason))

    # --- from the runtime's effects (UI thread): the work happens on a thread ----------------------------------
    def start(self, call_id: str) -> None:
        """The resident touched 話す: open the microphone and answer (never before this call)."""
        threading.Thread(target=self._start, args=(call_id,), name="call-start", daemon=True).start()

    def end(self, call_id: str, reason: str) -> None:
        """Close the microphone and speaker now; tell staff unless they ended it."""
        with self._lock:
            escalation_id = self.escalation_id
            self.offers.pop(call_id, None)
            was_active, self.active = self.active == call_id, None if self.active == call_id else self.active
        if was_active and self.media is not None:
            self.media.close()
        kind: CallSignalKind | None = END_SIGNALS.get(reason) or ("dropped" if reason == "dropped" else None)
        if reason in ("busy", "no-session"):
            kind = "unavailable"
        if kind and escalation_id:
            threading.Thread(
                target=self._send, args=(escalation_id, CallSignal(call_id=call_id, kind=kind)), daemon=True
            ).start()

    def close(self) -> None:
        """The session ended (wipe): no call survives it."""
        with self._lock:
            active, self.active, self.escalation_id = self.active, None, None
            self.offers.clear()
        if active and self.media is not None:
            self.media.close()

    # --- work ----------------------------------------------------------------------------------------------------
    def _start(self, call_id: str) -> None:
        with self._lock:
            offer, escalation_id = self.offers.pop(call_id, None), self.escalation_id
            self.active = call_id
        if offer is None or escalation_id is None or self._media_factory is None:
            self._post(a.CallEnded(call_id, "dropped"))
            return
        try:
            if self.media is None:
                self.media = self._media_factory(self._state_changed)
            servers = self.helpdesk.call_ice_servers(escalation_id, call_id)
            ice = [s.model_dump() for s in servers.ice_servers]
            answer = self.media.answer(offer, ice)
            with self._lock:
                still = self.active == call_id
            if not still:  # hung up while the answer was being made
                self.media.close()
                return
            self.helpdesk.call_signal(escalation_id, CallSignal(call_id=call_id, kind="answer", sdp=answer))
        except Exception:
            log.warning("call could not start", exc_info=True)
            self._post(a.CallEnded(call_id, "dropped"))

    def _state_changed(self, state: str) -> None:
        """From the media thread: connected, or failed / dropped."""
        with self._lock:
            call_id, escalation_id = self.active, self.escalation_id
        if call_id is None or escalation_id is None:
            return
        if state == "connected":
            self._post(a.CallConnected(call_id))
            self._send(escalation_id, CallSignal(call_id=call_id, kind="connected"))
        elif state in ("failed", "dropped", "closed"):
            # staff hanging up also ends the media: wait a moment for their hangup signal before calling it dropped
            timer = threading.Timer(DROP_GRACE_S, self._dropped, args=(call_id,))
            timer.daemon = True
            timer.start()

    def _dropped(self, call_id: str) -> None:
        with self._lock:
            if call_id in self.ended_elsewhere or self.active != call_id:
                return
        self._post(a.CallEnded(call_id, "dropped"))

    def _send(self, escalation_id: str, signal: CallSignal) -> None:
        try:
            self.helpdesk.call_signal(escalation_id, signal)
        except Exception as exc:  # staff's side notices a silent call on its own
            log.warning("call signal %s not delivered: %s", signal.kind, type(exc).__name__)
