"""Authorization matrix: every endpoint × {other kiosk, other site's staff, trainer, anonymous} is refused,
while the rightful caller, asked right after, succeeds (so a refusal is never just a broken endpoint)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from .conftest import World, escalation_body, kiosk_headers, staff_token

API = "/api/v1"
REFUSED = {401, 403, 404}


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: how to call it, who may, and what state the escalation must be in first."""

    method: str
    path: str
    rightful: str
    body: Callable[[], dict] | None = None
    claimed: bool = False
    idempotency: bool = False


def events_body() -> dict:
    return {
        "events": [
            {
                "event_id": str(uuid.uuid4()),
                "session_id": uuid.uuid4().hex,
                "kiosk_id": "north-1",
                "action": "start",
                "at": dt.datetime.now(dt.UTC).isoformat(),
            }
        ]
    }


def heartbeat_body() -> dict:
    return {"kiosk_version": "1", "content_version": "c", "voice_available": False, "outbox_length": 2}


ENDPOINTS = [
    Endpoint("POST", "/escalations", "kiosk", escalation_body, idempotency=True),
    Endpoint("GET", "/escalations/{id}", "kiosk"),
    Endpoint("GET", "/escalations/{id}", "alice"),
    Endpoint("GET", "/escalations/{id}/messages?after=0", "kiosk"),
    Endpoint("GET", "/escalations/{id}/messages?after=0", "alice"),
    Endpoint("POST", "/escalations/{id}/messages", "kiosk", lambda: {"kind": "text", "text": "はい"}),
    Endpoint("POST", "/escalations/{id}/messages", "alice", lambda: {"kind": "text", "text": "どうぞ"}, claimed=True),
    Endpoint("POST", "/escalations/{id}/claim", "alice"),
    Endpoint("POST", "/escalations/{id}/release", "alice", claimed=True),
    Endpoint("POST", "/escalations/{id}/transfer", "alice", lambda: {"to_login": "bob"}, claimed=True),
    Endpoint("POST", "/escalations/{id}/resolve", "alice", lambda: {"outcome": "solved"}, claimed=True),
    Endpoint("POST", "/escalations/{id}/cancel", "kiosk"),
    Endpoint("GET", "/queue", "alice"),
    Endpoint("POST", "/events", "kiosk", events_body),
    Endpoint("POST", "/kiosks/heartbeat", "kiosk", heartbeat_body),
    Endpoint("GET", "/auth/me", "alice"),
    Endpoint("GET", "/auth/tokens", "alice"),
    Endpoint("POST", "/auth/tokens", "alice", lambda: {"name": "script"}),
]
INTRUDERS = ("other-kiosk", "other-site-staff", "trainer", "anonymous")


def credentials(world: World, who: str) -> dict[str, str]:
    """Headers for a caller: the owning kiosk is north-1; alice works north; carol works south."""
    if who == "anonymous":
        return {}
    kiosks = {"kiosk": "north-1", "other-kiosk": "north-2"}
    if who in kiosks:
        return kiosk_headers(world, kiosks[who])
    return staff_token(world, {"other-site-staff": "carol", "trainer": "tina"}.get(who, who))


def is_refused(endpoint: Endpoint, intruder: str, response) -> bool:  # type: ignore[no-untyped-def]
    if response.status_code in REFUSED:
        return True
    if endpoint.path == "/queue" and intruder == "other-site-staff":
        return response.status_code == 200 and response.json()["items"] == []  # sees none of north's queue
    if endpoint.path.startswith("/auth/") and intruder in ("other-site-staff", "trainer"):
        return response.status_code in (200, 201) and response.json().get("login", "carol") != "alice"
    return False


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path} as {e.rightful}")
def test_intruders_are_refused_and_the_rightful_caller_is_not(
    client: TestClient, sqlite_world: World, endpoint: Endpoint
) -> None:
    created = client.post(
        f"{API}/escalations", json=escalation_body(), headers=kiosk_headers(sqlite_world, "north-1", "setup")
    ).json()
    if endpoint.claimed:
        claim = client.post(f"{API}/escalations/{created['id']}/claim", headers=staff_token(sqlite_world, "alice"))
        assert claim.status_code == 200
    path = API + endpoint.path.format(id=created["id"])

    def call(who: str):  # type: ignore[no-untyped-def]
        headers = credentials(sqlite_world, who)
        if endpoint.idempotency:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        body = endpoint.body() if endpoint.body else None
        return client.request(endpoint.method, path, json=body, headers=headers)

    for intruder in INTRUDERS:
        if intruder == "other-kiosk" and endpoint.path in ("/escalations", "/kiosks/heartbeat"):
            continue  # every kiosk may ask for help and report its own status
        response = call(intruder)
        assert is_refused(endpoint, intruder, response), (intruder, response.status_code, response.text)
        if response.status_code in REFUSED:
            assert set(response.json()) == {"code", "message"}
    rightful = call(endpoint.rightful)
    assert rightful.status_code in (200, 201), rightful.text


def test_every_api_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (method, route.path.removeprefix(API))
        for route in app.routes
        if getattr(route, "path", "").startswith(API)
        for method in getattr(route, "methods", ())
    }
    covered = {(e.method, e.path.split("?")[0]) for e in ENDPOINTS}
    exempt = {
        ("POST", "/auth/login"),  # anonymous by design
        ("POST", "/auth/logout"),
        ("DELETE", "/auth/tokens/{token_id}"),  # own tokens only: tested in test_api
        ("GET", "/queue/stream"),  # tested with a real server in test_realtime
    }
    assert routes - covered - exempt == set()
