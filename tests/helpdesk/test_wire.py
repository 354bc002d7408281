"""The wire contract: what a kiosk may send and what it gets back."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from pydantic import ValidationError

from helpdesk import wire
from yorisoi.vocabulary import HELP_REASONS


def request(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "session_id": uuid.uuid4().hex,
        "procedure_id": "moving-in",
        "step_id": "insert-card",
        "language": "ja-easy",
        "reason": "card-unreadable",
        "path": [{"step_id": "start", "seconds": 3.5}],
    }
    body.update(overrides)
    return body


def test_escalation_request_accepts_reason_codes_and_offers() -> None:
    for reason in (*HELP_REASONS, "offer:idle-long"):
        assert wire.EscalationRequest.model_validate(request(reason=reason)).reason == reason


@pytest.mark.parametrize(
    "overrides",
    [
        {"reason": "my pin is 1234"},
        {"reason": "offer:"},
        {"language": "fr"},
        {"procedure_id": "Moving In"},
        {"session_id": "short"},
        {"path": [{"step_id": "start", "seconds": -1}]},
        {"name": "Yamada"},  # unknown fields are refused, never silently stored
    ],
)
def test_escalation_request_refuses_bad_input(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        wire.EscalationRequest.model_validate(request(**overrides))


def test_session_event_needs_an_aware_time_and_no_free_text() -> None:
    base = {
        "event_id": str(uuid.uuid4()),
        "session_id": uuid.uuid4().hex,
        "kiosk_id": "kita-1",
        "action": "next",
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    assert wire.SessionEvent.model_validate(base).action == "next"
    with pytest.raises(ValidationError):
        wire.SessionEvent.model_validate({**base, "at": "2026-01-01T10:00:00"})
    with pytest.raises(ValidationError):
        wire.SessionEvent.model_validate({**base, "note": "free text"})
    with pytest.raises(ValidationError):
        wire.SessionEvent.model_validate({**base, "action": "Pressed the big button"})


def test_responses_ignore_fields_added_by_a_newer_server() -> None:
    now = dt.datetime.now(dt.UTC).isoformat()
    status = wire.EscalationStatus.model_validate(
        {"id": "e1", "status": "waiting", "created_at": now, "updated_at": now, "priority": 3}
    )
    assert status.position is None and not hasattr(status, "priority")
