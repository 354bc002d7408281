"""The HTTP API on a temporary SQLite database, through FastAPI's test client."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpdesk.api.app import create_app
from helpdesk.database import Database
from helpdesk.store import accounts
from helpdesk.tables import audit_entries

from .conftest import PASSWORD, World, api_settings, escalation_body, kiosk_headers, staff_token

API = "/api/v1"


def create(client: TestClient, world: World, kiosk_id: str = "north-1", **body: object) -> dict:
    response = client.post(
        f"{API}/escalations", json=escalation_body(**body), headers=kiosk_headers(world, kiosk_id, uuid.uuid4().hex)
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    schema = client.get("/openapi.json").json()
    for path in ("/api/v1/escalations", "/api/v1/queue", "/api/v1/events", "/api/v1/kiosks/heartbeat"):
        assert path in schema["paths"]
    assert "EscalationRequest" in schema["components"]["schemas"]


def test_create_is_idempotent_over_http(client: TestClient, sqlite_world: World) -> None:
    body, headers = escalation_body(), kiosk_headers(sqlite_world, "north-1", "retry-key")
    first = client.post(f"{API}/escalations", json=body, headers=headers)
    again = client.post(f"{API}/escalations", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["created_at"] == first.json()["created_at"]  # stored and read back exactly
    assert first.json()["position"] == 1 and first.json()["estimated_wait_s"] > 0
    conflict = client.post(f"{API}/escalations", json={**body, "reason": "other"}, headers=headers)
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency-conflict"
    missing = client.post(f"{API}/escalations", json=body, headers=kiosk_headers(sqlite_world, "north-1"))
    assert missing.status_code == 422 and missing.json()["code"] == "invalid-request"
    client.post(f"{API}/escalations/{first.json()['id']}/claim", headers=staff_token(sqlite_world, "alice"))
    late_retry = client.post(f"{API}/escalations", json=body, headers=headers)
    assert late_retry.status_code == 200
    assert late_retry.json()["status"] == "claimed" and late_retry.json()["claimed_by"] == "Alice"


def test_invalid_input_is_a_json_error_without_internals(client: TestClient, sqlite_world: World) -> None:
    response = client.post(
        f"{API}/escalations",
        json=escalation_body(reason="my PIN is 1234", extra="x"),
        headers=kiosk_headers(sqlite_world, "north-1", "k"),
    )
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message"} and "Traceback" not in response.text
    assert client.get("/nowhere").json()["code"] == "not-found"
    assert client.put(f"{API}/queue").json()["code"] == "method-not-allowed"


def test_staff_work_an_escalation_end_to_end(client: TestClient, sqlite_world: World) -> None:
    created = create(client, sqlite_world)
    kiosk = kiosk_headers(sqlite_world, "north-1")
    alice = staff_token(sqlite_world, "alice")
    queue = client.get(f"{API}/queue", headers=alice).json()["items"]
    assert [item["id"] for item in queue] == [created["id"]] and queue[0]["position"] == 1
    claimed = client.post(f"{API}/escalations/{created['id']}/claim", headers=alice)
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "Alice"
    assert client.get(f"{API}/escalations/{created['id']}", headers=kiosk).json()["claimed_by"] == "Alice"
    second = client.post(f"{API}/escalations/{created['id']}/claim", headers=staff_token(sqlite_world, "bob"))
    assert second.status_code == 409 and second.json()["code"] == "already-claimed"
    reply = client.post(
        f"{API}/escalations/{created['id']}/messages",
        json={"text": "電話 090-1111-2222 にどうぞ", "kind": "text"},
        headers=alice,
    )
    assert reply.status_code == 201 and "090" not in reply.json()["text"]
    step = client.post(
        f"{API}/escalations/{created['id']}/messages", json={"kind": "send-step", "step_id": "start"}, headers=alice
    )
    assert step.status_code == 201
    polled = client.get(f"{API}/escalations/{created['id']}/messages?after=0", headers=kiosk).json()
    assert [m["kind"] for m in polled["messages"]] == ["system", "text", "send-step"]
    later = client.get(f"{API}/escalations/{created['id']}/messages?after={polled['last_id']}", headers=kiosk)
    assert later.json()["messages"] == [] and later.json()["last_id"] == polled["last_id"]
    note = client.post(
        f"{API}/escalations/{created['id']}/messages", json={"kind": "text", "text": "はい"}, headers=kiosk
    )
    assert note.status_code == 201 and note.json()["sender"] == "kiosk"
    resolved = client.post(f"{API}/escalations/{created['id']}/resolve", json={"outcome": "solved"}, headers=alice)
    assert resolved.json()["status"] == "resolved"
    assert client.get(f"{API}/escalations/{created['id']}", headers=kiosk).json()["outcome"] == "solved"
    db = Database(sqlite_world.url)
    with db.read() as conn:
        actions = conn.execute(select(audit_entries.c.action)).scalars().all()
    db.dispose()
    for action in ("view-queue", "claim", "reply", "resolve"):
        assert action in actions


def test_kiosk_cancels_and_staff_release_and_transfer(client: TestClient, sqlite_world: World) -> None:
    alice, bob = staff_token(sqlite_world, "alice"), staff_token(sqlite_world, "bob")
    first, second = create(client, sqlite_world), create(client, sqlite_world)
    kiosk = kiosk_headers(sqlite_world, "north-1")
    assert client.get(f"{API}/escalations/{second['id']}", headers=kiosk).json()["position"] == 2
    cancelled = client.post(f"{API}/escalations/{first['id']}/cancel", headers=kiosk)
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(f"{API}/escalations/{second['id']}", headers=kiosk).json()["position"] == 1
    client.post(f"{API}/escalations/{second['id']}/claim", headers=alice)
    moved = client.post(f"{API}/escalations/{second['id']}/transfer", json={"to_login": "bob"}, headers=alice)
    assert moved.status_code == 200 and moved.json()["claimed_by"] == "Bob"
    released = client.post(f"{API}/escalations/{second['id']}/release", headers=bob)
    assert released.json()["status"] == "waiting" and released.json()["position"] == 1
    wrong = client.post(f"{API}/escalations/{second['id']}/resolve", json={"outcome": "solved"}, headers=bob)
    assert wrong.status_code == 409 and wrong.json()["code"] == "invalid-transition"


def login(client: TestClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/auth/login", json={"login": name, "password": password})


def test_login_sets_safe_cookies_and_csrf_guards_changes(sqlite_world: World) -> None:
    app = create_app(api_settings(sqlite_world, cookie_secure=True))
    with TestClient(app, base_url="https://testserver") as browser:
        response = login(browser, "alice")
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("yorisoi_session="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
        csrf = response.json()["csrf_token"]
        escalation = create(browser, sqlite_world)
        url = f"{API}/escalations/{escalation['id']}/claim"
        refused = browser.post(url)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf-failed"
        assert browser.post(url, headers={"X-CSRF-Token": "wrong"}).status_code == 403
        assert browser.post(url, data={"csrf_token": "wrong"}).status_code == 403  # a form post
        assert browser.post(url, data={"csrf_token": csrf}).status_code == 200
        assert browser.get(f"{API}/auth/me").json()["login"] == "alice"
        old_session = browser.cookies["yorisoi_session"]
        login(browser, "alice")
        assert browser.cookies["yorisoi_session"] != old_session  # rotated at login
        stale = TestClient(app, base_url="https://testserver", cookies={"yorisoi_session": old_session})
        assert stale.get(f"{API}/auth/me").status_code == 401
        new_csrf = browser.cookies["yorisoi_csrf"]
        assert browser.post(f"{API}/auth/logout", headers={"X-CSRF-Token": new_csrf}).status_code == 204
        assert browser.get(f"{API}/auth/me").status_code == 401
    app.state.services.db.dispose()


def test_login_is_throttled_and_disabled_accounts_are_locked_out(client: TestClient, sqlite_world: World) -> None:
    for _ in range(5):
        assert login(client, "bob", "wrong password!").status_code == 401
    throttled = login(client, "bob")
    assert throttled.status_code == 429 and throttled.json()["code"] == "login-throttled"
    assert 890 <= int(throttled.headers["Retry-After"]) <= 900  # the true wait: the first failure's window
    assert login(client, "alice").status_code == 200  # same address (an office NAT): others still log in
    fresh = TestClient(client.app, client=("10.0.0.9", 50000))
    assert login(fresh, "alice").status_code == 200
    db = Database(sqlite_world.url)
    accounts.disable_staff(db, login="alice")
    db.dispose()
    assert fresh.get(f"{API}/auth/me").status_code == 401
    assert login(TestClient(client.app, client=("10.0.0.10", 1)), "alice").status_code == 401


def test_one_address_has_its_own_larger_limit(sqlite_world: World) -> None:
    app = create_app(api_settings(sqlite_world, login_address_max_failures=8))
    with TestClient(app) as office:
        for n in range(8):
            assert login(office, f"typo{n}", "whatever").status_code == 401
        refused = login(office, "carol")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 800
        assert login(TestClient(app, client=("10.0.0.11", 1)), "carol").status_code == 200
    app.state.services.db.dispose()


def test_api_tokens_work_without_csrf_and_can_be_revoked(client: TestClient, sqlite_world: World) -> None:
    login_response = login(client, "alice")
    csrf = login_response.json()["csrf_token"]
    made = client.post(f"{API}/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    token = made.json()["token"]
    script = TestClient(client.app)
    auth = {"Authorization": f"Bearer {token}"}
    escalation = create(client, sqlite_world)
    assert script.post(f"{API}/escalations/{escalation['id']}/claim", headers=auth).status_code == 200
    listed = script.get(f"{API}/auth/tokens", headers=auth).json()["tokens"]
    assert [t["name"] for t in listed] == ["script"] and "token" not in listed[0]
    assert script.delete(f"{API}/auth/tokens/{made.json()['id']}", headers=auth).status_code == 204
    assert script.get(f"{API}/auth/me", headers=auth).status_code == 401


def test_kiosk_rate_limit_leaves_other_kiosks_alone(sqlite_world: World) -> None:
    app = create_app(api_settings(sqlite_world, kiosk_rate_per_s=0.01, kiosk_rate_burst=3))
    with TestClient(app) as client:
        beat = {"kiosk_version": "1", "content_version": "c1", "voice_available": True, "outbox_length": 0}
        north = kiosk_headers(sqlite_world, "north-1")
        codes = [client.post(f"{API}/kiosks/heartbeat", json=beat, headers=north).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.post(f"{API}/kiosks/heartbeat", json=beat, headers=north)
        assert limited.json()["code"] == "rate-limited" and int(limited.headers["retry-after"]) >= 1
        other = client.post(f"{API}/kiosks/heartbeat", json=beat, headers=kiosk_headers(sqlite_world, "north-2"))
        assert other.status_code == 200 and other.json()["fallback_phone"] == "03-1234-5678"
    app.state.services.db.dispose()


def test_session_events_are_idempotent_over_http(client: TestClient, sqlite_world: World) -> None:
    events = [
        {
            "event_id": str(uuid.uuid4()),
            "session_id": uuid.uuid4().hex,
            "kiosk_id": "north-1",
            "procedure_id": "moving-in",
            "step_id": "start",
            "action": "next",
            "seconds": 2.5,
            "at": "2026-04-01T10:00:00+09:00",
        }
        for _ in range(3)
    ]
    headers = kiosk_headers(sqlite_world, "north-1")
    assert client.post(f"{API}/events", json={"events": events}, headers=headers).json() == {
        "accepted": 3,
        "duplicates": 0,
    }
    assert client.post(f"{API}/events", json={"events": events}, headers=headers).json()["duplicates"] == 3


def test_every_answer_carries_security_headers(client: TestClient, sqlite_world: World) -> None:
    for response in (client.get("/healthz"), client.get(f"{API}/queue")):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_escalation_create_is_one_documented_route(app) -> None:  # type: ignore[no-untyped-def]
    from helpdesk.api import escalations

    creates = [r for r in escalations.router.routes if r.path == "/escalations" and "POST" in r.methods]
    assert [r.endpoint for r in creates] == [escalations.create_escalation]
    assert all("escalations" not in getattr(r, "path", "") for r in app.router.routes)  # no route shadows it
    schema = app.openapi()
    operation = schema["paths"][f"{API}/escalations"]["post"]
    assert {"201", "200", "409", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["Idempotency-Key"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"procedure_id", "step_id", "reason"} <= set(schema["components"]["schemas"][body]["properties"])
    assert "PathStep" in schema["components"]["schemas"]  # the body's own parts are documented too


def test_fast_path_refuses_like_the_rest(client: TestClient, sqlite_world: World) -> None:
    url = f"{API}/escalations"
    kiosk = kiosk_headers(sqlite_world, "north-1")
    assert client.post(url, json=escalation_body(), headers=kiosk).json()["code"] == "invalid-request"
    bad_key = {**kiosk, "Idempotency-Key": "has space"}
    assert client.post(url, json=escalation_body(), headers=bad_key).status_code == 422
    broken = client.post(url, content=b"{not json", headers={**kiosk, "Idempotency-Key": "k"})
    assert broken.status_code == 422 and broken.json()["code"] == "invalid-request"
    staff = {**staff_token(sqlite_world, "alice"), "Idempotency-Key": "k"}
    assert client.post(url, json=escalation_body(), headers=staff).json()["code"] == "forbidden"
    revoked = {"Authorization": "Bearer yk_" + "x" * 43, "Idempotency-Key": "k"}
    assert client.post(url, json=escalation_body(), headers=revoked).json()["code"] == "unauthenticated"


def test_queue_views_are_audited_once_per_member_per_interval(client: TestClient, sqlite_world: World) -> None:
    """A live console refetches often; the audit log gets one view-queue entry per member per interval."""
    alice, bob = staff_token(sqlite_world, "alice"), staff_token(sqlite_world, "bob")
    for _ in range(3):
        assert client.get(f"{API}/queue", headers=alice).status_code == 200
    assert client.get(f"{API}/queue", headers=bob).status_code == 200
    db = Database(sqlite_world.url)
    try:
        with db.read() as conn:
            rows = conn.execute(
                select(audit_entries.c.actor_id).where(audit_entries.c.action == "view-queue")
            ).scalars()
            viewers = sorted(rows)
    finally:
        db.dispose()
    assert viewers == sorted([str(sqlite_world.staff_ids["alice"]), str(sqlite_world.staff_ids["bob"])])
    audits = client.app.state.services.queue_view_audits
    audits.interval_s = 0.0  # once the interval has passed, the next view is audited again
    client.get(f"{API}/queue", headers=alice)
    with db.read() as conn:
        count = conn.execute(select(audit_entries.c.id).where(audit_entries.c.action == "view-queue")).all()
    db.dispose()
    assert len(count) == 3
