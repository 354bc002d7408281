"""A process restart loses no events for connected consoles (issue 9): consoles streaming the queue from process B
keep going through B being stopped (SIGTERM) or killed (SIGKILL) and restarted on the same port, while escalations
and claims go through process A. Like a browser's EventSource they reconnect with the Last-Event-ID they last saw,
and get every missed event exactly once, in order. A console whose last id can no longer be replayed is told to
refetch (an `event: reset`), never left with a silent gap."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from helpdesk.bus.postgres import PostgresBus

from .conftest import PASSWORD, World, escalation_body, kiosk_headers, staff_token
from .test_server_process import free_port, spawn_server, start_server, wait_until_ready

API = "/api/v1"
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def login_cookie(base: str, login: str) -> str:
    """Log a staff member in through the console's login API; returns the session cookie header."""
    answer = httpx.post(f"{base}{API}/auth/login", json={"login": login, "password": PASSWORD}, timeout=10)
    assert answer.status_code == 200, answer.text
    return f"yorisoi_session={answer.cookies['yorisoi_session']}"


class Console:
    """The queue page's EventSource, logged in by cookie: streams /queue/stream and, whenever the stream breaks,
    reconnects after a short pause with the last event id it saw, as a browser does."""

    def __init__(self, base: str, cookie: str, last_event_id: int | None = None, header: str = "Cookie") -> None:
        self.base, self.credentials, self.header, self.last_id = base, cookie, header, last_event_id
        self.local_port = 0  # of the current connection
        self.events: list[tuple[int, str, dict]] = []  # (id, event type, data) in arrival order
        self.connects = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self.connected.wait(15), "the console never connected"

    def _run(self) -> None:
        while not self._stop.is_set():
            headers = {self.header: self.credentials}
            if self.last_id is not None:
                headers["Last-Event-ID"] = str(self.last_id)
            try:
                with httpx.stream(
                    "GET", f"{self.base}{API}/queue/stream", headers=headers, timeout=httpx.Timeout(2, read=None)
                ) as response:
                    if response.status_code == 200:
                        self.local_port = (
                            response.extensions["network_stream"].get_extra_info("socket").getsockname()[1]
                        )
                        self.connects += 1
                        self.connected.set()
                        self._read(response)
            except httpx.HTTPError:
                pass
            self.connected.clear()
            self._stop.wait(0.1)

    def _read(self, response: httpx.Response) -> None:
        event_id, kind = None, "message"
        for line in response.iter_lines():
            if self._stop.is_set():
                return
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                self.events.append((event_id, kind, json.loads(line[6:])))
                if event_id is not None:
                    self.last_id = event_id
                event_id, kind = None, "message"

    def changes(self) -> list[tuple[str, str]]:
        """(escalation id, action) of every queue event received, in order."""
        return [(data["escalation_id"], data["action"]) for _, kind, data in self.events if kind == "queue"]

    def wait_for(self, expected: list[tuple[str, str]], timeout_s: float = 20) -> None:
        """Wait until at least the expected number of changes arrived (a duplicate of one of them would come before
        whatever is published next: the test ends each check with a marker event behind the others)."""
        deadline = time.monotonic() + timeout_s
        while len(self.changes()) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self) -> None:
        self._stop.set()


def test_consoles_on_a_restarted_process_catch_up_exactly_once(pg_world: World, tmp_path: Path) -> None:
    port_a, port_b = free_port(), free_port()
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    process_a = start_server(pg_world.url, port_a, log_a)
    process_b = start_server(pg_world.url, port_b, log_b)
    alice = staff_token(pg_world, "alice")
    client = httpx.Client(timeout=10)
    expected: list[tuple[str, str]] = []
    n = 0

    def escalate_through_a() -> str:
        nonlocal n
        n += 1
        answer = client.post(
            f"{a}{API}/escalations", json=escalation_body(), headers=kiosk_headers(pg_world, "north-1", f"r-{n}")
        )
        assert answer.status_code == 201, answer.text
        expected.append((answer.json()["id"], "create"))
        return answer.json()["id"]

    def claim_through_a(escalation_id: str) -> None:
        answer = client.post(f"{a}{API}/escalations/{escalation_id}/claim", headers=alice)
        assert answer.status_code == 200, answer.text
        expected.append((escalation_id, "claim"))

    consoles = [Console(b, login_cookie(b, login)) for login in ("alice", "bob")]
    try:
        for _ in range(3):
            escalate_through_a()
        for console in consoles:
            console.wait_for(expected)
            assert console.changes() == expected

        for stop in (signal.SIGTERM, signal.SIGKILL):
            process_b.send_signal(stop)
            process_b.wait(30)
            for _ in range(4):  # while B is down
                escalate_through_a()
            claim_through_a(expected[-2][0])
            deadline = time.monotonic() + 10
            while any(console.connected.is_set() for console in consoles) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not any(console.connected.is_set() for console in consoles)  # their streams broke
            process_b = wait_until_ready(spawn_server(pg_world.url, port_b, log_b), port_b, log_b)
            escalate_through_a()  # and once it is back
            for console in consoles:
                console.wait_for(expected)
                assert console.changes() == expected, f"after {stop.name}"

        escalate_through_a()  # a marker: events arrive in order, so a late duplicate would have come before it
        for console in consoles:
            console.wait_for(expected)
            assert console.changes() == expected
        for console in consoles:
            ids = [event_id for event_id, _, _ in console.events]
            assert ids == sorted(set(ids)), "event ids go up, each once"
            assert console.connects == 3  # first connect, and one reconnect after each restart
            assert not [e for e in console.events if e[1] == "reset"]  # everything was replayable
    finally:
        for console in consoles:
            console.close()
        client.close()
        for process in (process_a, process_b):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_console_too_far_behind_is_told_to_refetch(pg_world: World, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(pg_world.url, port, tmp_path / "server.log")
    client = httpx.Client(timeout=10)
    try:
        cookie = login_cookie(base, "alice")
        first = Console(base, cookie)
        ids = []
        for n in range(3):
            answer = client.post(
                f"{base}{API}/escalations",
                json=escalation_body(),
                headers=kiosk_headers(pg_world, "north-1", f"old-{n}"),
            )
            ids.append(answer.json()["id"])
        first.wait_for([(i, "create") for i in ids])
        first.close()
        oldest_seen = first.events[0][0]

        # The events are trimmed away (as the sweeper does once they are older than YORISOI_BUS_REPLAY_S).
        trimmer = PostgresBus(pg_world.url, retain_s=0)
        trimmer.trim()
        asyncio.run(trimmer.stop())
        late = Console(base, cookie, last_event_id=oldest_seen)
        deadline = time.monotonic() + 10
        while not late.events and time.monotonic() < deadline:
            time.sleep(0.02)
        event_id, kind, data = late.events[0]
        assert kind == "reset" and data["action"] == "reset"
        assert event_id == first.events[-1][0]  # the refetch covers everything up to the newest event

        answer = client.post(
            f"{base}{API}/escalations", json=escalation_body(), headers=kiosk_headers(pg_world, "north-1", "new")
        )
        marker = client.post(
            f"{base}{API}/escalations", json=escalation_body(), headers=kiosk_headers(pg_world, "north-1", "marker")
        )
        late.wait_for([("", ""), ("", "")])
        # then the stream carries on as usual, each event once (a duplicate would have come before the marker)
        assert late.changes() == [(answer.json()["id"], "create"), (marker.json()["id"], "create")]
        late.close()

        # A last id the database never issued (a console from before a restore) is not replayed either.
        future = Console(base, cookie, last_event_id=late.events[-1][0] + 1000)
        deadline = time.monotonic() + 10
        while not future.events and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [kind for _, kind, _ in future.events] == ["reset"]
        future.close()
    finally:
        client.close()
        process.terminate()
        process.wait(15)
