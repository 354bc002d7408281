"""Escalations for trainers: reasons, outcomes, waiting and handling times, by site and local hour of day."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from helpdesk.analytics.sql import Scope, epoch_seconds, epoch_whole_seconds, sessions_in_language
from helpdesk.tables import escalations


@dataclass(frozen=True)
class EscalationGroup:
    """Escalations sharing a key (site and hour, or reason and outcome) and their average times."""

    key: tuple[str, ...]
    count: int
    resolved: int
    mean_wait_s: float | None
    mean_handling_s: float | None


def _filter(scope: Scope) -> ColumnElement[bool]:
    x = escalations.c
    conditions = []
    if scope.procedure_id:
        conditions.append(x.procedure_id == scope.procedure_id)
    if scope.site_id:
        conditions.append(x.site_id == scope.site_id)
    if scope.since:
        conditions.append(x.created_at >= scope.since)
    if scope.until:
        conditions.append(x.created_at < scope.until)
    if scope.language:
        conditions.append(x.session_id.in_(sessions_in_language(scope.language)))
    return and_(True, *conditions)


def _grouped(conn: Connection, scope: Scope, *keys: ColumnElement) -> list[EscalationGroup]:
    x = escalations.c
    wait = epoch_seconds(x.claimed_at) - epoch_seconds(x.created_at)
    handling = case((x.status == "resolved", epoch_seconds(x.ended_at) - epoch_seconds(x.claimed_at)))
    rows = conn.execute(
        select(
            *keys,
            func.count(),
            func.count(case((x.status == "resolved", 1))),
            func.avg(wait),
            func.avg(handling),
        )
        .where(_filter(scope))
        .group_by(*keys)
        .order_by(*keys)
    )
    return [
        EscalationGroup(
            key=tuple(str(v) if v is not None else "" for v in row[: len(keys)]),
            count=row[-4],
            resolved=row[-3],
            mean_wait_s=None if row[-2] is None else round(float(row[-2]), 1),
            mean_handling_s=None if row[-1] is None else round(float(row[-1]), 1),
        )
        for row in rows
    ]


def local_hour(scope: Scope) -> ColumnElement[int]:
    """Hour of day (0–23) in the scope's local time of an escalation's creation."""
    return ((epoch_whole_seconds(escalations.c.created_at) + scope.utc_offset_s) // 3600) % 24


def by_site_and_hour(conn: Connection, scope: Scope) -> list[EscalationGroup]:
    """Escalations per site and local hour of day."""
    return _grouped(conn, scope, escalations.c.site_id, local_hour(scope).label("hour"))


def by_reason_and_outcome(conn: Connection, scope: Scope) -> list[EscalationGroup]:
    """Escalations per help reason and outcome (an empty outcome: cancelled or abandoned)."""
    return _grouped(conn, scope, escalations.c.reason, escalations.c.outcome)


def by_step(conn: Connection, scope: Scope) -> list[EscalationGroup]:
    """Escalations per procedure, step and reason (what residents asked help for, where)."""
    x = escalations.c
    return _grouped(conn, scope, x.procedure_id, x.step_id, x.reason)
