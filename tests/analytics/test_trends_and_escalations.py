"""Escalation, trend and share analytics against answers computed independently from the generated rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from helpdesk.analytics import escalation_stats, report, trends
from helpdesk.analytics.sql import Scope

from .conftest import Seeded

TOKYO = dt.timezone(dt.timedelta(hours=9))


def test_escalations_by_site_and_hour(seeded: Seeded) -> None:
    rows = seeded.synthetic.escalations
    expected: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        expected[(row["site_id"], str(row["created_at"].astimezone(TOKYO).hour))].append(row)
    with seeded.db.read() as conn:
        found = escalation_stats.by_site_and_hour(conn, Scope())
    assert {g.key for g in found} == set(expected)
    for group in found:
        mine = expected[group.key]
        assert group.count == len(mine)
        resolved = [r for r in mine if r["status"] == "resolved"]
        assert group.resolved == len(resolved)
        waits = [(r["claimed_at"] - r["created_at"]).total_seconds() for r in mine if r["claimed_at"]]
        handling = [(r["ended_at"] - r["claimed_at"]).total_seconds() for r in resolved]
        # rounded to 0.1 s in SQL; a half-way mean may round either way
        assert group.mean_wait_s == pytest.approx(sum(waits) / len(waits), abs=0.051)
        assert group.mean_handling_s == pytest.approx(sum(handling) / len(handling), abs=0.051)
    south = [g.mean_wait_s for g in found if g.key[0] == "south"]
    north = [g.mean_wait_s for g in found if g.key[0] == "north"]
    assert min(south) > max(north) * 0.9  # planted: south waits twice as long


def test_escalations_by_reason_and_outcome(seeded: Seeded) -> None:
    expected = Counter((r["reason"], r["outcome"] or "") for r in seeded.synthetic.escalations)
    with seeded.db.read() as conn:
        found = escalation_stats.by_reason_and_outcome(conn, Scope(site_id=None))
        south = escalation_stats.by_reason_and_outcome(conn, Scope(site_id="south"))
    assert {g.key: g.count for g in found} == dict(expected)
    south_expected = Counter(
        (r["reason"], r["outcome"] or "") for r in seeded.synthetic.escalations if r["site_id"] == "south"
    )
    assert {g.key: g.count for g in south} == dict(south_expected)


def test_weeks_count_sessions_completions_and_help(seeded: Seeded) -> None:
    weeks: dict[dt.date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in seeded.synthetic.events:
        local = e["at"].astimezone(TOKYO).date()
        monday = local - dt.timedelta(days=local.weekday())
        if e["action"] == "procedure-start":
            weeks[monday]["sessions"].add(e["session_id"])
        elif e["action"] == "session-end" and e["outcome"] == "completed":
            weeks[monday]["completed"].add(e["session_id"])
        elif e["action"] == "help-asked":
            weeks[monday]["helped"].add(e["session_id"])
    with seeded.db.read() as conn:
        found = trends.weeks(conn, Scope())
    assert [w.monday for w in found] == sorted(weeks)
    for week in found:
        assert week.sessions == len(weeks[week.monday]["sessions"])
        assert week.completed == len(weeks[week.monday]["completed"])
        assert week.helped == len(weeks[week.monday]["helped"])
    changes = trends.week_over_week(found)
    assert changes[0][1] is None
    assert changes[1][1] == (found[1].sessions - found[0].sessions) / found[0].sessions


def test_language_and_text_size_shares(seeded: Seeded) -> None:
    events = seeded.synthetic.events
    languages = Counter(e["outcome"] for e in events if e["action"] == "session-start")
    last_size: dict[str, str] = {}
    for e in sorted((e for e in events if e["action"] == "text-size"), key=lambda e: e["at"]):
        last_size[e["session_id"]] = e["outcome"]
    sessions = {e["session_id"] for e in events if e["action"] == "session-start"}
    sizes = Counter(last_size.get(s, "standard") for s in sessions)
    konbini = {
        e["session_id"] for e in events if e["action"] == "procedure-start" and e["procedure_id"] == "konbini-juminhyo"
    }
    with seeded.db.read() as conn:
        assert trends.language_shares(conn, Scope()) == dict(sorted(languages.items()))
        assert trends.text_size_shares(conn, Scope()) == dict(sorted(sizes.items()))
        one = trends.text_size_shares(conn, Scope(procedure_id="konbini-juminhyo"))
    assert one == dict(sorted(Counter(last_size.get(s, "standard") for s in konbini).items()))
    assert languages["ja"] > languages["ja-easy"] > languages["en"]  # planted 70 / 20 / 10
    built = report.build(seeded.db, Scope(), seeded.procedures)  # counts the sessions once, from the languages
    assert built.languages == dict(sorted(languages.items()))
    assert built.text_sizes == dict(sorted(sizes.items()))
