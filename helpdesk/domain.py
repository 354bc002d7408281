"""The escalation queue's rules, pure: lifecycle transitions, queue order, position, wait estimate, SLA.

No database, no clock: callers pass `now`. The store applies these rules inside its transactions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from helpdesk.errors import InvalidTransition

State = Literal["waiting", "claimed", "resolved", "cancelled", "abandoned"]
Action = Literal["claim", "release", "transfer", "resolve", "cancel", "abandon"]
Role = Literal["staff", "trainer", "admin", "editor"]

ROLES: tuple[str, ...] = ("staff", "trainer", "admin", "editor")
"""`editor` (content loop): edits content and the site settings of its sites, and rolls versions out to them."""
ENDED: frozenset[str] = frozenset({"resolved", "cancelled", "abandoned"})
OUTCOMES: tuple[str, ...] = ("solved", "solved-in-person", "referred-to-counter", "not-solvable", "other")
"""Outcome categories a staff member picks when resolving."""

TRANSITIONS: dict[tuple[str, str], str] = {
    ("waiting", "claim"): "claimed",
    ("waiting", "cancel"): "cancelled",
    ("waiting", "abandon"): "abandoned",
    ("claimed", "release"): "waiting",
    ("claimed", "transfer"): "claimed",
    ("claimed", "resolve"): "resolved",
    ("claimed", "cancel"): "cancelled",
    ("claimed", "abandon"): "abandoned",
}


def next_state(state: str, action: str) -> str:
    """The state after `action`, or InvalidTransition when the lifecycle does not allow it."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(f"cannot {action} an escalation that is {state}") from None


def states_allowing(action: str) -> tuple[str, ...]:
    """States from which `action` is allowed (used as the WHERE clause of an atomic update)."""
    return tuple(state for (state, act) in TRANSITIONS if act == action)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waiting escalation as the queue sees it."""

    id: str
    created_at: dt.datetime
    sla_s: int
    """The site's threshold: waiting longer than this is flagged and boosted."""


def waited_s(item: Waiting, now: dt.datetime) -> float:
    """Seconds the escalation has been waiting."""
    return max(0.0, (now - item.created_at).total_seconds())


def is_sla_breached(item: Waiting, now: dt.datetime) -> bool:
    """True when the wait is beyond the site's threshold."""
    return waited_s(item, now) > item.sla_s


def queue_order(items: Iterable[Waiting], now: dt.datetime, boost_s: float) -> list[Waiting]:
    """Oldest first; an escalation past its SLA counts `boost_s` more waiting, so it goes ahead."""

    def urgency(item: Waiting) -> tuple[float, str]:
        score = waited_s(item, now) + (boost_s if is_sla_breached(item, now) else 0.0)
        return (-score, item.id)

    return sorted(items, key=urgency)


def positions(items: Iterable[Waiting], now: dt.datetime, boost_s: float) -> dict[str, int]:
    """1-based queue position of each waiting escalation."""
    return {item.id: index for index, item in enumerate(queue_order(items, now, boost_s), start=1)}


def estimated_wait_s(
    position: int, recent_handling_s: Sequence[float], staff_count: int, default_handling_s: float
) -> int:
    """Seconds until someone picks this up: position × typical handling time ÷ staff at work.

    The typical handling time is the median of recent ones (robust to one very long call).
    """
    if position <= 0:
        return 0
    handling = _median(recent_handling_s) if recent_handling_s else default_handling_s
    return math.ceil(position * handling / max(1, staff_count))


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def is_abandoned(last_contact: dt.datetime, now: dt.datetime, abandon_after_s: float) -> bool:
    """True when the kiosk has not been in touch for longer than allowed."""
    return (now - last_contact).total_seconds() > abandon_after_s


def may_claim_more(active_count: int, limit: int) -> bool:
    """True when a staff member can take one more escalation."""
    return active_count < limit
