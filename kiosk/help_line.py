"""The open help request, off the UI thread: deliver it (retrying with the same Idempotency-Key), then long-poll
staff messages and status, and turn what arrives into guide actions posted back to the UI thread."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from helpdesk.wire import EscalationRequest, EscalationStatus, PathStep
from kiosk.guide import Escalate
from kiosk.guide import actions as a
from kiosk.helpdesk_client import Helpdesk, HelpdeskError, HelpdeskUnreachable

log = logging.getLogger(__name__)

ENDED = ("resolved", "cancelled", "abandoned")
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
NO_PLACE = "none"  # the wire needs ids; help asked from the catalog has no procedure or step yet


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
    """One escalation at a time; `close()` (wipe, cancel) stops it and drops anything still in flight."""

    def __init__(self, helpdesk: Helpdesk, post: Callable[[a.Action], None], *, poll_wait_s: float = 20.0):
        self.helpdesk = helpdesk
        self._post = post
        self.poll_wait_s = poll_wait_s
        self._lock = threading.Lock()
        self._generation = 0
        self.escalation_id: str | None = None
        self.reachable: bool | None = None
        self.sleep = threading.Event()

    def open(self, effect: Escalate) -> None:
        """Start delivering a help request and then listening for staff."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self.escalation_id = None
        self.sleep = threading.Event()
        key = uuid.uuid4().hex
        thread = threading.Thread(target=self._run, args=(generation, request_of(effect), key), daemon=True)
        thread.name = "help-line"
        thread.start()

    def close(self) -> str | None:
        """Stop everything for the current escalation; returns its id when the helpdesk had accepted it."""
        with self._lock:
            self._generation += 1
            escalation_id, self.escalation_id = self.escalation_id, None
        self.sleep.set()
        return escalation_id

    def current(self, generation: int) -> bool:
        """True while `generation` is the open escalation."""
        return generation == self._generation

    def post(self, generation: int, action: a.Action) -> None:
        """Post an action to the UI thread, dropped there if the escalation was closed meanwhile."""
        self._post(action, lambda: self.current(generation))

    def _run(self, generation: int, request: EscalationRequest, key: str) -> None:
        status = self._deliver(generation, request, key)
        if status is None:
            return
        with self._lock:
            if not self.current(generation):
                stale = True
            else:
                stale, self.escalation_id = False, status.id
        if stale:  # the resident left while we were delivering: do not leave staff a ghost request
            self._quietly(lambda: self.helpdesk.cancel(status.id))
            return
        self.post(generation, update_of(status))
        self._listen(generation, status.id)

    def _deliver(self, generation: int, request: EscalationRequest, key: str) -> EscalationStatus | None:
        attempt = 0
        while self.current(generation):
            try:
                status = self.helpdesk.create_escalation(request, key)
                self.reachable = True
                return status
            except HelpdeskUnreachable:
                self.reachable = False
                if attempt == 0:
                    self.post(generation, a.HelpdeskUnreachable())
            except HelpdeskError:
                self.post(generation, a.HelpdeskUnreachable())
                return None
            self.sleep.wait(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            attempt += 1
        return None

    def _listen(self, generation: int, escalation_id: str) -> None:
        after, failures, last = 0, 0, None
        while self.current(generation):
            try:
                batch = self.helpdesk.messages(escalation_id, after=after, wait_s=self.poll_wait_s)
                status = self.helpdesk.escalation(escalation_id) if batch.status == "waiting" else None
            except HelpdeskError:
                if failures == 0:
                    self.post(generation, a.HelpdeskUnreachable())
                last = None
                self.sleep.wait(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])
                failures += 1
                continue
            failures, after = 0, batch.last_id
            for message in batch.messages:
                action = _message_action(message.sender, message.kind, message.text, message.step_id)
                if action is not None:
                    self.post(generation, action)
            update = update_of(status) if status else a.EscalationUpdate(batch.status)
            if batch.status in ENDED:
                self.post(generation, a.StaffMessageArrived("resolved"))
                return
            if update != last:
                self.post(generation, update)
                last = update

    @staticmethod
    def _quietly(call: Callable[[], object]) -> None:
        try:
            call()
        except HelpdeskError as exc:
            log.info("helpdesk call failed: %s", exc.code)


def _message_action(sender: str, kind: str, text: str, step_id: str | None) -> a.Action | None:
    if sender != "staff":
        return None
    if kind == "text" and text:
        return a.StaffMessageArrived("text", text)
    if kind == "send-step" and step_id:
        return a.StaffMessageArrived("send-step", step_id=step_id)
    if kind == "coming":
        return a.StaffMessageArrived("coming", text)
    return None
