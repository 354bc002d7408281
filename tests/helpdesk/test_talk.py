"""Wire 1.1 over HTTP: staff yes/no questions, the resident's answers (idempotent), and the staff pointer."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpdesk.database import Database
from helpdesk.tables import audit_entries
from helpdesk.wire import MessageList

from .conftest import World, kiosk_headers, staff_token
from .test_api import API, create


def claimed(client: TestClient, world: World) -> str:
    escalation_id = create(client, world)["id"]
    assert (
        client.post(f"{API}/escalations/{escalation_id}/claim", headers=staff_token(world, "alice")).status_code == 200
    )
    return escalation_id


def test_question_answer_round_trip_and_retry_stores_once(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    alice = staff_token(sqlite_world, "alice")
    asked = client.post(
        f"{API}/escalations/{escalation_id}/messages",
        json={"kind": "question", "text": "カードはありますか"},
        headers=alice,
    )
    assert asked.status_code == 201, asked.text
    question = asked.json()
    assert question["kind"] == "text" and question["question"] == "yes-no"

    kiosk = kiosk_headers(sqlite_world, "north-1", "answer-key-1")
    body = {"answer": "yes", "question_id": question["id"]}
    first = client.post(f"{API}/escalations/{escalation_id}/answers", json=body, headers=kiosk)
    again = client.post(f"{API}/escalations/{escalation_id}/answers", json=body, headers=kiosk)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["answer"] == "yes" and first.json()["answers"] == question["id"]

    polled = MessageList.model_validate(
        client.get(f"{API}/escalations/{escalation_id}/messages", params={"after": 0}, headers=alice).json()
    )
    answers = [m for m in polled.messages if m.answer]
    assert [(m.sender, m.answer, m.answers) for m in answers] == [("kiosk", "yes", question["id"])]
    assert [m.question for m in polled.messages if m.id == question["id"]] == ["yes-no"]


def test_answers_are_codes_and_need_the_own_kiosk(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    path = f"{API}/escalations/{escalation_id}/answers"
    free_text = client.post(
        path, json={"answer": "my PIN is 1234"}, headers=kiosk_headers(sqlite_world, "north-1", "k")
    )
    assert free_text.status_code == 422
    other_kiosk = client.post(path, json={"answer": "done"}, headers=kiosk_headers(sqlite_world, "north-2", "k2"))
    assert other_kiosk.status_code == 404
    staff = client.post(
        path, json={"answer": "done"}, headers={**staff_token(sqlite_world, "alice"), "Idempotency-Key": "x"}
    )
    assert staff.status_code in (401, 403)
    general = client.post(path, json={"answer": "say-again"}, headers=kiosk_headers(sqlite_world, "north-1", "k3"))
    assert general.status_code == 201 and general.json()["answers"] is None


def test_kiosks_may_not_ask_questions(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    response = client.post(
        f"{API}/escalations/{escalation_id}/messages",
        json={"kind": "question", "text": "?"},
        headers=kiosk_headers(sqlite_world, "north-1"),
    )
    assert response.status_code == 403


def test_pointer_reaches_the_kiosk_as_a_signal_not_a_message(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    pointed = client.post(
        f"{API}/escalations/{escalation_id}/pointer",
        json={"element": "next"},
        headers=staff_token(sqlite_world, "alice"),
    )
    assert pointed.status_code == 201, pointed.text
    polled = MessageList.model_validate(
        client.get(
            f"{API}/escalations/{escalation_id}/messages",
            params={"after": 0},
            headers=kiosk_headers(sqlite_world, "north-1"),
        ).json()
    )
    assert [(s.kind, s.element) for s in polled.signals] == [("pointer", "next")]
    assert all(m.kind in ("text", "system", "send-step", "coming") for m in polled.messages)
    assert polled.last_id >= pointed.json()["id"]
    db = Database(sqlite_world.url)
    with db.read() as conn:
        details = conn.execute(select(audit_entries.c.detail).where(audit_entries.c.action == "point")).scalars().all()
    db.dispose()
    assert details == ["next"]


def test_only_the_claimer_points_and_only_while_open(client: TestClient, sqlite_world: World) -> None:
    escalation_id = claimed(client, sqlite_world)
    path = f"{API}/escalations/{escalation_id}/pointer"
    assert client.post(path, json={"element": "next"}, headers=staff_token(sqlite_world, "bob")).status_code == 403
    assert client.post(path, json={"element": "next"}, headers=staff_token(sqlite_world, "carol")).status_code == 404
    assert client.post(path, json={"element": "Next!"}, headers=staff_token(sqlite_world, "alice")).status_code == 422
    client.post(
        f"{API}/escalations/{escalation_id}/resolve",
        json={"outcome": "solved"},
        headers=staff_token(sqlite_world, "alice"),
    )
    assert client.post(path, json={"element": "next"}, headers=staff_token(sqlite_world, "alice")).status_code == 409
    answer = client.post(
        f"{API}/escalations/{escalation_id}/answers",
        json={"answer": "done"},
        headers=kiosk_headers(sqlite_world, "north-1", uuid.uuid4().hex),
    )
    assert answer.status_code == 409
