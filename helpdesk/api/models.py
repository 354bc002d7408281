"""Staff-facing request and response bodies (the kiosk-facing ones are in helpdesk.wire)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from helpdesk.domain import OUTCOMES
from helpdesk.wire import ElementId, EscalationState, Identifier, Request, Response

Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


class Health(Response):
    """`/healthz` answer."""

    status: Literal["ok", "unavailable"]


class EscalationView(Response):
    """An escalation as staff see it in the queue."""

    id: str
    status: EscalationState
    site_id: str
    kiosk_id: str
    procedure_id: str
    step_id: str
    language: str
    reason: str
    path: list[dict]
    position: int | None = None
    estimated_wait_s: int | None = None
    waited_s: int
    sla_breached: bool
    claimed_by: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    outcome: str | None = None


class QueueView(Response):
    """The queue of the sites a staff member serves."""

    items: list[EscalationView]
    generated_at: dt.datetime


Text = Annotated[str, Field(min_length=1, max_length=1000, pattern=r"\S")]


class TextMessage(Request):
    """Typed text (staff reply or kiosk note)."""

    kind: Literal["text"]
    text: Text


class StepMessage(Request):
    """Staff: show this step of the procedure on the kiosk."""

    kind: Literal["send-step"]
    step_id: Identifier
    text: Annotated[str, Field(max_length=1000)] = ""


class ComingMessage(Request):
    """Staff: someone is walking over to the kiosk."""

    kind: Literal["coming"]
    text: Annotated[str, Field(max_length=1000)] = ""


class QuestionMessage(Request):
    """Staff: a yes/no question; the kiosk shows it with two big buttons はい / いいえ (1.1)."""

    kind: Literal["question"]
    text: Text


MessageBody = Annotated[TextMessage | StepMessage | ComingMessage | QuestionMessage, Field(discriminator="kind")]
"""What can be posted into a conversation; staff send text/send-step/coming/question, kiosks text. System notes
(claimed, resolved, ...) are written by the server alone: one posted by a caller would impersonate the server."""


class PointerRequest(Request):
    """Staff: draw a ring round this element of the resident's screen (the ids the console's screen carries)."""

    element: ElementId


class TransferRequest(Request):
    """Hand an escalation to another staff member (by login)."""

    to_login: Annotated[str, Field(min_length=1, max_length=100)]


class ResolveRequest(Request):
    """Close an escalation with an outcome category."""

    outcome: Outcome


class PasswordChange(Request):
    """A member replaces their own password: the current one, and a new one of 12 to 128 characters that is not
    on the list of common passwords."""

    current_password: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Annotated[str, Field(min_length=12, max_length=128)]


class LoginRequest(Request):
    """Staff login."""

    login: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class StaffInfo(Response):
    """Who is logged in."""

    login: str
    display_name: str
    role: str
    site_ids: list[str]


class LoginResult(Response):
    """A new session: the cookie is set; send `csrf_token` as `X-CSRF-Token` with changes."""

    staff: StaffInfo
    csrf_token: str


class TokenCreate(Request):
    """Name of a new personal API token."""

    name: Annotated[str, Field(min_length=1, max_length=100)]


class TokenInfo(Response):
    """A personal API token (never its secret)."""

    id: int
    name: str
    created_at: dt.datetime


class TokenCreated(TokenInfo):
    """A new token: the secret is shown this once."""

    token: str


class TokenList(Response):
    """A staff member's live tokens."""

    tokens: list[TokenInfo]
