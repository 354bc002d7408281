"""The durable outbox and its sender, against a fake helpdesk with the same interface (real SQLite file)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from helpdesk.wire import EscalationStatus, EventBatchResult
from kiosk.link.client import HelpdeskRefused, HelpdeskUnreachable
from kiosk.link.outbox import Backoff, Outbox
from kiosk.link.sender import Sender

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


class FakeHelpdesk:
    """Implements the kiosk's `Helpdesk` interface; can be switched down, and records every call."""

    def __init__(self):
        self.up = True
        self.escalations: dict[str, str] = {}  # idempotency key → id
        self.cancelled: list[str] = []
        self.events: set[str] = set()
        self.calls: list[str] = []
        self.refuse: set[str] = set()

    def _check(self, what: str):
        self.calls.append(what)
        if not self.up:
            raise HelpdeskUnreachable(f"{what}: connection refused")
        if what in self.refuse:
            raise HelpdeskRefused(f"{what}: refused", code="forbidden", status=403)

    def create_escalation(self, request, idempotency_key):
        self._check("create")
        esc_id = self.escalations.setdefault(idempotency_key, uuid.uuid4().hex)
        return EscalationStatus(id=esc_id, status="waiting", position=1, created_at=NOW, updated_at=NOW)

    def cancel(self, escalation_id):
        self._check("cancel")
        self.cancelled.append(escalation_id)
        return EscalationStatus(id=escalation_id, status="cancelled", created_at=NOW, updated_at=NOW)

    def send_events(self, batch):
        self._check("events")
        new = {str(e.event_id) for e in batch.events} - self.events
        self.events |= new
        return EventBatchResult(accepted=len(new), duplicates=len(batch.events) - len(new))

    def heartbeat(self, beat):
        self._check("heartbeat")
        raise AssertionError("not used here")

    def escalation(self, escalation_id):
        raise AssertionError("not used here")

    def messages(self, escalation_id, after=0, wait_s=0):
        raise AssertionError("not used here")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def request_body(step="two"):
    return {
        "session_id": "sess-" + "a" * 20,
        "procedure_id": "sample",
        "step_id": step,
        "language": "ja",
        "reason": "other",
        "path": [{"step_id": "one", "seconds": 3.5}],
    }


def event_body():
    return {
        "event_id": str(uuid.uuid4()),
        "session_id": "sess-" + "a" * 20,
        "kiosk_id": "k1",
        "action": "step-shown",
        "procedure_id": "sample",
        "step_id": "one",
        "seconds": 0,
        "at": NOW.isoformat(),
    }


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def outbox(tmp_path, clock):
    box = Outbox(tmp_path / "outbox.sqlite3", clock=clock, backoff=Backoff(base_s=1, cap_s=8), seed=1)
    yield box
    box.close()


def test_escalation_delivered_once_with_its_key(outbox):
    helpdesk = FakeHelpdesk()
    updates = []
    key = outbox.put_escalation(request_body())
    sender = Sender(outbox, helpdesk, on_update=updates.append)
    assert sender.deliver_due() == 1
    assert list(helpdesk.escalations) == [key]
    assert [(u.kind, u.state) for u in updates] == [("escalation", "delivered")]
    assert updates[0].detail["id"] == helpdesk.escalations[key]
    assert outbox.pending() == 0 and sender.deliver_due() == 0


def test_network_down_retries_with_capped_backoff_then_delivers(outbox, clock):
    helpdesk = FakeHelpdesk()
    helpdesk.up = False
    updates = []
    outbox.put_escalation(request_body())
    sender = Sender(outbox, helpdesk, on_update=updates.append)
    delays = []
    for _ in range(6):
        assert sender.deliver_due() == 0
        delays.append(updates[-1].detail["retry_in_s"])
        assert outbox.due() == []  # not due again before its delay
        clock.now += 10
    assert all(0.5 <= d <= 8 for d in delays) and delays[-1] >= 4  # grows, capped at 8 s
    assert {u.state for u in updates} == {"waiting"}
    helpdesk.up = True
    assert sender.deliver_due() == 1
    assert len(helpdesk.escalations) == 1 and updates[-1].state == "delivered"


def test_refused_item_fails_for_good_and_does_not_block_others(outbox):
    helpdesk = FakeHelpdesk()
    helpdesk.refuse = {"create"}
    updates = []
    outbox.put_escalation(request_body())
    for _ in range(3):
        outbox.put_event(event_body())
    sender = Sender(outbox, helpdesk, on_update=updates.append)
    sender.deliver_due()
    assert [u.state for u in updates if u.kind == "escalation"] == ["failed"]
    assert len(helpdesk.events) == 3 and outbox.pending() == 0


def test_cancel_waits_for_its_escalation_and_uses_the_servers_id(outbox, clock):
    helpdesk = FakeHelpdesk()
    helpdesk.up = False
    key = outbox.put_escalation(request_body())
    outbox.put_cancel(key)
    sender = Sender(outbox, helpdesk)
    sender.deliver_due()
    assert helpdesk.calls == ["create"]  # the cancel did not overtake its escalation
    helpdesk.up = True
    clock.now += 100
    sender.deliver_due()
    sender.deliver_due()
    assert helpdesk.cancelled == [helpdesk.escalations[key]]


def test_cancel_of_a_request_that_never_arrived_is_dropped(outbox):
    helpdesk = FakeHelpdesk()
    helpdesk.refuse = {"create"}
    key = outbox.put_escalation(request_body())
    outbox.put_cancel(key)
    sender = Sender(outbox, helpdesk)
    sender.deliver_due()
    sender.deliver_due()
    assert helpdesk.cancelled == [] and outbox.pending() == 0


def test_events_go_in_batches_and_are_deleted_once_delivered(outbox):
    helpdesk = FakeHelpdesk()
    for _ in range(1200):
        outbox.put_event(event_body())
    sender = Sender(outbox, helpdesk, batch=500)
    handled = [sender.deliver_due() for _ in range(4)]
    assert handled == [500, 500, 200, 0]
    assert helpdesk.calls == ["events"] * 3 and len(helpdesk.events) == 1200
    assert outbox.pending() == 0


def test_same_key_is_stored_once(outbox):
    body = event_body()
    outbox.put_event(body)
    outbox.put_event(body)
    assert outbox.pending() == 1


def test_undelivered_items_survive_a_restart(tmp_path, clock):
    path = tmp_path / "outbox.sqlite3"
    first = Outbox(path, clock=clock)
    keys = [first.put_escalation(request_body()) for _ in range(5)]
    first.close()
    second = Outbox(path, clock=clock)
    helpdesk = FakeHelpdesk()
    Sender(second, helpdesk).deliver_due()
    assert sorted(helpdesk.escalations) == sorted(keys)
    second.close()


def test_only_the_latest_heartbeat_is_kept(outbox):
    for n in range(3):
        outbox.put_heartbeat(
            {"kiosk_version": "1", "content_version": str(n), "voice_available": True, "outbox_length": 0}
        )
    [item] = outbox.due()
    assert item.body["content_version"] == "2"
    assert outbox.pending() == 0  # heartbeats are not counted as undelivered work


def test_background_thread_delivers_after_put(outbox):
    helpdesk = FakeHelpdesk()
    import threading

    done = threading.Event()
    sender = Sender(outbox, helpdesk, on_update=lambda d: done.set())
    sender.start()
    try:
        outbox.put_escalation(request_body())
        assert done.wait(10)
    finally:
        sender.stop()
    assert len(helpdesk.escalations) == 1


def test_a_help_request_never_waits_behind_an_event_batch_in_flight(tmp_path) -> None:
    """The courier's two lanes: while a slow event batch is on the wire, a help request goes out beside it."""
    import threading

    from kiosk.link.courier import Courier

    class SlowEvents(FakeHelpdesk):
        def __init__(self):
            super().__init__()
            self.on_the_wire, self.release, self.created = threading.Event(), threading.Event(), threading.Event()

        def send_events(self, batch):
            self.on_the_wire.set()
            assert self.release.wait(10)
            return super().send_events(batch)

        def create_escalation(self, request, idempotency_key):
            self.created.set()
            return super().create_escalation(request, idempotency_key)

    helpdesk = SlowEvents()
    courier = Courier(tmp_path / "outbox.sqlite3", helpdesk, "k1")
    courier.start()
    try:
        courier.outbox.put_event(event_body())
        assert helpdesk.on_the_wire.wait(5)
        courier.outbox.put_escalation(request_body())
        assert helpdesk.created.wait(5), "the help request waited for the event batch"
        assert not helpdesk.release.is_set()
    finally:
        helpdesk.release.set()
        courier.stop()


def test_every_kind_the_outbox_stores_has_a_sender_lane() -> None:
    """An item of a kind no lane takes would wait in the outbox forever."""
    import inspect
    import re

    from kiosk.link import outbox
    from kiosk.link.courier import BULK_KINDS, HELP_KINDS

    stored = set(re.findall(r'self\.put\("([a-z-]+)"', inspect.getsource(outbox.Outbox)))
    assert stored and stored <= set(HELP_KINDS) | set(BULK_KINDS)
    assert not set(HELP_KINDS) & set(BULK_KINDS)


def test_a_put_wakes_every_sender_even_when_another_cleared_its_wake_up(tmp_path) -> None:
    """Two lanes share the outbox: one lane clearing its wake-up must not swallow the other's."""
    from kiosk.link.outbox import Outbox

    outbox = Outbox(tmp_path / "outbox.sqlite3")
    help_lane, bulk_lane = outbox.listener(), outbox.listener()
    outbox.put("escalation", {"x": 1}, group="g")
    bulk_lane.clear()  # the bulk lane looked, found nothing of its own, and went back to waiting
    assert help_lane.is_set()
    outbox.close()
