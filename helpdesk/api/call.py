"""Voice-call signalling (wire 1.1): staff start a call, both sides exchange offer / answer / end signals through the
conversation's long-poll, and get ICE servers with TURN credentials minted for them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from fastapi import APIRouter

from helpdesk.api.deps import KioskOrStaffDep, ServicesDep, StaffDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.api.escalations import EscalationId, publish
from helpdesk.principals import KioskPrincipal
from helpdesk.settings import HelpdeskSettings
from helpdesk.wire import CallSignal, CallStarted, IceServer

router = APIRouter(prefix="/escalations", tags=["calls"], responses=ERROR_RESPONSES)


def turn_credentials(secret: str, who: str, ttl_s: int, now: float | None = None) -> tuple[str, str]:
    """coturn's `use-auth-secret` (TURN REST) scheme: username `<expiry>:<who>`, password base64(HMAC-SHA1)."""
    username = f"{int(now if now is not None else time.time()) + ttl_s}:{who}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: HelpdeskSettings, who: str) -> list[IceServer]:
    """STUN servers as configured, TURN servers with credentials for `who` that expire after `turn_ttl_s`."""
    stun, turn = _urls(settings.stun_urls), _urls(settings.turn_urls)
    servers = [IceServer(urls=stun)] if stun else []
    if turn and settings.turn_secret:
        username, credential = turn_credentials(settings.turn_secret, who, settings.turn_ttl_s)
        servers.append(IceServer(urls=turn, username=username, credential=credential))
    return servers


def _urls(setting: str) -> list[str]:
    return [url.strip() for url in setting.split(",") if url.strip()]


def _who(caller) -> str:
    return f"kiosk-{caller.kiosk_id}" if isinstance(caller, KioskPrincipal) else f"staff-{caller.id}"


@router.post("/{escalation_id}/call", status_code=201, response_model=CallStarted)
async def start_call(escalation_id: EscalationId, member: StaffDep, svc: ServicesDep) -> CallStarted:
    """「通話する」: only the staff member holding the escalation, while it is open, on a site they serve (403)."""
    call_id = await svc.run(svc.escalations.start_call, member, escalation_id)
    return CallStarted(call_id=call_id, ice_servers=ice_servers(svc.settings, _who(member)))


@router.get("/{escalation_id}/call/ice-servers", response_model=CallStarted)
async def call_ice_servers(
    escalation_id: EscalationId, call_id: str, caller: KioskOrStaffDep, svc: ServicesDep
) -> CallStarted:
    """ICE servers for one side of a call on this escalation (same authorisation as the call itself)."""
    await svc.run(svc.escalations.may_call, caller, escalation_id)
    return CallStarted(call_id=call_id[:32], ice_servers=ice_servers(svc.settings, _who(caller)))


@router.post("/{escalation_id}/call/signal", status_code=202)
async def call_signal(
    escalation_id: EscalationId, body: CallSignal, caller: KioskOrStaffDep, svc: ServicesDep
) -> dict[str, int]:
    """Pass one signal to the other side (its long-poll wakes at once); ending signals are audited."""
    message, events = await svc.run(svc.escalations.call_signal, caller, escalation_id, body.model_dump())
    await publish(svc, events)
    return {"id": message["id"]}
