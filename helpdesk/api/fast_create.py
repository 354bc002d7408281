"""The escalation-create hot path as a plain Starlette endpoint in front of the FastAPI route.

REQUIREMENTS asks escalation creation to stay close to a bare Starlette + SQLite insert. FastAPI's
dependency resolution and double validation cost more CPU per request than the insert itself, so this
endpoint does the same work directly: the same authentication rules (`any_caller`), the same wire model
(`EscalationRequest`, validated once from the raw bytes), the same store call and the same answers.
The FastAPI route stays registered behind it, so `/openapi.json` documents this operation unchanged.
"""

from __future__ import annotations

import re

from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk import security
from helpdesk.api.deps import SESSION_COOKIE, any_caller, rate_limit
from helpdesk.api.escalations import create_and_describe, publish
from helpdesk.api.services import Services
from helpdesk.errors import Forbidden, InvalidInput, Unauthenticated
from helpdesk.principals import KioskPrincipal
from helpdesk.wire import API_PREFIX, EscalationRequest

_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")


async def _kiosk(request: Request, svc: Services) -> KioskPrincipal:
    """The calling kiosk; anyone else is refused exactly as the FastAPI dependencies would."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.startswith(security.KIOSK_KEY_PREFIX):
        kiosk = svc.kiosk_keys.remembered(token)
        if kiosk is False:
            kiosk = await svc.run(svc.kiosk_keys.lookup, token)
        if kiosk is None:
            raise Unauthenticated("unknown or revoked kiosk key")
        rate_limit(svc, kiosk)
        return kiosk
    credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if token else None
    await any_caller(request, svc, credentials, request.cookies.get(SESSION_COOKIE))
    raise Forbidden("only kiosks call this")


async def create_escalation(request: Request) -> Response:
    """POST /api/v1/escalations (see helpdesk.api.escalations.create_escalation for the contract)."""
    svc: Services = request.app.state.services
    kiosk = await _kiosk(request, svc)
    key = request.headers.get("idempotency-key")
    if key is None or not _IDEMPOTENCY_KEY.fullmatch(key):
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


def route() -> Route:
    """The route to put in front of the FastAPI one."""
    return Route(f"{API_PREFIX}/escalations", create_escalation, methods=["POST"], include_in_schema=False)
