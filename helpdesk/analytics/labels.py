"""Words and chart rows for the trainer pages (the trainer console speaks Japanese)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from yorisoi.vocabulary import (
    HELP_REASON_NAMES,
    LANGUAGE_NAMES,
    SESSION_ACTION_NAMES,
    SESSION_END_NAMES,
    TEXT_SIZE_NAMES,
)

REASON_NAMES = HELP_REASON_NAMES
OUTCOME_NAMES = {
    "solved": "解決",
    "solved-in-person": "その場で解決",
    "referred-to-counter": "窓口へ案内",
    "not-solvable": "解決できず",
    "other": "その他",
}
SIZE_NAMES = TEXT_SIZE_NAMES
END_NAMES = SESSION_END_NAMES
ACTION_NAMES = SESSION_ACTION_NAMES


def funnel_rows(funnel, step_titles: Mapping[str, str]) -> list[tuple[str, float, str]]:
    """Chart rows for a funnel: step title, sessions that reached it, and the text beside the bar."""
    return [
        (
            step_titles.get(f"{funnel.procedure_id}/{s.step_id}", s.step_id),
            s.reached,
            f"{s.reached}(やめた {s.dropped})",
        )
        for s in funnel.steps
    ]


def share_rows(counts: Mapping[str, int], names: Mapping[str, str]) -> list[tuple[str, float, str]]:
    """Chart rows for counts by category, with their share."""
    total = sum(counts.values()) or 1
    return [(names.get(k, k), n, f"{n}({n / total:.0%})") for k, n in counts.items()]


def hour_rows(groups) -> dict[str, list[tuple[str, float]]]:
    """Per site, escalations by hour of day 0–23 (columns)."""
    per_site: dict[str, dict[int, int]] = defaultdict(dict)
    for g in groups:
        per_site[g.key[0]][int(g.key[1])] = g.count
    return {site: [(str(h), hours.get(h, 0)) for h in range(24)] for site, hours in sorted(per_site.items())}


def week_rows(weeks) -> list[tuple[str, float]]:
    """Columns for weekly sessions, labelled by the Monday's month/day."""
    return [(f"{w.monday.month}/{w.monday.day}", w.sessions) for w, _change in weeks]


def named(counts: Mapping[str, int], names: Mapping[str, str]) -> dict[str, int]:
    """Counts with their categories' display names."""
    return {names.get(k, k): n for k, n in counts.items()}


def globals_for_templates() -> dict[str, object]:
    """Everything the templates call."""
    return {
        "funnel_rows": funnel_rows,
        "share_rows": share_rows,
        "hour_rows": hour_rows,
        "week_rows": week_rows,
        "named": named,
        "reason_names": REASON_NAMES,
        "outcome_names": OUTCOME_NAMES,
        "size_names": SIZE_NAMES,
        "language_names": LANGUAGE_NAMES,
        "end_names": END_NAMES,
        "action_names": ACTION_NAMES,
    }
