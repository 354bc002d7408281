"""The SQL analytics reproduce the planted funnel and stuck points exactly, on SQLite and on PostgreSQL."""

from __future__ import annotations

from helpdesk.analytics.funnel import funnels
from helpdesk.analytics.sql import GAVE_UP, Scope, nearest_rank
from helpdesk.analytics.steps import hardest, step_stats, step_thresholds

from .conftest import Seeded


def test_funnel_matches_the_ledger_exactly(seeded: Seeded) -> None:
    ledger = seeded.synthetic.ledger
    with seeded.db.read() as conn:
        found = {f.procedure_id: f for f in funnels(conn, Scope(), seeded.procedures)}
    assert set(found) == set(ledger.started)
    for pid, funnel in found.items():
        assert funnel.started == ledger.started[pid]
        for step in funnel.steps:
            key = (pid, step.step_id)
            assert step.reached == len(ledger.reached[key]), key
            assert step.dropped == sum(ledger.ended[(*key, o)] for o in GAVE_UP), key
            assert step.completed == ledger.ended[(*key, "completed")], key
            assert step.counter == ledger.ended[(*key, "counter")], key
        assert funnel.before_first_step == ledger.ended[(pid, None, "home")]
        assert {s.step_id for s in funnel.steps} == {s for p, s in ledger.reached if p == pid}


def test_planted_drop_offs_are_the_biggest(seeded: Seeded) -> None:
    with seeded.db.read() as conn:
        found = {f.procedure_id: f for f in funnels(conn, Scope(), seeded.procedures)}
    for key in seeded.plan.drop_at:
        pid, step_id = key.split("/")
        planted = next(s for s in found[pid].steps if s.step_id == step_id)
        assert planted.drop_rate > 0.25, key
        others = [s for s in found[pid].steps if s.step_id != step_id and s.reached >= 30]
        assert all(s.drop_rate < 0.1 for s in others), key


def test_step_stats_match_the_ledger_exactly(seeded: Seeded) -> None:
    ledger = seeded.synthetic.ledger
    with seeded.db.read() as conn:
        stats = step_stats(conn, Scope())
    assert {(s.procedure_id, s.step_id) for s in stats} == set(ledger.reached)
    for s in stats:
        key = (s.procedure_id, s.step_id)
        visits = ledger.visit_seconds(key)
        sessions = len(ledger.reached[key])
        assert s.sessions == sessions
        assert s.visits == len(visits), key
        assert s.median_s == nearest_rank(visits, 5), key
        assert s.p90_s == nearest_rank(visits, 9), key
        assert s.back_rate == round(len(ledger.did[(*key, "back")]) / sessions, 6), key
        assert s.repeat_rate == round(len(ledger.did[(*key, "repeat")]) / sessions, 6), key
        assert s.help_rate == round(len(ledger.did[(*key, "help")]) / sessions, 6), key


def test_planted_stuck_steps_are_the_hardest(seeded: Seeded) -> None:
    with seeded.db.read() as conn:
        stats = step_stats(conn, Scope())
    top = hardest(stats, limit=len(seeded.plan.stuck_at), min_sessions=20)
    assert {s.key for s in top} == set(seeded.plan.stuck_at)
    assert len(hardest(stats)) == 10


def test_thresholds_are_the_p90_of_steps_with_enough_sessions(seeded: Seeded) -> None:
    ledger = seeded.synthetic.ledger
    scope = Scope(procedure_id="konbini-juminhyo")
    with seeded.db.read() as conn:
        served = step_thresholds(conn, scope, min_sessions=50)
        none = step_thresholds(conn, scope, min_sessions=10**6)
    assert none == {}
    expected = {
        f"{p}/{s}": nearest_rank(ledger.visit_seconds((p, s), first_unaided=True), 9)
        for (p, s), sessions in ledger.reached.items()
        if p == "konbini-juminhyo" and len(sessions) >= 50
    }
    assert served == expected
    [stuck] = [key for key in seeded.plan.stuck_at if key.startswith("konbini-juminhyo/")]
    assert served[stuck] > 2 * served["konbini-juminhyo/has-card"]  # the planted stuck step stands out
