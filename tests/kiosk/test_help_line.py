"""The help line off the UI thread: retries with the same key, posts actions, stops on close."""

from __future__ import annotations

import threading
import time

from kiosk.guide import Escalate, PathEntry
from kiosk.guide import actions as a
from kiosk.link.help_line import HelpLine, request_of
from tests.kiosk.conftest import FakeHelpdesk

EFFECT = Escalate(
    "abcdef123456", "konbini-juminhyo", "has-card", "ja", "card-unreadable", (PathEntry("has-card", 3.5),)
)


class Posted:
    def __init__(self):
        self.actions: list = []
        self.event = threading.Event()

    def __call__(self, action, still_valid):
        if still_valid():
            self.actions.append(action)
            self.event.set()

    def wait_for(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.actions):
                return True
            time.sleep(0.01)
        return False


def test_request_of_an_escalate_effect():
    request = request_of(EFFECT)
    assert (request.procedure_id, request.step_id, request.reason) == (
        "konbini-juminhyo",
        "has-card",
        "card-unreadable",
    )
    assert request.path[0].seconds == 3.5
    assert request_of(Escalate("abcdef123456", None, None, "en", "other", ())).procedure_id == "none"


def test_unreachable_then_delivered_with_the_same_key_then_staff_messages():
    helpdesk, posted = FakeHelpdesk(), Posted()
    helpdesk.reachable = False
    keys = []
    original = helpdesk.create_escalation

    def create(request, key):
        keys.append(key)
        if len(keys) >= 2:
            helpdesk.reachable = True
        return original(request, key)

    helpdesk.create_escalation = create
    line = HelpLine(helpdesk, posted, poll_wait_s=0.1)
    line.open(EFFECT)
    assert posted.wait_for(lambda acts: any(isinstance(x, a.EscalationUpdate) for x in acts))
    assert isinstance(posted.actions[0], a.HelpdeskUnreachable)
    assert len(set(keys)) == 1 and len(keys) == 2  # a retry reuses the Idempotency-Key
    helpdesk.inbox.put(("text", "すぐ行きます", None))
    helpdesk.inbox.put(("send-step", "", "pin"))
    assert posted.wait_for(lambda acts: a.StaffMessageArrived("send-step", step_id="pin") in acts)
    assert any(
        x.kind == "text" and x.text == "すぐ行きます" for x in posted.actions if isinstance(x, a.StaffMessageArrived)
    )
    assert line.close() == "esc-1"


class HeldPoll(FakeHelpdesk):
    """Each long poll waits until the test lets it answer, so a poll can be caught in flight."""

    def __init__(self):
        super().__init__()
        self.polling, self.answer = threading.Event(), threading.Event()
        self.poller: threading.Thread | None = None

    def messages(self, escalation_id, after=0, wait_s=0):
        self.poller = threading.current_thread()
        self.polling.set()
        assert self.answer.wait(10)
        return super().messages(escalation_id, after, wait_s)


def test_close_drops_everything_still_in_flight():
    helpdesk, posted = HeldPoll(), Posted()
    line = HelpLine(helpdesk, posted, poll_wait_s=0.1)
    line.open(EFFECT)
    assert helpdesk.polling.wait(5)  # a long poll is out
    line.close()
    count = len(posted.actions)
    helpdesk.inbox.put(("text", "おそい返事", None))
    helpdesk.answer.set()  # the poll comes back with a staff message after the close
    assert helpdesk.poller is not None
    helpdesk.poller.join(10)
    assert not helpdesk.poller.is_alive()  # the listener stopped: nothing can be posted any more
    assert helpdesk.inbox.empty() and len(posted.actions) == count  # the message came back, and was dropped


def test_resolved_escalation_ends_the_poll():
    helpdesk, posted = FakeHelpdesk(), Posted()
    line = HelpLine(helpdesk, posted, poll_wait_s=0.05)
    line.open(EFFECT)
    assert posted.wait_for(lambda acts: acts)
    helpdesk.status = "resolved"
    assert posted.wait_for(lambda acts: a.StaffMessageArrived("resolved") in acts)


def test_an_answer_waits_durably_behind_its_request_and_is_sent_once():
    helpdesk, posted = FakeHelpdesk(), Posted()
    helpdesk.reachable = False
    line = HelpLine(helpdesk, posted, poll_wait_s=0.1)
    line.open(EFFECT)
    line.answer("understood", None)  # touched before the helpdesk had the request
    assert posted.wait_for(lambda acts: any(isinstance(x, a.HelpdeskUnreachable) for x in acts))
    assert helpdesk.answers == {}
    helpdesk.reachable = True
    line.courier.outbox.wake()
    line.courier.sender.outbox.clock = lambda: 1e12  # every retry is due now
    assert posted.wait_for(lambda acts: any(isinstance(x, a.EscalationUpdate) for x in acts))
    deadline = time.monotonic() + 10
    while not helpdesk.answers and time.monotonic() < deadline:
        time.sleep(0.05)
    [(escalation_id, answer)] = helpdesk.answers.values()
    assert escalation_id == "esc-1" and answer.answer == "understood"
    line.close()


def test_the_heartbeat_says_why_calls_are_unavailable(tmp_path):
    from kiosk.link.courier import Courier

    helpdesk = FakeHelpdesk()
    courier = Courier(tmp_path / "outbox.sqlite3", helpdesk, "kiosk-1")
    courier.heartbeat(kiosk_version="1", content_version="c", voice_available=False, call_unavailable="no-microphone")
    assert courier.bulk.deliver_due() == 1  # heartbeats go in the bulk lane
    assert helpdesk.beats[-1].call_unavailable == "no-microphone"
    courier.stop()


class SlowedDown(FakeHelpdesk):
    """The first polls are refused with 429 (this kiosk is over its rate), then the helpdesk answers again."""

    def __init__(self):
        super().__init__()
        self.refusals = 2

    def messages(self, escalation_id, after=0, wait_s=0):
        from kiosk.link.client import HelpdeskUnreachable

        if self.refusals:
            self.refusals -= 1
            raise HelpdeskUnreachable("GET /messages: HTTP 429", status=429)
        return super().messages(escalation_id, after, wait_s)


def test_a_rate_limited_poll_retries_without_telling_the_resident_the_helpdesk_is_gone():
    helpdesk, posted = SlowedDown(), Posted()
    line = HelpLine(helpdesk, posted, poll_wait_s=0.1)
    line.open(EFFECT)
    helpdesk.inbox.put(("text", "お待たせしました", None))
    assert posted.wait_for(lambda acts: any(isinstance(x, a.StaffMessageArrived) for x in acts))
    assert helpdesk.refusals == 0  # both refusals happened before the message came through
    assert not any(isinstance(x, a.HelpdeskUnreachable) for x in posted.actions)
    line.close()
