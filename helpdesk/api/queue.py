"""The staff queue: a snapshot view and a Server-Sent Events stream of changes (with Last-Event-ID)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from helpdesk.api.deps import ServicesDep, StaffDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.api.models import EscalationView, QueueView
from helpdesk.bus import QUEUE_TOPIC, is_reset
from helpdesk.principals import StaffPrincipal
from helpdesk.store.escalations import audit_view
from helpdesk.store.queue import queue_view

router = APIRouter(prefix="/queue", tags=["queue"], responses=ERROR_RESPONSES)

StatusFilter = Literal["waiting", "claimed", "resolved", "cancelled", "abandoned"]
SiteFilter = Annotated[list[Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]], Query()]
KEEPALIVE_S = 15.0
RETRY_MS = 1000
"""How soon a browser reconnects after the stream broke (a restart, a proxy): replay makes it lossless."""


@router.get("", response_model=QueueView)
async def get_queue(
    member: StaffDep,
    svc: ServicesDep,
    site: SiteFilter = [],  # noqa: B006 - FastAPI copies defaults per request
    status: Annotated[list[StatusFilter], Query()] = ["waiting", "claimed"],  # noqa: B006
) -> QueueView:
    """Open escalations of your sites in queue order (filter by site and status)."""
    rows = await svc.run(queue_view, svc.escalations, member, site_ids=site, statuses=list(status))
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
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    """Queue changes of your sites as Server-Sent Events; reconnect with Last-Event-ID to catch up.

    When what you missed cannot be replayed (too old, or the stream fell behind) an `event: reset` comes instead:
    refetch the queue (GET /queue), then carry on with the stream."""
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    return StreamingResponse(
        _events(request, svc, member, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, svc, member: StaffPrincipal, after: int | None) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    async with svc.bus.subscribe(QUEUE_TOPIC, last_event_id=after) as subscription:
        yield f": connected\nretry: {RETRY_MS}\n\n"
        while not await request.is_disconnected():
            event = await subscription.next(timeout=KEEPALIVE_S)
            if event is None:
                yield ": keep-alive\n\n"
                continue
            if is_reset(event):
                yield f"id: {event.id}\nevent: reset\ndata: {json.dumps(event.payload)}\n\n"
                continue
            if event.payload.get("site_id") not in member.site_ids:
                continue
            yield f"id: {event.id}\nevent: queue\ndata: {json.dumps(event.payload)}\n\n"
