"""The audit log: who viewed, claimed, replied to, resolved what, and when. Never free text."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.tables import audit_entries


def record(
    conn: Connection,
    actor: KioskPrincipal | StaffPrincipal | None,
    action: str,
    escalation_id: str | None = None,
    *,
    detail: str = "",
) -> None:
    """Append one entry in the caller's transaction (so it commits with the action it describes)."""
    import datetime as dt

    if isinstance(actor, StaffPrincipal):
        kind, actor_id = "staff", str(actor.id)
    elif isinstance(actor, KioskPrincipal):
        kind, actor_id = "kiosk", actor.kiosk_id
    else:
        kind, actor_id = "system", "-"
    conn.execute(
        insert(audit_entries).values(
            at=dt.datetime.now(dt.UTC),
            actor_kind=kind,
            actor_id=actor_id,
            action=action,
            escalation_id=escalation_id,
            detail=detail[:200],
        )
    )
