"""Facts expire: an official page checked long ago may have changed, and a transitional rule stops on a known day.

`yorisoi content check` warns (never fails) so that a municipality knows which pages to read again: each `checked`
date older than six months, and each `until` day that has come.
"""

from __future__ import annotations

import datetime as dt

from content.loader import Problem
from content.schema import Procedure, Source

RECHECK_MONTHS = 6
"""A page checked more than this many months ago is read again."""


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter: 31 Aug + 6 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def sources(p: Procedure) -> list[tuple[str, Source]]:
    """Every source of a procedure with where it is: the procedure's own, then each step's."""
    found: list[tuple[str, Source]] = [("source", p.source)] if p.source else []
    for step in p.steps:
        found += [(f"step '{step.id}' → sources #{i + 1}", s) for i, s in enumerate(step.sources)]
    return found


def expiring(p: Procedure, name: str, today: dt.date) -> list[Problem]:
    """Warnings for pages to check again and transitional facts whose end day has come."""
    found: list[Problem] = []
    for where, source in sources(p):
        due = months_after(source.checked, RECHECK_MONTHS)
        if today > due:
            message = f"{source.url} was last checked {source.checked}, over {RECHECK_MONTHS} months ago; read it again"
            found.append(Problem("source-stale", name, f"{where} → checked", message, "warning"))
        if source.until is not None and today >= source.until:
            message = (
                f"the fact this page backs stopped being true on {source.until} ({source.url}); "
                "change the text and remove or move the until date"
            )
            found.append(Problem("fact-expired", name, f"{where} → until", message, "warning"))
    return found
