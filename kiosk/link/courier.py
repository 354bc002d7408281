"""The kiosk's one way out to the helpdesk: a durable outbox drained by a background sender, shared by the help
line (requests and cancellations), the journal (session events) and heartbeats."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpdesk.wire import CardReaderState, ContentReport, EscalationRequest, KioskHeartbeat, ResidentAnswer
from kiosk.guide import Record
from kiosk.link.client import Helpdesk
from kiosk.link.journal import to_wire
from kiosk.link.outbox import Backoff, Outbox
from kiosk.link.sender import Delivery, Sender

Watcher = Callable[[Delivery], None]


HELP_KINDS = ("escalation", "cancel", "answer")
"""The help lane: requests, their cancellations and the resident's answers (each behind its request)."""
BULK_KINDS = ("event", "heartbeat")
BULK_LINGER_S = 0.5
"""Session events a resident makes in quick succession go to the helpdesk in one request."""


class Courier:
    """Everything the kiosk sends goes through here; nothing accepted is lost if the kiosk or the network dies."""

    def __init__(self, path: Path, helpdesk: Helpdesk, kiosk_id: str, *, backoff: Backoff | None = None):
        self.kiosk_id = kiosk_id
        self.outbox = Outbox(path, backoff=backoff)
        # Two lanes: a help request never waits behind a batch of session events or a heartbeat in flight (a
        # resident is waiting; the end-to-end tail came from exactly that wait).
        self.sender = Sender(self.outbox, helpdesk, on_update=self._updated, kinds=HELP_KINDS, name="outbox-help")
        self.bulk = Sender(
            self.outbox, helpdesk, on_update=self._updated, kinds=BULK_KINDS, name="outbox-bulk", linger_s=BULK_LINGER_S
        )
        self._watchers: dict[str, Watcher] = {}
        self._lock = threading.Lock()
        self.last: Delivery | None = None
        self.content_version: str | None = None
        """The pack the kiosk guides from; it changes only at the start screen, so a session's events share one."""
        self.on_heartbeat_answer: Callable[[dict], None] | None = None
        """Hears each delivered heartbeat's answer (the content updater reads the desired version from it)."""

    def start(self) -> None:
        """Start delivering (also what a previous run left undelivered)."""
        self.sender.start()
        self.bulk.start()

    def stop(self) -> None:
        """Stop the sender; undelivered items stay on disk for the next start."""
        self.bulk.stop()
        self.sender.stop(close_outbox=True)

    def escalate(self, request: EscalationRequest, watcher: Watcher) -> str:
        """Queue a help request durably; `watcher` hears of its delivery (from the sender's thread)."""
        if request.content_version is None and self.content_version:
            request = request.model_copy(update={"content_version": self.content_version})
        key = self.outbox.put_escalation(request.model_dump(mode="json"))
        with self._lock:
            self._watchers[key] = watcher
        return key

    def cancel(self, escalation_key: str) -> None:
        """The resident left: queue the cancellation (sent after the request, once the helpdesk has its id)."""
        with self._lock:
            self._watchers.pop(escalation_key, None)
        self.outbox.put_cancel(escalation_key)

    def answer(self, escalation_key: str, answer: ResidentAnswer) -> str:
        """The resident's answer to staff, stored durably and sent after the help request it belongs to."""
        return self.outbox.put_answer(escalation_key, answer.model_dump(mode="json"))

    def cancel_leftovers(self) -> int:
        """Cancel help requests an earlier run left open (the kiosk restarted: the resident is gone)."""
        keys = self.outbox.open_escalations()
        for key in keys:
            self.outbox.put_cancel(key)
        return len(keys)

    def forget(self, escalation_key: str) -> None:
        """Stop telling anyone about this request (the session that asked has ended)."""
        with self._lock:
            self._watchers.pop(escalation_key, None)

    def record(self, event: Record) -> None:
        """Journal: one pseudonymous session event, stored durably for batch upload."""
        wire = to_wire(event, self.kiosk_id, dt.datetime.now(dt.UTC), self.content_version)
        if wire is not None:
            self.outbox.put_event(wire.model_dump(mode="json"))

    def heartbeat(
        self,
        *,
        kiosk_version: str,
        content_version: str,
        voice_available: bool,
        content_errors: list[str] | None = None,
        call_unavailable: str | None = None,
        content: dict[str, Any] | None = None,
        card_reader: CardReaderState | None = None,
    ) -> None:
        """Queue the kiosk's status (only the latest undelivered one is kept)."""
        beat = KioskHeartbeat(
            kiosk_version=kiosk_version,
            content_version=content_version,
            voice_available=voice_available,
            outbox_length=self.pending(),
            content_errors=(content_errors or [])[:50],
            call_unavailable=call_unavailable,
            content=ContentReport.model_validate(content) if content else None,
            card_reader=card_reader,
        )
        self.outbox.put_heartbeat(beat.model_dump(mode="json"))

    def pending(self) -> int:
        """Undelivered items (for the maintenance screen and the heartbeat)."""
        return self.outbox.pending()

    def _updated(self, delivery: Delivery) -> None:
        self.last = delivery
        hook = self.on_heartbeat_answer
        answered = delivery.kind == "heartbeat" and delivery.state == "delivered"
        if answered and hook is not None and isinstance(delivery.detail, dict):
            hook(delivery.detail)
        with self._lock:
            watcher = self._watchers.get(delivery.key)
            if delivery.state in ("delivered", "failed"):
                self._watchers.pop(delivery.key, None)
        if watcher is not None:
            watcher(delivery)
