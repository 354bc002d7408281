"""The queue's pure rules: lifecycle, order with the long-wait boost, positions, wait estimates."""

from __future__ import annotations

import datetime as dt

import pytest

from helpdesk import domain
from helpdesk.errors import InvalidTransition

NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)


def waiting(item_id: str, minutes_ago: float, sla_minutes: int = 10) -> domain.Waiting:
    return domain.Waiting(item_id, NOW - dt.timedelta(minutes=minutes_ago), sla_minutes * 60)


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        ("waiting", "claim", "claimed"),
        ("claimed", "release", "waiting"),
        ("claimed", "transfer", "claimed"),
        ("claimed", "resolve", "resolved"),
        ("waiting", "cancel", "cancelled"),
        ("claimed", "abandon", "abandoned"),
    ],
)
def test_allowed_transitions(state: str, action: str, after: str) -> None:
    assert domain.next_state(state, action) == after


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("waiting", "resolve"),
        ("waiting", "release"),
        ("resolved", "claim"),
        ("cancelled", "resolve"),
        ("abandoned", "claim"),
        ("claimed", "claim"),
    ],
)
def test_invalid_transitions_have_a_stable_code(state: str, action: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        domain.next_state(state, action)
    assert caught.value.code == "invalid-transition" and caught.value.status == 409


def test_ended_states_allow_nothing() -> None:
    for state in domain.ENDED:
        assert not [a for (s, a) in domain.TRANSITIONS if s == state]
    assert set(domain.states_allowing("abandon")) == {"waiting", "claimed"}


def test_queue_is_oldest_first_within_a_site() -> None:
    items = [waiting("b", 2), waiting("a", 5), waiting("c", 1)]
    assert [i.id for i in domain.queue_order(items, NOW, boost_s=600)] == ["a", "b", "c"]
    assert domain.positions(items, NOW, 600) == {"a": 1, "b": 2, "c": 3}


def test_a_wait_past_its_sla_is_boosted_ahead() -> None:
    # "strict" has a 5-minute SLA and has waited 6 minutes; "lax" waited 9 minutes but its SLA is 30.
    items = [waiting("lax", 9, sla_minutes=30), waiting("strict", 6, sla_minutes=5)]
    assert [i.id for i in domain.queue_order(items, NOW, boost_s=600)] == ["strict", "lax"]
    assert [i.id for i in domain.queue_order(items, NOW, boost_s=0)] == ["lax", "strict"]
    assert domain.is_sla_breached(items[1], NOW) and not domain.is_sla_breached(items[0], NOW)


def test_estimated_wait_uses_median_handling_and_staff_count() -> None:
    assert domain.estimated_wait_s(3, [], staff_count=1, default_handling_s=240) == 720
    assert domain.estimated_wait_s(2, [100, 200, 3000], staff_count=1, default_handling_s=240) == 400
    assert domain.estimated_wait_s(3, [100, 200], staff_count=2, default_handling_s=240) == 225
    assert domain.estimated_wait_s(0, [100], staff_count=1, default_handling_s=240) == 0
    assert domain.estimated_wait_s(1, [100], staff_count=0, default_handling_s=240) == 100


def test_abandonment_and_active_limit() -> None:
    assert domain.is_abandoned(NOW - dt.timedelta(seconds=301), NOW, 300)
    assert not domain.is_abandoned(NOW - dt.timedelta(seconds=299), NOW, 300)
    assert domain.may_claim_more(2, 3) and not domain.may_claim_more(3, 3)
