"""A process that dies after committing a change but before publishing its event loses no event: the event was
written in the change's own transaction. The real server process is told (a test-only environment variable) to
exit like `kill -9` right after a commit; consoles streaming the queue still get that escalation exactly once —
on SQLite by replay from the restarted process, on PostgreSQL live from the other process (its relay publishes what
the dead one committed) and by replay from the restarted one. The kiosk's retry (same Idempotency-Key) after the
crash finds the escalation and publishes nothing twice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from helpdesk.api.app import FAULT_ENV

from .conftest import World, escalation_body, kiosk_headers, reset_postgres
from .test_restart_catch_up import Console, login_cookie
from .test_server_process import free_port, spawn_server, start_server, wait_until_ready

API = "/api/v1"
pytestmark = pytest.mark.slow


def post_escalation(base: str, world: World, key: str) -> httpx.Response:
    """A kiosk's POST (one attempt)."""
    return httpx.post(f"{base}{API}/escalations", json=BODY, headers=kiosk_headers(world, "north-1", key), timeout=10)


BODY = escalation_body()


def crash_on_create(base: str, world: World, process: subprocess.Popen) -> None:
    """POST an escalation to a server told to die after this commit: no answer, and the process is gone."""
    with pytest.raises(httpx.TransportError):
        post_escalation(base, world, "lost-answer")
    assert process.wait(15) == 137  # it exited between its commit and its publish


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_sqlite_a_console_gets_an_event_committed_just_before_a_crash(sqlite_world: World, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    process = start_server(sqlite_world.url, port, log, **{FAULT_ENV: "2"})  # dies after its 2nd change
    console = Console(base, login_cookie(base, "alice"))
    try:
        first = post_escalation(base, sqlite_world, "before")
        assert first.status_code == 201
        console.wait_for([(first.json()["id"], "create")])
        crash_on_create(base, sqlite_world, process)
        process = wait_until_ready(spawn_server(sqlite_world.url, port, log), port, log)
        retry = post_escalation(base, sqlite_world, "lost-answer")  # the kiosk's outbox retries the same key
        assert retry.status_code == 200, "the escalation was committed before the crash"
        marker = post_escalation(base, sqlite_world, "marker")  # behind the others: a duplicate would come first
        expected = [(first.json()["id"], "create"), (retry.json()["id"], "create"), (marker.json()["id"], "create")]
        console.wait_for(expected)
        assert console.changes() == expected  # replayed from the table after the restart, once
        assert console.connects == 2
        assert not [e for e in console.events if e[1] == "reset"]
    finally:
        console.close()
        stop(process)


@pytest.mark.postgres
def test_postgres_an_event_committed_by_a_dying_process_reaches_every_console(
    postgres_template, tmp_path: Path
) -> None:
    url, keys, staff_ids = postgres_template
    reset_postgres(url, keys)
    world = World(url, keys, staff_ids)
    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    process_a = start_server(url, port_a, tmp_path / "a.log", **{FAULT_ENV: "1"})  # dies after its 1st change
    process_b = start_server(url, port_b, tmp_path / "b.log")
    on_a, on_b = Console(a, login_cookie(a, "alice")), Console(b, login_cookie(b, "bob"))
    try:
        first = post_escalation(b, world, "before")
        assert first.status_code == 201
        expected = [(first.json()["id"], "create")]
        for console in (on_a, on_b):
            console.wait_for(expected)
        crash_on_create(a, world, process_a)
        on_b.wait_for([*expected, ("", "")])  # B's relay publishes what A committed, while A is down
        crashed = on_b.changes()[-1][0]
        expected.append((crashed, "create"))
        assert on_b.changes() == expected and on_b.connects == 1

        process_a = wait_until_ready(spawn_server(url, port_a, tmp_path / "a.log"), port_a, tmp_path / "a.log")
        retry = post_escalation(a, world, "lost-answer")
        assert retry.status_code == 200 and retry.json()["id"] == crashed
        # A marker behind the retry: events arrive in order, so anything published twice would come before it.
        marker = post_escalation(a, world, "marker")
        expected.append((marker.json()["id"], "create"))
        for console in (on_a, on_b):
            console.wait_for(expected)
            assert console.changes() == expected, "exactly once each, in order (no relay of an already relayed row)"
            assert not [e for e in console.events if e[1] == "reset"]
        assert on_a.connects == 2  # it reconnected to the restarted A with Last-Event-ID and replayed
    finally:
        on_a.close()
        on_b.close()
        stop(process_a, process_b)
