"""Facts expire: `content check` warns about pages checked over six months ago and transitional facts that ended."""

from __future__ import annotations

import datetime as dt

import pytest

from content.freshness import months_after
from content.lint import check
from content.loader import PACKAGED
from tests.kiosk.guide_fixtures import SAMPLE

STEP_SOURCES = """    sources:
      - {url: "https://www.digital.go.jp/a", title: checked long ago, checked: 2026-03-01}
      - {url: "https://www.digital.go.jp/b", title: a rule that ends, checked: 2026-11-01, until: 2026-08-01}
      - {url: "https://www.digital.go.jp/c", title: a rule still true, checked: 2026-11-01, until: 2027-04-01}
"""


@pytest.fixture()
def folder(tmp_path):
    lines = SAMPLE.splitlines(keepends=True)
    first_step = next(i for i, line in enumerate(lines) if line.startswith("  - id: one"))
    lines.insert(first_step + 1, STEP_SOURCES)  # right after `- id: one`
    (tmp_path / "sample.yaml").write_text("".join(lines), encoding="utf-8")
    return tmp_path


def warnings(folder, today):
    problems = check(folder, pictures=PACKAGED / "pictures", today=today)
    assert not [p for p in problems if p.severity == "error"], problems
    return {(p.code, p.where) for p in problems if p.code in ("source-stale", "fact-expired")}


def test_step_sources_checked_over_six_months_ago_and_ended_facts_are_named(folder):
    assert warnings(folder, dt.date(2026, 12, 2)) == {
        ("source-stale", "step 'one' → sources #1 → checked"),
        ("fact-expired", "step 'one' → sources #2 → until"),
    }


def test_six_months_to_the_day(folder):
    assert ("source-stale", "step 'one' → sources #1 → checked") not in warnings(folder, dt.date(2026, 9, 1))
    assert ("source-stale", "step 'one' → sources #1 → checked") in warnings(folder, dt.date(2026, 9, 2))
    # the procedure's own source (checked 2026-11-20) falls due the same way
    assert ("source-stale", "source → checked") in warnings(folder, dt.date(2027, 5, 21))
    assert ("source-stale", "source → checked") not in warnings(folder, dt.date(2027, 5, 20))


def test_a_fact_ends_on_its_until_day(folder):
    assert ("fact-expired", "step 'one' → sources #3 → until") not in warnings(folder, dt.date(2027, 3, 31))
    assert ("fact-expired", "step 'one' → sources #3 → until") in warnings(folder, dt.date(2027, 4, 1))


def test_expiry_is_a_warning_that_names_the_page(folder):
    problems = check(folder, pictures=PACKAGED / "pictures", today=dt.date(2026, 12, 2))
    [ended] = [p for p in problems if p.code == "fact-expired"]
    assert ended.severity == "warning"
    assert "https://www.digital.go.jp/b" in ended.message and "2026-08-01" in ended.message


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(dt.date(2026, 3, 1), 6) == dt.date(2026, 9, 1)
    assert months_after(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert months_after(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert months_after(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_the_shipped_content_is_fresh_today():
    problems = check(PACKAGED / "procedures", today=dt.date(2026, 12, 2))
    assert not [p for p in problems if p.code in ("source-stale", "fact-expired")]
