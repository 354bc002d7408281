"""Kiosk endpoints besides escalations: session events and heartbeats."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response

from helpdesk.api.deps import KioskDep, ServicesDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.content_store import delivery, site_settings
from helpdesk.store import journal
from helpdesk.wire import ContentTarget, EventBatchResult, HeartbeatAck, KioskHeartbeat, SessionEventBatch

PACK_TYPE = "application/vnd.yorisoi.content-pack+json"

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
    target = await svc.run(delivery.desired_for_site, svc.db, kiosk.site_id)
    values = await svc.run(site_settings.values_for_site, svc.db, kiosk.site_id)
    return HeartbeatAck(
        server_time=dt.datetime.now(dt.UTC),
        site_id=site["id"],
        site_name=site["name"],
        fallback_phone=site["fallback_phone"],
        content=ContentTarget(version=target.version, signature=target.signature, size=target.size) if target else None,
        site_values=values or None,
    )


@router.get("/content/packs/{version}", response_class=Response, responses={200: {"content": {PACK_TYPE: {}}}})
async def content_pack(version: str, kiosk: KioskDep, svc: ServicesDep) -> Response:
    """The canonical pack of a content version (the kiosk checks its SHA-256 and signature before using it)."""
    data = await svc.run(delivery.pack_for_kiosk, svc.db, kiosk.site_id, version)
    return Response(data, media_type=PACK_TYPE, headers={"Cache-Control": "private, max-age=31536000, immutable"})
