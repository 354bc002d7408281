"""The kiosk's HTTP client against a real (tiny, stdlib) HTTP server on 127.0.0.1: headers, errors, timeouts."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from helpdesk.wire import EscalationRequest, KioskHeartbeat
from kiosk.link.client import HelpdeskClient, HelpdeskRefused, HelpdeskUnreachable

NOW = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC).isoformat()
STATUS = {
    "id": "esc-1",
    "status": "waiting",
    "position": 1,
    "estimated_wait_s": 60,
    "created_at": NOW,
    "updated_at": NOW,
}


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list] = []
    mode = "ok"

    def log_message(self, *_args):
        pass

    def _answer(self, code: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout test): that is the point
            self.wfile.write(raw)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        Handler.seen.append((self.path, dict(self.headers), body))
        if Handler.mode == "slow":
            time.sleep(1.5)
        if Handler.mode == "down":
            return self._answer(503, {"code": "database-unavailable", "message": "down"})
        if Handler.mode == "refuse":
            return self._answer(409, {"code": "idempotency-conflict", "message": "same key, different body"})
        if self.path.endswith("/kiosks/heartbeat"):
            return self._answer(200, {"server_time": NOW, "site_id": "s", "site_name": "北", "fallback_phone": None})
        return self._answer(201, STATUS)

    def do_GET(self):
        Handler.seen.append((self.path, dict(self.headers), None))
        if "/messages" in self.path:
            return self._answer(200, {"messages": [], "last_id": 7, "status": "claimed"})
        return self._answer(200, STATUS)


@pytest.fixture
def server():
    Handler.seen, Handler.mode = [], "ok"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


REQUEST = EscalationRequest(session_id="abcdef123456", procedure_id="p", step_id="s", language="ja", reason="other")


def test_create_sends_bearer_key_and_idempotency_key(server):
    client = HelpdeskClient(server, "ysk_test")
    status = client.create_escalation(REQUEST, "key-123")
    assert status.id == "esc-1" and status.position == 1
    path, headers, body = Handler.seen[0]
    assert path == "/api/v1/escalations"
    assert headers["Authorization"] == "Bearer ysk_test" and headers["Idempotency-Key"] == "key-123"
    assert body["reason"] == "other" and body["session_id"] == "abcdef123456"


def test_messages_long_poll_passes_after_and_wait(server):
    batch = HelpdeskClient(server, "k").messages("esc-1", after=5, wait_s=2)
    assert batch.last_id == 7 and batch.status == "claimed"
    assert Handler.seen[0][0] == "/api/v1/escalations/esc-1/messages?after=5&wait=2"


def test_heartbeat(server):
    beat = KioskHeartbeat(kiosk_version="0.1", content_version="x", voice_available=False, outbox_length=0)
    assert HelpdeskClient(server, "k").heartbeat(beat).site_name == "北"


def test_server_errors_are_unreachable_and_client_errors_refused_with_the_code(server):
    client = HelpdeskClient(server, "k")
    Handler.mode = "down"
    with pytest.raises(HelpdeskUnreachable) as down:
        client.create_escalation(REQUEST, "k1")
    assert down.value.status == 503
    Handler.mode = "refuse"
    with pytest.raises(HelpdeskRefused) as refused:
        client.create_escalation(REQUEST, "k1")
    assert refused.value.code == "idempotency-conflict" and refused.value.status == 409


def test_every_call_has_a_timeout(server):
    Handler.mode = "slow"
    client = HelpdeskClient(server, "k", timeout_s=0.3)
    with pytest.raises(HelpdeskUnreachable):  # the server answers after 1.5 s: only a timeout makes this fail
        client.create_escalation(REQUEST, "k1")


def test_nothing_listening_is_unreachable():
    with pytest.raises(HelpdeskUnreachable) as caught:
        HelpdeskClient("http://127.0.0.1:9", "k").escalation("esc-1")
    assert caught.value.code == "helpdesk-unreachable"


def test_tls_verification_is_on_and_a_ca_file_can_be_given(tmp_path):
    assert HelpdeskClient("https://helpdesk.example.jp", "k").session.verify is True
    ca = tmp_path / "ca.pem"
    assert HelpdeskClient("https://helpdesk.example.jp", "k", ca_file=ca).session.verify == str(ca)
