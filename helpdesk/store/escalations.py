"""Escalations and their conversations: create idempotently, move through the lifecycle atomically.

The store is one object (`EscalationStore`) made of parts by concept: creating (`escalation_create`), handling
(`escalation_handling`), reading (`escalation_reads`), on the shared row rules and change events
(`escalation_rows`)."""

from __future__ import annotations

import threading

from helpdesk.database import Database
from helpdesk.settings import HelpdeskSettings
from helpdesk.store.escalation_call import Calling
from helpdesk.store.escalation_create import POSITION_CAP, Creating
from helpdesk.store.escalation_handling import Handling
from helpdesk.store.escalation_reads import Reading, audit_view
from helpdesk.store.escalation_rows import QUEUE_ROW_FIELDS, Caller, Change, NotClaimer
from helpdesk.store.escalation_talk import Talk
from helpdesk.store.group_writer import GroupWriter

__all__ = ["POSITION_CAP", "QUEUE_ROW_FIELDS", "Caller", "Change", "EscalationStore", "NotClaimer", "audit_view"]


class EscalationStore(Creating, Handling, Reading, Talk, Calling):
    """Escalation operations; caches handling-time statistics per site for the wait estimate."""

    def __init__(self, db: Database, settings: HelpdeskSettings) -> None:
        self.db = db
        self.settings = settings
        self._stats: dict[str, tuple[float, list[float], int]] = {}
        self._contact: dict[str, float] = {}
        self._lock = threading.Lock()
        self._writer: GroupWriter | None = None
