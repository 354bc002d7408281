"""Kiosk endpoints besides escalations: session events and heartbeats."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from helpdesk.api.deps import KioskDep, ServicesDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.store import journal
from helpdesk.wire import EventBatchResult, HeartbeatAck, KioskHeartbeat, SessionEventBatch

router = APIRouter(tags=["kiosk"], responses=ERROR_RESPONSES)


@router.post("/events", response_model=EventBatchResult)
async def post_events(batch: SessionEventBatch, kiosk: KioskDep, svc: ServicesDep) -> EventBatchResult:
    """Store session events; an event id already stored is counted as a duplicate, not stored twice."""
    accepted, duplicates = await svc.run(journal.ingest_events, svc.db, kiosk, batch)
    return EventBatchResult(accepted=accepted, duplicates=duplicates)


@router.post("/kiosks/heartbeat", response_model=HeartbeatAck)
async def heartbeat(body: KioskHeartbeat, kiosk: KioskDep, svc: ServicesDep) -> HeartbeatAck:
    """A kiosk reports its status; the answer carries the site's fallback phone for offline moments."""
    site = await svc.run(journal.record_heartbeat, svc.db, kiosk, body)
    return HeartbeatAck(
        server_time=dt.datetime.now(dt.UTC),
        site_id=site["id"],
        site_name=site["name"],
        fallback_phone=site["fallback_phone"],
    )
