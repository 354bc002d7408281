"""Call signalling over HTTP: who may call (403 otherwise), signals reach only the other side, calls are audited,
and TURN credentials follow coturn's use-auth-secret scheme."""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpdesk.api.app import create_app
from helpdesk.api.call import turn_credentials
from helpdesk.database import Database
from helpdesk.tables import audit_entries
from helpdesk.wire import MessageList

from .conftest import World, api_settings, kiosk_headers, staff_token
from .test_api import API
from .test_talk import claimed


def polled(client: TestClient, escalation_id: str, headers: dict) -> MessageList:
    raw = client.get(f"{API}/escalations/{escalation_id}/messages", params={"after": 0}, headers=headers)
    return MessageList.model_validate(raw.json())


def test_only_the_holder_of_the_escalation_can_call(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    path = f"{API}/escalations/{escalation_id}/call"
    assert client.post(path, headers=staff_token(sqlite_world, "bob")).status_code == 403  # same site, not holder
    carol = client.post(path, headers=staff_token(sqlite_world, "carol"))  # another site
    assert carol.status_code == 403 and carol.json()["code"] == "not-your-site"
    assert client.post(path, headers=kiosk_headers(sqlite_world, "north-1")).status_code in (401, 403)
    started = client.post(path, headers=staff_token(sqlite_world, "alice"))
    assert started.status_code == 201 and len(started.json()["call_id"]) == 32
    client.post(
        f"{API}/escalations/{escalation_id}/resolve",
        json={"outcome": "solved"},
        headers=staff_token(sqlite_world, "alice"),
    )
    assert client.post(path, headers=staff_token(sqlite_world, "alice")).status_code == 409  # only while open


def test_signals_reach_only_the_other_side_and_the_call_is_audited(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    alice, kiosk = staff_token(sqlite_world, "alice"), kiosk_headers(sqlite_world, "north-1")
    call_id = client.post(f"{API}/escalations/{escalation_id}/call", headers=alice).json()["call_id"]
    signal = f"{API}/escalations/{escalation_id}/call/signal"
    offer = {"call_id": call_id, "kind": "offer", "sdp": "v=0 offer"}
    assert client.post(signal, json=offer, headers=alice).status_code == 202
    assert client.post(signal, json=offer, headers=staff_token(sqlite_world, "bob")).status_code == 403
    assert [s.call.kind for s in polled(client, escalation_id, kiosk).signals] == ["offer"]
    assert polled(client, escalation_id, alice).signals == []  # staff do not read their own offer back
    answer = {"call_id": call_id, "kind": "answer", "sdp": "v=0 answer"}
    assert client.post(signal, json=answer, headers=kiosk).status_code == 202
    client.post(signal, json={"call_id": call_id, "kind": "connected"}, headers=kiosk)
    client.post(signal, json={"call_id": call_id, "kind": "hangup"}, headers=alice)
    assert [s.call.kind for s in polled(client, escalation_id, alice).signals] == ["answer", "connected"]
    assert [s.call.kind for s in polled(client, escalation_id, kiosk).signals] == ["offer", "hangup"]
    assert all(
        m.kind in ("text", "system", "send-step", "coming") for m in polled(client, escalation_id, kiosk).messages
    )
    db = Database(sqlite_world.url)
    with db.read() as conn:
        rows = conn.execute(
            select(audit_entries.c.action, audit_entries.c.actor_kind, audit_entries.c.detail).where(
                audit_entries.c.action.like("call-%")
            )
        ).all()
    db.dispose()
    assert [(r.action, r.actor_kind) for r in rows] == [
        ("call-start", "staff"),
        ("call-connected", "kiosk"),
        ("call-end", "staff"),
    ]
    assert rows[-1].detail.startswith(f"call:{call_id} hangup by:staff seconds:")


def test_turn_credentials_follow_the_coturn_rest_scheme(sqlite_world: World) -> None:
    username, password = turn_credentials("s3cret", "kiosk-north-1", 600, now=1_000_000)
    assert username == "1000600:kiosk-north-1"
    assert password == base64.b64encode(hmac.new(b"s3cret", username.encode(), hashlib.sha1).digest()).decode()
    settings = api_settings(
        sqlite_world,
        turn_urls="turn:127.0.0.1:3478?transport=udp",
        turn_secret="s3cret",
        stun_urls="stun:127.0.0.1:3478",
    )
    with TestClient(create_app(settings)) as client:
        escalation_id = claimed(client, sqlite_world)
        call = client.post(f"{API}/escalations/{escalation_id}/call", headers=staff_token(sqlite_world, "alice")).json()
        servers = client.get(
            f"{API}/escalations/{escalation_id}/call/ice-servers",
            params={"call_id": call["call_id"]},
            headers=kiosk_headers(sqlite_world, "north-1"),
        ).json()["ice_servers"]
    assert servers[0] == {"urls": ["stun:127.0.0.1:3478"], "username": None, "credential": None}
    assert servers[1]["username"].endswith(":kiosk-north-1") and servers[1]["credential"]
    assert "s3cret" not in str(call) + str(servers)
