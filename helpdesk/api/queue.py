"""The staff queue: a snapshot view and a Server-Sent Events stream of changes (with Last-Event-ID)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator

from helpdesk.api.deps import ServicesDep, StaffDep, still_the_same
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.api.models import EscalationView, QueueView
from helpdesk.bus import QUEUE_TOPIC, is_reset
from helpdesk.principals import StaffPrincipal
from helpdesk.store.accounts import ACCESS_CHANGED
from helpdesk.store.escalations import audit_view
from helpdesk.store.queue import queue_view

router = APIRouter(prefix="/queue", tags=["queue"], responses=ERROR_RESPONSES)

StatusFilter = Literal["waiting", "claimed", "resolved", "cancelled", "abandoned"]
SiteFilter = Annotated[list[Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]], Query()]
KEEPALIVE_S = 15.0
DISCONNECT_CHECK_S = 1.0
"""How often a quiet stream looks whether its client has gone (so it lets go of its subscription promptly)."""
RECHECK_S = 30.0
"""How often a stream re-checks its credentials besides when told (an account change by another process that has
no bus, a session that expired)."""
RETRY_MS = 1000
"""How soon a browser reconnects after the stream broke (a restart, a proxy): replay makes it lossless."""

EVENT_ID_LIMIT = 2**63
"""Event ids are 64-bit signed in both databases; a larger Last-Event-ID is nothing this server ever sent."""


def _event_id(value: str | None) -> str | None:
    """Refuse a Last-Event-ID beyond any id the server can issue."""
    if value is not None and int(value) >= EVENT_ID_LIMIT:
        raise ValueError(f"must be below {EVENT_ID_LIMIT}: send back the id of the last event you received")
    return value


@router.get("", response_model=QueueView)
async def get_queue(
    member: StaffDep,
    svc: ServicesDep,
    site: SiteFilter = [],  # noqa: B006 - FastAPI copies defaults per request
    status: Annotated[list[StatusFilter], Query()] = ["waiting", "claimed"],  # noqa: B006
) -> QueueView:
    """Open escalations of your sites in queue order (filter by site and status)."""
    rows = await svc.run(queue_view, svc.escalations, member, site_ids=site, statuses=list(status))
    if svc.queue_view_audits.due(member.id):
        await svc.run(audit_view, svc.db, member, None, "view-queue")
    items = [EscalationView.model_validate({**row, "claimed_by": row.get("claimed_by_name")}) for row in rows]
    return QueueView(items=items, generated_at=dt.datetime.now(dt.UTC))


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
)
async def stream_queue(
    request: Request,
    member: StaffDep,
    svc: ServicesDep,
    last_event_id: Annotated[str | None, Header(pattern=r"^[0-9]{1,19}$"), AfterValidator(_event_id)] = None,
) -> StreamingResponse:
    """Queue changes of your sites as Server-Sent Events; reconnect with Last-Event-ID to catch up.

    When what you missed cannot be replayed (too old, or the stream fell behind) an `event: reset` comes instead:
    refetch the queue (GET /queue), then carry on with the stream. The stream ends with an `event: ended` when your
    session ends, your account is disabled or your role or sites change: log in (or reconnect) again."""
    after = int(last_event_id) if last_event_id else None
    return StreamingResponse(
        _events(request, svc, member, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, svc, member: StaffPrincipal, after: int | None) -> AsyncIterator[str]:
    async with svc.bus.subscribe(QUEUE_TOPIC, last_event_id=after) as subscription:
        yield f": connected\nretry: {RETRY_MS}\n\n"
        wrote = checked = time.monotonic()
        while not await request.is_disconnected():
            event = await subscription.next(timeout=DISCONNECT_CHECK_S)
            now = time.monotonic()
            recheck = now - checked >= RECHECK_S
            if event is not None and event.payload.get("action") == ACCESS_CHANGED:
                recheck = event.payload.get("staff_id") == member.id
                event = None  # never sent: it names another member's account
            if recheck:
                checked = now
                if not await still_the_same(request, svc, member):
                    yield 'event: ended\ndata: {"reason": "access-changed"}\n\n'
                    return
            if event is None:
                if now - wrote >= KEEPALIVE_S:
                    wrote = now
                    yield ": keep-alive\n\n"
                continue
            if is_reset(event):
                wrote = now
                yield f"id: {event.id}\nevent: reset\ndata: {json.dumps(event.payload)}\n\n"
                continue
            if event.payload.get("site_id") not in member.site_ids:
                continue
            wrote = now
            yield f"id: {event.id}\nevent: queue\ndata: {json.dumps(event.payload)}\n\n"
