"""Fault 6: staff answer after the resident has left. The kiosk's cancellation (through the outbox, after its
request) reaches the helpdesk first, so the staff member sees the escalation cancelled instead of talking to an
empty kiosk."""

from __future__ import annotations

import time

import pytest
import requests

from helpdesk.wire import API_PREFIX, EscalationRequest
from kiosk.link.client import HelpdeskClient
from kiosk.link.courier import Courier
from kiosk.link.outbox import Backoff

pytestmark = pytest.mark.slow


def staff_session(helpdesk) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(
        f"{helpdesk.url}{API_PREFIX}/auth/login",
        timeout=10,
        json={"login": helpdesk.seed.staff_login, "password": helpdesk.seed.staff_password},
    )
    assert answer.status_code == 200, answer.text
    return session, answer.json()["csrf_token"]


def test_staff_reply_after_the_resident_left_shows_cancelled(helpdesk, tmp_path):
    helpdesk.start()
    client = HelpdeskClient(helpdesk.url, helpdesk.seed.kiosk_key, timeout_s=5)
    courier = Courier(tmp_path / "outbox.sqlite3", client, helpdesk.seed.kiosk_id, backoff=Backoff(0.1, 0.5))
    delivered = []
    courier.start()
    try:
        request = EscalationRequest(
            session_id="sess-left-" + "e" * 16,
            procedure_id="mynaportal-login",
            step_id="open-app",
            language="ja",
            reason="screen-unclear",
        )
        key = courier.escalate(request, delivered.append)
        deadline = time.monotonic() + 20
        while not delivered and time.monotonic() < deadline:
            time.sleep(0.05)
        escalation_id = delivered[0].detail["id"]
        courier.cancel(key)  # the resident went home
        while courier.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert courier.pending() == 0
    finally:
        courier.stop()
        client.close()

    staff, csrf = staff_session(helpdesk)
    headers = {"X-CSRF-Token": csrf}
    status = staff.get(f"{helpdesk.url}{API_PREFIX}/escalations/{escalation_id}", timeout=10).json()
    assert status["status"] == "cancelled"
    reply = staff.post(
        f"{helpdesk.url}{API_PREFIX}/escalations/{escalation_id}/messages",
        headers=headers,
        json={"kind": "text", "text": "お待たせしました"},
        timeout=10,
    )
    assert reply.status_code == 409, reply.text
    assert reply.json()["code"] == "invalid-transition"
