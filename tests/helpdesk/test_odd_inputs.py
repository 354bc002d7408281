"""Odd inputs get clear 4xx answers, never a 500 or a dead stream: extreme filter dates, out-of-range Last-Event-ID,
oversized bodies (refused before they are read in full, also chunked)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from helpdesk.api.app import create_app
from helpdesk.embedded import EmbeddedServer

from .conftest import PASSWORD, World, api_settings, staff_token

API = "/api/v1"


@pytest.fixture
def base(sqlite_world: World) -> Iterator[str]:
    app = create_app(api_settings(sqlite_world))
    with EmbeddedServer(app) as server:
        yield server.base_url
    app.state.services.db.dispose()


def logged_in(base: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=20)
    assert client.post(f"{API}/auth/login", json={"login": login, "password": PASSWORD}).status_code == 200
    return client


@pytest.mark.parametrize(
    "query", ["until=9999-12-31", "since=0001-01-01", "since=1999-12-31", "until=2200-01-01", "since=2026-13-01"]
)
def test_extreme_filter_dates_are_a_clear_422(base: str, query: str) -> None:
    trainer = logged_in(base, "tina")
    try:
        for path in ("/trainer/", "/trainer/sessions", f"{API}/analytics/report"):
            answer = trainer.get(f"{path}?{query}")
            assert answer.status_code == 422, (path, answer.status_code, answer.text[:200])
        assert trainer.get(f"{API}/analytics/report?since=2000-01-01&until=2199-12-31").status_code == 200
    finally:
        trainer.close()


def test_last_event_id_beyond_64_bits_is_refused_and_the_largest_one_resets(base: str, sqlite_world: World) -> None:
    alice = staff_token(sqlite_world, "alice")
    for bad in (str(2**63), "99999999999999999999", "-1", "1e3"):
        answer = httpx.get(f"{base}{API}/queue/stream", headers={**alice, "Last-Event-ID": bad}, timeout=10)
        assert answer.status_code == 422, (bad, answer.text)
    headers = {**alice, "Last-Event-ID": str(2**63 - 1)}
    with httpx.stream("GET", f"{base}{API}/queue/stream", headers=headers, timeout=10) as stream:
        assert stream.status_code == 200
        for line in stream.iter_lines():
            if line.startswith("event:"):
                assert line == "event: reset"  # nothing this server sent: refetch, and the stream carries on
                break


def test_oversized_bodies_are_refused_before_they_are_read(base: str, sqlite_world: World) -> None:
    huge = b'{"login": "' + b"a" * (30 * 1024 * 1024) + b'", "password": "x"}'
    answer = httpx.post(f"{base}{API}/auth/login", content=huge, headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["code"] == "body-too-large", answer.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"login": "'
        for _ in range(64):
            yield b"a" * 1024

    answer = httpx.post(f"{base}{API}/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["code"] == "body-too-large", answer.text
    big_message = {"kind": "text", "text": "x" * 900, "padding": "y" * 100_000}
    answer = httpx.post(
        f"{base}{API}/escalations/x/messages", json=big_message, headers=staff_token(sqlite_world, "alice")
    )
    assert answer.status_code == 413, answer.text
    assert httpx.post(f"{base}{API}/auth/login", json={"login": "alice", "password": PASSWORD}).status_code == 200


def test_the_three_places_where_schema_and_code_disagreed(base: str, sqlite_world: World) -> None:
    schema = httpx.get(f"{base}/openapi.json").json()
    procedure = schema["paths"][f"{API}/analytics/step-thresholds"]["get"]["parameters"][0]["schema"]
    assert any("pattern" in option for option in procedure["anyOf"])
    kiosk = {"Authorization": f"Bearer {sqlite_world.keys['north-1']}"}
    bad = httpx.get(f"{base}{API}/analytics/step-thresholds?procedure=Not_An_Id", headers=kiosk)
    assert bad.status_code == 422
    beat = {"kiosk_version": "1", "content_version": "1", "voice_available": True, "content_errors": []}
    for wrong in (False, "3"):
        answer = httpx.post(f"{base}{API}/kiosks/heartbeat", json={**beat, "outbox_length": wrong}, headers=kiosk)
        assert answer.status_code == 422, (wrong, answer.text)
    assert httpx.post(f"{base}{API}/kiosks/heartbeat", json={**beat, "outbox_length": 3}, headers=kiosk).is_success
    not_allowed = httpx.delete(f"{base}{API}/auth/tokens", headers=staff_token(sqlite_world, "alice"))
    assert not_allowed.status_code == 405 and not_allowed.headers["Allow"] == "GET, POST"
