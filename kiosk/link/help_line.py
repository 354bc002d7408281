"""The open help request, off the UI thread: deliver it (retrying with the same Idempotency-Key), then long-poll
staff messages and status, and turn what arrives into guide actions posted back to the UI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from helpdesk.wire import (
    NO_PLACE,
    CallSignal,
    EscalationRequest,
    EscalationStatus,
    PathStep,
    ResidentAnswer,
    StaffMessage,
)
from kiosk.guide import Escalate
from kiosk.guide import actions as a
from kiosk.link.client import Helpdesk, HelpdeskCallFailed
from kiosk.link.courier import Courier
from kiosk.link.outbox import Backoff
from kiosk.link.sender import Delivery

log = logging.getLogger(__name__)
RATE_LIMITED = 429
"""The helpdesk asks this kiosk to slow down: the poll retries after a pause without alarming the resident."""

ENDED = ("resolved", "cancelled", "abandoned")
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


def request_of(effect: Escalate) -> EscalationRequest:
    """The wire request for an Escalate effect."""
    return EscalationRequest(
        session_id=effect.session_id,
        procedure_id=effect.procedure_id or NO_PLACE,
        step_id=effect.step_id or NO_PLACE,
        language=effect.language,  # type: ignore[arg-type]
        reason=effect.reason,
        path=[PathStep(step_id=p.step_id, seconds=p.seconds) for p in effect.path[-200:]],
    )


def update_of(status: EscalationStatus) -> a.Action:
    """An escalation status as the guide action that shows it."""
    if status.status in ENDED:
        return a.StaffMessageArrived("resolved")
    return a.EscalationUpdate(status.status, status.position, status.estimated_wait_s)


class HelpLine:
    """One escalation at a time; `close()` (wipe, cancel) stops it and drops anything still in flight.

    Requests go through the courier's durable outbox (one Idempotency-Key from the start, retried with backoff, kept
    across restarts); once the helpdesk has the request, a thread long-polls its messages."""

    def __init__(
        self,
        helpdesk: Helpdesk,
        post: Callable[[a.Action, Callable[[], bool]], None],
        *,
        courier: Courier | None = None,
        poll_wait_s: float = 20.0,
    ):
        self.helpdesk = helpdesk
        self._post = post
        self.poll_wait_s = poll_wait_s
        if courier is None:  # no outbox file configured: same delivery path, kept in memory only
            courier = Courier(Path(":memory:"), helpdesk, "memory", backoff=Backoff(base_s=1.0, cap_s=30.0))
            courier.start()
        self.courier = courier
        self._lock = threading.Lock()
        self._generation = 0
        self._warned: set[int] = set()
        self.key: str | None = None
        self.escalation_id: str | None = None
        self.reachable: bool | None = None
        self.sleep = threading.Event()
        self.on_call: Callable[[str, CallSignal], None] | None = None
        """Where call signals go (the runtime's call line)."""

    def open(self, effect: Escalate) -> None:
        """Queue a help request durably; staff messages are listened for once the helpdesk has it."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self.escalation_id = None
        self.sleep = threading.Event()
        key = self.courier.escalate(request_of(effect), lambda d: self._delivery(generation, d))
        with self._lock:
            if self.current(generation):
                self.key = key

    def close(self) -> str | None:
        """Stop everything for the current escalation; returns its id when the helpdesk had accepted it."""
        with self._lock:
            self._generation += 1
            escalation_id, self.escalation_id = self.escalation_id, None
        self.sleep.set()
        return escalation_id

    def cancel(self) -> None:
        """The resident left: close, and queue the cancellation (delivered after the request, in order)."""
        with self._lock:
            key, self.key = self.key, None
        self.close()
        if key:
            self.courier.cancel(key)

    def answer(self, answer: str, question_id: int | None) -> None:
        """Queue the resident's answer durably behind the open request (dropped when no request is open)."""
        with self._lock:
            key = self.key
        if key:
            self.courier.answer(key, ResidentAnswer(answer=answer, question_id=question_id))  # type: ignore[arg-type]

    def current(self, generation: int) -> bool:
        """True while `generation` is the open escalation."""
        return generation == self._generation

    def post(self, generation: int, action: a.Action) -> None:
        """Post an action to the UI thread, dropped there if the escalation was closed meanwhile."""
        self._post(action, lambda: self.current(generation))

    def _delivery(self, generation: int, delivery: Delivery) -> None:
        """What the courier's sender reports about our request (called on the sender's thread)."""
        if delivery.state != "delivered":
            self.reachable = False
            if generation not in self._warned or delivery.state == "failed":
                self._warned.add(generation)
                self.post(generation, a.HelpdeskUnreachable())
            return
        self.reachable = True
        status = EscalationStatus.model_validate(delivery.detail)
        with self._lock:
            if not self.current(generation):
                return  # the resident left meanwhile; the queued cancellation follows the request
            self.escalation_id = status.id
        self.post(generation, update_of(status))
        thread = threading.Thread(target=self._listen, args=(generation, status.id), daemon=True, name="help-line")
        thread.start()

    def _listen(self, generation: int, escalation_id: str) -> None:
        after, failures, last = 0, 0, None
        while self.current(generation):
            try:
                batch = self.helpdesk.messages(escalation_id, after=after, wait_s=self.poll_wait_s)
                status = self.helpdesk.escalation(escalation_id) if batch.status == "waiting" else None
            except HelpdeskCallFailed as exc:
                if failures == 0 and exc.status != RATE_LIMITED:  # slowed down is not unreachable: say nothing
                    self.post(generation, a.HelpdeskUnreachable())
                last = None
                self.sleep.wait(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])
                failures += 1
                continue
            failures, after = 0, batch.last_id
            for message in batch.messages:
                action = _message_action(message)
                if action is not None:
                    self.post(generation, action)
            for signal in batch.signals:
                if signal.kind == "pointer" and signal.element:
                    self.post(generation, a.PointAt(signal.element))
                elif signal.kind == "call" and signal.call is not None and self.on_call is not None:
                    self.on_call(escalation_id, signal.call)
            update = update_of(status) if status else a.EscalationUpdate(batch.status)
            if batch.status in ENDED:
                self.post(generation, a.StaffMessageArrived("resolved"))
                return
            if update != last:
                self.post(generation, update)
                last = update


def _message_action(message: StaffMessage) -> a.Action | None:
    sender, kind, text, step_id = message.sender, message.kind, message.text, message.step_id
    if sender != "staff":
        return None
    if kind == "text" and text:
        return a.StaffMessageArrived("text", text, message_id=message.id, question=message.question == "yes-no")
    if kind == "send-step" and step_id:
        return a.StaffMessageArrived("send-step", step_id=step_id)
    if kind == "coming":
        return a.StaffMessageArrived("coming", text)
    return None
