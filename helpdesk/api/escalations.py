"""Escalation endpoints: kiosks create, poll and cancel; staff claim, release, transfer, resolve, reply."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import ValidationError

from helpdesk.api.deps import KioskDep, KioskOrStaffDep, ServicesDep, StaffDep, bearer, kiosk_from_request
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.api.models import MessageBody, ResolveRequest, TransferRequest
from helpdesk.api.services import Services
from helpdesk.bus import Recorded, escalation_topic
from helpdesk.domain import ENDED
from helpdesk.errors import Forbidden, InvalidInput
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.store.escalation_call import own_signal
from helpdesk.store.escalation_talk import SIGNAL_KINDS, wire_message, wire_signal
from helpdesk.store.escalations import audit_view
from helpdesk.wire import (
    IDEMPOTENCY_KEY_PATTERN,
    EscalationRequest,
    EscalationStatus,
    KioskSignal,
    MessageList,
    StaffMessage,
)

router = APIRouter(prefix="/escalations", tags=["escalations"], responses=ERROR_RESPONSES)

EscalationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
IdempotencyKey = Annotated[str, Header(pattern=IDEMPOTENCY_KEY_PATTERN)]
"""The `Idempotency-Key` header of a kiosk's write (the shape the wire contract defines)."""


def status_of(svc: Services, row: dict) -> EscalationStatus:
    """The kiosk-facing status of an escalation row (computes position and estimated wait)."""
    position, wait = svc.escalations.position_and_wait(row)
    return EscalationStatus(
        id=row["id"],
        status=row["status"],
        position=position,
        estimated_wait_s=wait,
        claimed_by=row.get("claimed_by_name"),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        outcome=row.get("outcome"),
    )


async def publish(svc: Services, events: Sequence[Recorded]) -> None:
    """Tell the queue and the escalation's listeners about a committed change (its events were written in the
    change's own transaction, so a process dying before this line loses nothing: see helpdesk.bus.outbox)."""
    if svc.fault_after_commit:
        svc.fault_after_commit()
    await svc.bus.committed(events)


CREATE_DOCS = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "description": "Chosen once per escalation by the kiosk; a retry sends the same key and body",
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
        }
    ],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EscalationRequest"}}},
    },
}
"""The create operation reads its header and body itself (below); this documents them in /openapi.json."""
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


@router.post(
    "",
    status_code=201,
    response_model=EscalationStatus,
    responses={200: {"model": EscalationStatus, "description": "A retry: the escalation this key made before"}},
    openapi_extra=CREATE_DOCS,
    dependencies=[Depends(bearer)],
)
async def create_escalation(request: Request) -> Response:
    """A kiosk asks for help. Retries reuse the Idempotency-Key: same body → 200 with the same escalation.

    The hot path: REQUIREMENTS asks it to stay close to a bare Starlette + SQLite insert, so it authenticates with
    the same rules as every route (`kiosk_from_request`) and validates the wire model once, from the raw bytes,
    instead of through FastAPI's dependency tree and its second validation."""
    svc: Services = request.app.state.services
    kiosk = await kiosk_from_request(request, svc)
    key = request.headers.get("idempotency-key")
    if key is None or not _KEY.fullmatch(key):
        raise InvalidInput("header.idempotency-key: 1-200 printable ASCII characters are required")
    try:
        body = EscalationRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in ("body", *first.get("loc", ())))
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid input')}") from None
    _row, created, status, events = await svc.run(create_and_describe, svc, kiosk, key, body)
    if created:
        await publish(svc, events)
    return Response(status.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


def create_and_describe(svc: Services, kiosk: KioskPrincipal, key: str, body: EscalationRequest):
    """Store (or find) the escalation and compute its status, in one trip to the thread pool."""
    row, created, events = svc.escalations.create_recorded(kiosk, key, body)
    return row, created, status_of(svc, row) if created else _with_claimer(svc, row), events


@router.get("/{escalation_id}", response_model=EscalationStatus)
async def get_escalation(escalation_id: EscalationId, caller: KioskOrStaffDep, svc: ServicesDep) -> EscalationStatus:
    """Status, position and estimated wait. A kiosk sees only its own; staff only their sites'."""
    row = await svc.run(svc.escalations.get, caller, escalation_id)
    if isinstance(caller, StaffPrincipal):
        await svc.run(audit_view, svc.db, caller, escalation_id, "view")
    return await svc.run(_with_claimer, svc, row)


def _with_claimer(svc: Services, row: dict) -> EscalationStatus:
    from sqlalchemy import select

    from helpdesk.tables import staff

    if row["claimed_by"] is not None:
        with svc.db.read() as conn:
            name = conn.execute(select(staff.c.display_name).where(staff.c.id == row["claimed_by"])).scalar()
        row = {**row, "claimed_by_name": name}
    return status_of(svc, row)


@router.get("/{escalation_id}/messages", response_model=MessageList)
async def get_messages(
    escalation_id: EscalationId,
    caller: KioskOrStaffDep,
    svc: ServicesDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    wait: Annotated[float, Query(ge=0, le=25)] = 0,
) -> MessageList:
    """Messages after `after`; with `wait`, holds the request up to that many seconds until one arrives."""
    deadline = time.monotonic() + _hold_s(min(wait, svc.settings.long_poll_max_s))
    async with svc.bus.subscribe(escalation_topic(escalation_id)) as subscription:
        found, row = await svc.run_for_poll(svc.escalations.messages_after, caller, escalation_id, after)
        if isinstance(caller, StaffPrincipal) and after == 0:
            await svc.run(audit_view, svc.db, caller, escalation_id, "view-messages")
        while not found and row["status"] not in ENDED:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or await subscription.next(timeout=remaining) is None:
                break
            found, row = await svc.run_for_poll(svc.escalations.messages_after, caller, escalation_id, after)
    last_id = found[-1]["id"] if found else after
    said = [_message(m) for m in found if m["kind"] not in SIGNAL_KINDS]
    signals = [
        KioskSignal.model_validate(wire_signal(m))
        for m in found
        if m["kind"] in SIGNAL_KINDS and not own_signal(m, caller)
    ]
    return MessageList(messages=said, last_id=last_id, status=row["status"], signals=signals)


def _hold_s(wait: float) -> float:
    """How long to hold an empty poll: a long wait is cut short by up to a quarter, at random.

    Kiosks that started together (a power cut, a server restart) would otherwise come back together forever,
    hundreds of polls in the same second; the spread turns the herd into a steady trickle."""
    return wait if wait <= 4 else wait * random.uniform(0.75, 1.0)


def _message(row: dict) -> StaffMessage:
    return StaffMessage.model_validate(wire_message(row))


@router.post("/{escalation_id}/messages", status_code=201, response_model=StaffMessage)
async def post_message(
    escalation_id: EscalationId,
    body: MessageBody,
    caller: KioskOrStaffDep,
    svc: ServicesDep,
) -> StaffMessage:
    """A message into the conversation; 12-digit numbers and phone numbers are masked before storage."""
    if isinstance(caller, KioskPrincipal) and body.kind != "text":
        raise Forbidden("kiosks send text messages")
    step_id = getattr(body, "step_id", None)
    message, _row, events = await svc.run(
        svc.escalations.post_message, caller, escalation_id, kind=body.kind, text=body.text, step_id=step_id
    )
    await publish(svc, events)
    return _message(message)


@router.post("/{escalation_id}/claim", response_model=EscalationStatus)
async def claim(escalation_id: EscalationId, member: StaffDep, svc: ServicesDep) -> EscalationStatus:
    """Take the escalation; when two staff claim at once, one wins and the other gets 409."""
    return await _act(svc, member, "claim", escalation_id)


@router.post("/{escalation_id}/release", response_model=EscalationStatus)
async def release(escalation_id: EscalationId, member: StaffDep, svc: ServicesDep) -> EscalationStatus:
    """Put a claimed escalation back in the queue."""
    return await _act(svc, member, "release", escalation_id)


@router.post("/{escalation_id}/transfer", response_model=EscalationStatus)
async def transfer(
    escalation_id: EscalationId, body: TransferRequest, member: StaffDep, svc: ServicesDep
) -> EscalationStatus:
    """Hand a claimed escalation to another staff member of the same site."""
    return await _act(svc, member, "transfer", escalation_id, body.to_login)


@router.post("/{escalation_id}/resolve", response_model=EscalationStatus)
async def resolve(
    escalation_id: EscalationId, body: ResolveRequest, member: StaffDep, svc: ServicesDep
) -> EscalationStatus:
    """Close a claimed escalation with an outcome category."""
    return await _act(svc, member, "resolve", escalation_id, body.outcome)


@router.post("/{escalation_id}/cancel", response_model=EscalationStatus)
async def cancel(escalation_id: EscalationId, kiosk: KioskDep, svc: ServicesDep) -> EscalationStatus:
    """The resident left: the kiosk withdraws its escalation."""
    row, change = await svc.run(svc.escalations.cancel, kiosk, escalation_id)
    await publish(svc, change.events)
    return await svc.run(status_of, svc, row)


async def _act(svc: Services, member: StaffPrincipal, action: str, escalation_id: str, *args: str) -> EscalationStatus:
    method = getattr(svc.escalations, action)
    row, change = await svc.run(method, member, escalation_id, *args)
    await publish(svc, change.events)
    return await svc.run(_with_claimer, svc, row)
