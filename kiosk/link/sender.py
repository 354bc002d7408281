"""The outbox's background sender: delivers due items through a `Helpdesk` (never on the UI thread), batches
session events, resolves a cancellation to the escalation id the helpdesk gave, and reports every item's state."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpdesk.wire import EscalationRequest, KioskHeartbeat, ResidentAnswer, SessionEvent, SessionEventBatch
from kiosk.link.client import Helpdesk, HelpdeskCallFailed, HelpdeskRefused, HelpdeskUnreachable
from kiosk.link.outbox import Item, Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What became of an item: delivered (with the helpdesk's answer), waiting for the network, or failed."""

    key: str
    kind: str
    state: str  # delivered | waiting | failed
    detail: Any = None


class Sender:
    """Delivers an outbox in a daemon thread; `deliver_due()` does one pass (tests call it directly)."""

    def __init__(
        self,
        outbox: Outbox,
        helpdesk: Helpdesk,
        *,
        on_update: Callable[[Delivery], None] | None = None,
        batch: int = 500,
        idle_wait_s: float = 30.0,
        kinds: tuple[str, ...] | None = None,
        name: str = "outbox-sender",
        linger_s: float = 0.0,
    ):
        self.outbox = outbox
        self.kinds = kinds
        """Only these item kinds (None: all); the courier runs a lane for help requests beside one for the rest."""
        self.name = name
        self.helpdesk = helpdesk
        self.on_update = on_update or (lambda _d: None)
        self.batch = batch
        self.idle_wait_s = idle_wait_s
        self.linger_s = linger_s
        """After a wake-up, wait this long for more items so they go in one request (session events: one per
        touch would each be a request, and spend the kiosk's rate at the helpdesk that help requests need)."""
        self._stop = threading.Event()
        self._wake = outbox.listener()
        self._thread: threading.Thread | None = None
        self._close_outbox = False

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 15.0, *, close_outbox: bool = False) -> None:
        """Stop after the current call (what is undelivered stays in the outbox). With `close_outbox`, the outbox
        is closed once the sender is done with it, even if a slow call outlives the wait."""
        self._close_outbox = close_outbox
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            if close_outbox:
                self.outbox.close()
            return
        self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    handled = self.deliver_due()
                except Exception:  # the sender must outlive any surprise; the item stays pending
                    log.exception("outbox sender pass failed")
                    handled = 0
                if handled or self._stop.is_set():
                    continue
                self._wake.clear()  # cleared before looking: a put from now on wakes the wait below
                wait = self.outbox.next_due_in(self.kinds)
                if wait is None or wait > 0:
                    woken = self._wake.wait(self.idle_wait_s if wait is None else min(wait, self.idle_wait_s))
                    if woken and self.linger_s:
                        self._stop.wait(self.linger_s)
        finally:
            if self._close_outbox:
                self.outbox.close()

    def deliver_due(self) -> int:
        """Deliver what is due now; stops at the first network failure. Returns how many items were settled."""
        items = self.outbox.due(self.batch + 50, self.kinds)
        events = [i for i in items if i.kind == "event"][: self.batch]
        others = [i for i in items if i.kind != "event"]
        settled = 0
        for item in others:  # help first: a resident is waiting
            outcome = self._attempt([item], functools.partial(self._deliver_one, item))
            if outcome is None:
                return settled
            settled += 1
        if events:
            batch = SessionEventBatch(events=[SessionEvent.model_validate(e.body) for e in events])
            if self._attempt(events, lambda: self.helpdesk.send_events(batch).model_dump(mode="json")) is None:
                return settled
            settled += len(events)
        return settled

    def _attempt(self, items: list[Item], call: Callable[[], Any]) -> bool | None:
        """Run one delivery; True delivered, False failed for good, None the network is down (retry later)."""
        keys = [i.key for i in items]
        try:
            result = call()
        except HelpdeskUnreachable as exc:
            delay = self.outbox.retry(keys, str(exc))
            for item in items:
                self.on_update(Delivery(item.key, item.kind, "waiting", {"retry_in_s": round(delay, 1)}))
            return None
        except (HelpdeskCallFailed, ValueError) as exc:
            code = getattr(exc, "code", "invalid-item")
            self.outbox.failed(keys, f"{code}: {exc}")
            for item in items:
                self.on_update(Delivery(item.key, item.kind, "failed", code))
            return False
        self.outbox.delivered(keys, result if len(items) == 1 else None)
        for item in items:
            self.on_update(Delivery(item.key, item.kind, "delivered", result))
        return True

    def _deliver_one(self, item: Item) -> Any:
        if item.kind == "escalation":
            request = EscalationRequest.model_validate(item.body)
            return self.helpdesk.create_escalation(request, item.key).model_dump(mode="json")
        if item.kind == "cancel":
            return self._cancel(item.body["escalation_key"])
        if item.kind == "answer":
            return self._answer(item)
        if item.kind == "heartbeat":
            return self.helpdesk.heartbeat(KioskHeartbeat.model_validate(item.body)).model_dump(mode="json")
        raise ValueError(f"unknown outbox item kind {item.kind!r}")

    def _answer(self, item: Item) -> Any:
        known = self.outbox.result(item.group)
        if known is None or known[0] != "delivered" or not known[1]:
            return {"skipped": "the help request never reached the helpdesk"}
        answer = ResidentAnswer.model_validate(item.body)
        try:
            return self.helpdesk.answer(known[1]["id"], answer, item.key).model_dump(mode="json")
        except HelpdeskRefused as exc:
            if exc.status in (404, 409):  # staff ended the conversation first: nobody to tell
                return {"skipped": exc.code}
            raise

    def _cancel(self, escalation_key: str) -> Any:
        known = self.outbox.result(escalation_key)
        if known is None or known[0] != "delivered" or not known[1]:
            return {"skipped": "the help request never reached the helpdesk"}
        try:
            return self.helpdesk.cancel(known[1]["id"]).model_dump(mode="json")
        except HelpdeskRefused as exc:
            if exc.status in (404, 409):  # already ended: staff resolved it first, nothing to cancel
                return {"skipped": exc.code}
            raise
