"""Stuck residents are offered help at the planted step when kiosks use the served p90 thresholds."""

from __future__ import annotations

from helpdesk.analytics.sql import Scope
from helpdesk.analytics.steps import step_thresholds

from .conftest import Seeded
from .population import simulate

PROCEDURE = "konbini-juminhyo"


def test_served_p90_thresholds_find_stuck_residents(sqlite_seeded: Seeded) -> None:
    with sqlite_seeded.db.read() as conn:
        thresholds = step_thresholds(conn, Scope(procedure_id=PROCEDURE), min_sessions=30)
    procedure = sqlite_seeded.procedures[PROCEDURE]
    planted = next(k.split("/")[1] for k in sqlite_seeded.plan.stuck_at if k.startswith(PROCEDURE + "/"))
    served = simulate(procedure, planted, thresholds)
    default = simulate(procedure, planted, {})
    print(f"served p90: precision {served.precision:.2f} recall {served.recall:.2f} ({served})")
    print(f"text-length default: precision {default.precision:.2f} recall {default.recall:.2f} ({default})")
    assert served.stuck > 20
    assert served.recall >= 0.9
    assert served.precision >= 0.35
    assert served.precision > default.precision


def test_without_enough_sessions_no_thresholds_are_served(sqlite_seeded: Seeded) -> None:
    with sqlite_seeded.db.read() as conn:
        assert step_thresholds(conn, Scope(procedure_id=PROCEDURE), min_sessions=10_000) == {}
