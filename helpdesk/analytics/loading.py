"""Put synthetic data into a helpdesk database through the real ingest path (for tests, demos and the bench)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import insert

from helpdesk.analytics.synthetic import Synthetic
from helpdesk.database import Database
from helpdesk.principals import KioskPrincipal
from helpdesk.store import journal
from helpdesk.tables import escalations
from helpdesk.wire import SessionEventBatch


def ingest(db: Database, synthetic: Synthetic, kiosks: Mapping[str, str], *, batch_size: int = 1000) -> int:
    """Store the events as kiosks would send them (batches through `journal.ingest_events`) and the escalations."""
    by_kiosk: dict[str, list[dict]] = defaultdict(list)
    for event in synthetic.events:
        by_kiosk[event["kiosk_id"]].append(event)
    accepted = 0
    for kiosk_id, events in sorted(by_kiosk.items()):
        kiosk = KioskPrincipal(kiosk_id, kiosks[kiosk_id])
        for start in range(0, len(events), batch_size):
            batch = SessionEventBatch.model_validate({"events": events[start : start + batch_size]})
            accepted += journal.ingest_events(db, kiosk, batch)[0]
    store_escalations(db, synthetic.escalations)
    return accepted


def store_escalations(db: Database, rows: list[dict], *, batch_size: int = 1000) -> None:
    """Insert finished escalation rows (no messages: analytics never reads them)."""
    for start in range(0, len(rows), batch_size):
        with db.write() as conn:
            conn.execute(insert(escalations), rows[start : start + batch_size])
