"""A staff member's open queue stream ends when their access does — account disabled (REQUIREMENTS: sessions end
"when the account is disabled"), role or sites changed — also when the change is made by another process; and a
stream lets go of the server as soon as its client disconnects. Real uvicorn on 127.0.0.1, real HTTP."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import ClassVar

import httpx
import pytest

from helpdesk.api.app import create_app
from helpdesk.api.services import Services
from helpdesk.bus import QUEUE_TOPIC
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer
from helpdesk.store import accounts

from .conftest import PASSWORD, World, api_settings, escalation_body, kiosk_headers

API = "/api/v1"
ADMIN = "/console/api/admin"


@pytest.fixture
def running(sqlite_world: World) -> Iterator[tuple[str, Services]]:
    app = create_app(api_settings(sqlite_world))
    with EmbeddedServer(app) as server:
        yield server.base_url, app.state.services
    app.state.services.db.dispose()


@pytest.fixture
def logged_in(running: tuple[str, Services]) -> Iterator[Callable[[str], httpx.Client]]:
    """Factory: a client with a console session (cookie + CSRF header); all closed before the server stops."""
    clients: list[httpx.Client] = []

    def log_in(login: str) -> httpx.Client:
        client = httpx.Client(base_url=running[0], timeout=10)
        clients.append(client)
        answer = client.post(f"{API}/auth/login", json={"login": login, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client

    yield log_in
    for stream in Stream.opened:
        stream.disconnect()
    Stream.opened.clear()
    for client in clients:
        client.close()
    wait_until(lambda: running[1].bus.subscriber_count(QUEUE_TOPIC) == 0)


class Stream:
    """GET /queue/stream in a thread, keeping every line and noting when the server ended the response."""

    opened: ClassVar[list[Stream]] = []

    def __init__(self, client: httpx.Client) -> None:
        Stream.opened.append(self)
        self.lines: list[str] = []
        self.open, self.ended = threading.Event(), threading.Event()
        self._client = client
        self._response: httpx.Response | None = None
        threading.Thread(target=self._read, daemon=True).start()
        assert self.open.wait(10), "the stream did not open"

    def _read(self) -> None:
        try:
            with self._client.stream("GET", f"{API}/queue/stream", timeout=httpx.Timeout(10, read=None)) as response:
                assert response.status_code == 200
                self._response = response
                self.open.set()
                for line in response.iter_lines():
                    self.lines.append(line)
            self.ended.set()
        except httpx.HTTPError:  # closed by the test
            pass

    def disconnect(self) -> None:
        """The client goes away (a closed tab): the connection is shut down under the reading thread."""
        if self._response is not None and not self.ended.is_set():
            with contextlib.suppress(OSError):
                self._response.extensions["network_stream"].get_extra_info("socket").shutdown(socket.SHUT_RDWR)


def wait_until(condition, timeout_s: float = 5.0) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `condition()` held (fails after `timeout_s`)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout_s, "timed out"
        time.sleep(0.01)
    return time.monotonic() - started


def test_disabling_an_account_ends_its_open_stream_and_session_at_once(
    running: tuple[str, Services], logged_in: Callable[[str], httpx.Client], sqlite_world: World
) -> None:
    svc = running[1]
    admin, alice, bob = logged_in("adam"), logged_in("alice"), logged_in("bob")
    alices, bobs = Stream(alice), Stream(bob)
    wait_until(lambda: svc.bus.subscriber_count(QUEUE_TOPIC) == 2)

    started = time.monotonic()
    assert admin.post(f"{ADMIN}/staff/alice/disable").status_code == 200
    assert alices.ended.wait(5), "the disabled member's stream is still open"
    print(f"disable -> stream ended after {(time.monotonic() - started) * 1000:.0f} ms")
    assert "event: ended" in alices.lines
    assert alice.get(f"{API}/auth/me").status_code == 401
    assert alice.get(f"{API}/queue/stream").status_code == 401  # a reconnect is refused

    kiosk = logged_in("adam")  # any client closed at the end; the kiosk key goes in the headers
    created = kiosk.post(
        f"{API}/escalations", json=escalation_body(), headers=kiosk_headers(sqlite_world, "north-1", "k")
    )
    wait_until(lambda: any(created.json()["id"] in line for line in bobs.lines))  # others' streams carry on
    assert not bobs.ended.is_set()
    assert not any("access-changed" in line for line in bobs.lines if line.startswith("data:"))
    assert not any(created.json()["id"] in line for line in alices.lines)


def test_new_sites_or_role_end_the_stream_also_when_changed_by_another_process(
    running: tuple[str, Services], logged_in: Callable[[str], httpx.Client], sqlite_world: World
) -> None:
    svc = running[1]
    admin = logged_in("adam")
    renamed = {"display_name": "青木さん", "role": "staff", "site_ids": ["north"]}
    alice = logged_in("alice")
    alices = Stream(alice)
    assert admin.put(f"{ADMIN}/staff/alice", json=renamed).status_code == 200
    # A marker behind the rename: events reach the stream in order, so an ending would have come first.
    marker = admin.post(
        f"{API}/escalations", json=escalation_body(), headers=kiosk_headers(sqlite_world, "north-1", "marker")
    )
    wait_until(lambda: any(marker.json()["id"] in line for line in alices.lines))
    assert not alices.ended.is_set(), "a new display name alone changes no access"
    assert alice.get(f"{API}/auth/me").status_code == 200  # nor ends the session

    assert admin.put(f"{ADMIN}/staff/alice", json={**renamed, "site_ids": ["north", "south"]}).status_code == 200
    assert alices.ended.wait(5) and "event: ended" in alices.lines

    carols = Stream(logged_in("carol"))
    assert admin.put(
        f"{ADMIN}/staff/carol", json={"display_name": "c", "role": "trainer", "site_ids": ["south"]}
    ).is_success
    assert carols.ended.wait(5), "a new role ends the stream"

    bobs = Stream(logged_in("bob"))
    wait_until(lambda: svc.bus.subscriber_count(QUEUE_TOPIC) == 1)
    other = Database(sqlite_world.url)  # `yorisoi helpdesk disable-staff bob`: another process, no bus
    try:
        accounts.disable_staff(other, login="bob")
    finally:
        other.dispose()
    assert bobs.ended.wait(5), "the server reads the change from the table within its poll"


def test_a_stream_lets_go_of_the_server_when_its_client_disconnects(
    running: tuple[str, Services], logged_in: Callable[[str], httpx.Client]
) -> None:
    svc = running[1]
    streams = [Stream(logged_in(login)) for login in ("alice", "bob")]
    wait_until(lambda: svc.bus.subscriber_count(QUEUE_TOPIC) == 2)
    streams[0].disconnect()
    gone = wait_until(lambda: svc.bus.subscriber_count(QUEUE_TOPIC) == 1, timeout_s=3)  # no event, no keep-alive
    print(f"client gone -> subscription released after {gone * 1000:.0f} ms")
    assert not streams[1].ended.is_set()
    streams[1].disconnect()
    wait_until(lambda: svc.bus.subscriber_count(QUEUE_TOPIC) == 0, timeout_s=3)
