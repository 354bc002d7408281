"""Real-time paths on a real server (uvicorn in a thread on 127.0.0.1): long-poll and Server-Sent Events."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from helpdesk.api.app import create_app
from helpdesk.bus import escalation_topic
from helpdesk.embedded import EmbeddedServer

from .conftest import World, api_settings, escalation_body, kiosk_headers, staff_token

API = "/api/v1"


@pytest.fixture
def server(sqlite_world: World):  # type: ignore[no-untyped-def]
    app = create_app(api_settings(sqlite_world))
    with EmbeddedServer(app) as running:
        yield running
    app.state.services.db.dispose()


def create(base: str, world: World, kiosk_id: str = "north-1") -> dict:
    response = httpx.post(
        f"{base}{API}/escalations",
        json=escalation_body(),
        headers=kiosk_headers(world, kiosk_id, uuid.uuid4().hex),
    )
    assert response.status_code == 201
    return response.json()


def test_long_poll_returns_as_soon_as_staff_reply(server: EmbeddedServer, sqlite_world: World) -> None:
    base = server.base_url
    escalation = create(base, sqlite_world)
    alice = staff_token(sqlite_world, "alice")
    result: dict = {}

    def poll() -> None:
        response = httpx.get(
            f"{base}{API}/escalations/{escalation['id']}/messages",
            params={"after": 0, "wait": 25},
            headers=kiosk_headers(sqlite_world, "north-1"),
            timeout=40,
        )
        result.update(body=response.json())

    bus = server.app.state.services.bus
    poller = threading.Thread(target=poll)
    poller.start()
    deadline = time.monotonic() + 10
    while bus.subscriber_count(escalation_topic(escalation["id"])) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bus.subscriber_count(escalation_topic(escalation["id"])) == 1  # the poll is open and holding
    assert httpx.post(f"{base}{API}/escalations/{escalation['id']}/claim", headers=alice).status_code == 200
    poller.join(40)
    # Had it not woken on the claim, the poll would run out (19 to 25 s) with what it read before the claim: nothing.
    assert [m["text"] for m in result["body"]["messages"]] == ["claimed"]
    assert result["body"]["status"] == "claimed"


def test_long_poll_times_out_empty(server: EmbeddedServer, sqlite_world: World) -> None:
    escalation = create(server.base_url, sqlite_world)
    started = time.monotonic()
    response = httpx.get(
        f"{server.base_url}{API}/escalations/{escalation['id']}/messages",
        params={"after": 0, "wait": 1},
        headers=kiosk_headers(sqlite_world, "north-1"),
    )
    assert response.json()["messages"] == [] and time.monotonic() - started > 0.9  # it held the poll open


def read_events(lines: Iterator[str], count: int, timeout_s: float = 10) -> list[tuple[int, dict]]:
    """Parse `count` SSE events (id, data) from the lines of a streaming response."""
    found: list[tuple[int, dict]] = []
    event_id, deadline = None, time.monotonic() + timeout_s
    for line in lines:
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            found.append((event_id, json.loads(line[6:])))
            if len(found) == count:
                break
        assert time.monotonic() < deadline
    return found


def test_queue_stream_shows_only_own_sites_and_replays_with_last_event_id(
    server: EmbeddedServer, sqlite_world: World
) -> None:
    base, alice = server.base_url, staff_token(sqlite_world, "alice")
    with httpx.stream("GET", f"{base}{API}/queue/stream", headers=alice, timeout=15) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": connected"
        create(base, sqlite_world, "south-1")  # another site: alice must not see it
        north = create(base, sqlite_world, "north-1")
        events = read_events(lines, 1)
    data = events[0][1]
    assert data.pop("row") | {"created_at": None} == {  # what the console's row shows, so it draws it at once
        "id": north["id"], "status": "waiting", "site_id": "north", "kiosk_id": "north-1", "claimed_by": None,
        "procedure_id": "moving-in", "step_id": "insert-card", "language": "ja", "reason": "card-unreadable",
        "created_at": None,
    }  # fmt: skip
    assert data == {"escalation_id": north["id"], "site_id": "north", "status": "waiting", "action": "create"}
    first_id = events[0][0]
    # While disconnected: a claim and a release. Reconnecting with Last-Event-ID replays both, in order.
    httpx.post(f"{base}{API}/escalations/{north['id']}/claim", headers=alice)
    httpx.post(f"{base}{API}/escalations/{north['id']}/release", headers=alice)
    replay_headers = {**alice, "Last-Event-ID": str(first_id)}
    with httpx.stream("GET", f"{base}{API}/queue/stream", headers=replay_headers, timeout=15) as stream:
        replayed = read_events(stream.iter_lines(), 2)
    assert [e[1]["action"] for e in replayed] == ["claim", "release"]
    assert first_id < replayed[0][0] < replayed[1][0]


def test_embedded_server_stops_cleanly(sqlite_world: World) -> None:
    app = create_app(api_settings(sqlite_world))
    server = EmbeddedServer(app)
    base = server.start()
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz", timeout=2)
    app.state.services.db.dispose()
