"""Faults the kiosk outbox must survive, on real processes: a helpdesk server on loopback that is down, killed
with -9 mid-delivery, or whose responses are lost after it committed; and a kiosk killed with -9."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
import uuid

import pytest

from kiosk.link.client import HelpdeskClient
from kiosk.link.outbox import Backoff, Outbox
from kiosk.link.sender import Sender
from tests.netfaults import FaultyProxy

pytestmark = pytest.mark.slow


def request_body(n: int) -> dict:
    return {
        "session_id": f"sess-{n:04d}-" + "b" * 16,
        "procedure_id": "konbini-juminhyo",
        "step_id": "insert-card",
        "language": "ja",
        "reason": "card-unreadable",
        "path": [{"step_id": "start", "seconds": 4.0}],
    }


def event_body(kiosk_id: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "session_id": "sess-events-" + "c" * 12,
        "kiosk_id": kiosk_id,
        "action": "step-shown",
        "procedure_id": "konbini-juminhyo",
        "step_id": "start",
        "seconds": 0,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }


def wait_until(predicate, timeout_s: float = 60.0, every_s: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return predicate()


FAST = Backoff(base_s=0.1, cap_s=0.5)


def test_helpdesk_down_then_up_delivers_exactly_once(helpdesk, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3", backoff=FAST)
    client = HelpdeskClient(helpdesk.url, helpdesk.seed.kiosk_key, timeout_s=5)
    waiting = threading.Event()
    sender = Sender(outbox, client, on_update=lambda d: waiting.set() if d.state == "waiting" else None)
    sender.start()
    try:
        keys = [outbox.put_escalation(request_body(n)) for n in range(5)]
        assert waiting.wait(10), "the sender should report that it waits for the network"
        helpdesk.start()
        assert wait_until(lambda: outbox.pending() == 0)
    finally:
        sender.stop()
        outbox.close()
        client.close()
    assert sorted(helpdesk.escalation_keys()) == sorted(keys)


def test_kill_9_of_the_helpdesk_mid_delivery_loses_and_duplicates_nothing(helpdesk, tmp_path):
    helpdesk.start()
    outbox = Outbox(tmp_path / "outbox.sqlite3", backoff=FAST)
    client = HelpdeskClient(helpdesk.url, helpdesk.seed.kiosk_key, timeout_s=5)
    delivered, waiting = [], threading.Event()

    def update(d) -> None:
        if d.state == "delivered":
            delivered.append(d.key)
        elif d.state == "waiting":
            waiting.set()

    sender = Sender(outbox, client, batch=50, on_update=update)
    sender.start()
    keys, events = [], []
    try:
        for round_ in range(3):
            before = len(delivered)
            for n in range(40):
                keys.append(outbox.put_escalation(request_body(round_ * 100 + n)))
                body = event_body(helpdesk.seed.kiosk_id)
                events.append(body["event_id"])
                outbox.put_event(body)
            assert wait_until(lambda b=before: len(delivered) > b, every_s=0.01)  # under way: kill the helpdesk now
            waiting.clear()
            helpdesk.kill()
            assert waiting.wait(30)  # the sender met the dead helpdesk and waits to retry
            helpdesk.start()
        assert wait_until(lambda: outbox.pending() == 0, timeout_s=120)
    finally:
        sender.stop()
        outbox.close()
        client.close()
    stored = helpdesk.escalation_keys()
    assert len(stored) == len(set(stored)) == len(keys)
    assert set(stored) == set(keys)
    assert sorted(helpdesk.event_ids()) == sorted(events)


KIOSK_SCRIPT = """
import sys, time
from kiosk.link.client import HelpdeskClient
from kiosk.link.outbox import Backoff, Outbox
from kiosk.link.sender import Sender
from tests.netfaults import FaultyProxy
outbox = Outbox(sys.argv[1], backoff=Backoff(base_s=0.1, cap_s=0.3))
for n in range(20):
    outbox.put_escalation({"session_id": f"sess-{n:04d}-" + "d" * 16, "procedure_id": "konbini-juminhyo",
                           "step_id": "insert-card", "language": "ja", "reason": "other", "path": []})
def update(d):
    if d.state == "waiting":
        print("waiting", flush=True)
sender = Sender(outbox, HelpdeskClient(sys.argv[2], sys.argv[3], timeout_s=2), on_update=update)
print("ready", flush=True)
sender.start()
time.sleep(600)
"""


def test_kill_9_of_the_kiosk_with_20_undelivered_items(helpdesk, tmp_path):
    path = tmp_path / "outbox.sqlite3"
    kiosk = subprocess.Popen(
        [sys.executable, "-c", KIOSK_SCRIPT, str(path), helpdesk.url, helpdesk.seed.kiosk_key],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert kiosk.stdout.readline().strip() == "ready"
        assert kiosk.stdout.readline().strip() == "waiting"  # the sender tried the helpdesk that is down
    finally:
        kiosk.kill()
        kiosk.wait(10)
        kiosk.stdout.close()
    helpdesk.start()
    outbox = Outbox(path, backoff=FAST)
    assert outbox.pending() == 20
    client = HelpdeskClient(helpdesk.url, helpdesk.seed.kiosk_key, timeout_s=5)
    sender = Sender(outbox, client)
    sender.start()
    try:
        assert wait_until(lambda: outbox.pending() == 0)
    finally:
        sender.stop()
        outbox.close()
        client.close()
    stored = helpdesk.escalation_keys()
    assert len(stored) == len(set(stored)) == 20


def test_lost_responses_after_commit_are_not_duplicated(helpdesk, tmp_path):
    helpdesk.start()
    proxy = FaultyProxy(helpdesk.port)
    proxy.drops = 6
    outbox = Outbox(tmp_path / "outbox.sqlite3", backoff=FAST)
    client = HelpdeskClient(f"http://127.0.0.1:{proxy.port}", helpdesk.seed.kiosk_key, timeout_s=5)
    sender = Sender(outbox, client)
    sender.start()
    try:
        keys = [outbox.put_escalation(request_body(n)) for n in range(4)]
        assert wait_until(lambda: outbox.pending() == 0)
    finally:
        sender.stop()
        outbox.close()
        client.close()
        proxy.close()
    assert proxy.dropped >= 4
    stored = helpdesk.escalation_keys()
    assert len(stored) == len(set(stored)) == 4 and set(stored) == set(keys)
