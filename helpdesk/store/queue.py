"""The staff queue view: waiting and claimed escalations of the sites a member serves, in order."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk import domain
from helpdesk.clock import utcnow
from helpdesk.principals import StaffPrincipal
from helpdesk.store.escalations import EscalationStore
from helpdesk.tables import escalations, sites, staff

ENDED_LIMIT = 100
OPEN_LIMIT = 500
"""More open escalations than this at once means an incident, not a queue; the oldest are shown."""


def queue_view(
    store: EscalationStore, member: StaffPrincipal, *, site_ids: list[str], statuses: list[str]
) -> list[dict]:
    """Rows for the queue: open ones in queue order, then the latest ended ones; each with its place."""
    wanted_sites = sorted(member.site_ids.intersection(site_ids) if site_ids else member.site_ids)
    if not wanted_sites:
        return []
    query = (
        select(escalations, staff.c.display_name.label("claimed_by_name"), sites.c.sla_minutes)
        .join(sites, sites.c.id == escalations.c.site_id)
        .outerjoin(staff, staff.c.id == escalations.c.claimed_by)
        .where(escalations.c.site_id.in_(wanted_sites))
    )
    open_states = [s for s in statuses if s not in domain.ENDED]
    ended_states = [s for s in statuses if s in domain.ENDED]
    with store.db.read() as conn:
        open_query = query.where(escalations.c.status.in_(open_states)).order_by(escalations.c.created_at)
        rows = [dict(r) for r in conn.execute(open_query.limit(OPEN_LIMIT)).mappings()]
        if ended_states:
            ended = conn.execute(
                query.where(escalations.c.status.in_(ended_states))
                .order_by(escalations.c.created_at.desc())
                .limit(ENDED_LIMIT)
            ).mappings()
            rows += [dict(r) for r in ended]
    return _ordered(store, rows)


def _ordered(store: EscalationStore, rows: list[dict]) -> list[dict]:
    now = utcnow()
    boost = store.settings.long_wait_boost_s
    waiting = [
        domain.Waiting(r["id"], r["created_at"], r["sla_minutes"] * 60) for r in rows if r["status"] == "waiting"
    ]
    per_site: dict[str, list[domain.Waiting]] = {}
    by_id = {r["id"]: r for r in rows}
    for item in waiting:
        per_site.setdefault(by_id[item.id]["site_id"], []).append(item)
    for site_id, items in per_site.items():
        for item_id, position in domain.positions(items, now, boost).items():
            by_id[item_id]["position"] = position
            by_id[item_id]["estimated_wait_s"] = store.estimate(site_id, position)
    for row in rows:
        item = _waiting(row)
        row["waited_s"] = int(domain.waited_s(item, now))
        row["sla_breached"] = row["status"] == "waiting" and domain.is_sla_breached(item, now)
    order = {item.id: i for i, item in enumerate(domain.queue_order(waiting, now, boost))}
    rank = {"waiting": 0, "claimed": 1}
    return sorted(
        rows,
        key=lambda r: (rank.get(r["status"], 2), order.get(r["id"], 0), -r["created_at"].timestamp()),
    )


def _waiting(row: dict) -> domain.Waiting:
    return domain.Waiting(row["id"], row["created_at"], row["sla_minutes"] * 60)
