"""Talking beyond typed text (wire 1.1): the resident's answers (kiosk) and the staff pointer (staff)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from helpdesk.api.deps import KioskDep, ServicesDep, StaffDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.api.escalations import EscalationId, IdempotencyKey, publish
from helpdesk.api.models import PointerRequest
from helpdesk.store.escalation_talk import wire_message, wire_signal
from helpdesk.wire import KioskSignal, ResidentAnswer, StaffMessage

router = APIRouter(prefix="/escalations", tags=["escalations"], responses=ERROR_RESPONSES)


@router.post(
    "/{escalation_id}/answers",
    status_code=201,
    response_model=StaffMessage,
    responses={200: {"model": StaffMessage, "description": "A retry: the answer this key stored before"}},
)
async def post_answer(
    escalation_id: EscalationId,
    body: ResidentAnswer,
    kiosk: KioskDep,
    svc: ServicesDep,
    idempotency_key: IdempotencyKey,
) -> Response:
    """The resident answered staff by touch or voice; stored once per Idempotency-Key, shown to staff at once."""
    message, created, events = await svc.run(
        svc.escalations.answer,
        kiosk,
        escalation_id,
        key=idempotency_key[:64],
        answer=body.answer,
        question_id=body.question_id,
    )
    if created:
        await publish(svc, events)
    answer = StaffMessage.model_validate(wire_message(message))
    return Response(answer.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


@router.post("/{escalation_id}/pointer", status_code=201, response_model=KioskSignal)
async def point(escalation_id: EscalationId, body: PointerRequest, member: StaffDep, svc: ServicesDep) -> KioskSignal:
    """Staff point at an element of the resident's screen: the kiosk rings it and says 「ここを押してください」."""
    message, events = await svc.run(svc.escalations.point, member, escalation_id, body.element)
    await publish(svc, events)
    return KioskSignal.model_validate(wire_signal(message))
