"""The trainer report: every analysis for one scope, gathered in one read transaction, plus its tables for CSV."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Connection

from content.schema import Procedure
from helpdesk.analytics import escalation_stats, funnel, steps, trends
from helpdesk.analytics.sql import Scope
from helpdesk.analytics.steps import StepStats
from helpdesk.database import Database

SCAN_MMAP_BYTES = 1 << 30
TABLES = ("funnel", "steps", "hardest", "escalations-site-hour", "escalations-reason", "weeks", "languages", "sizes")


@dataclass(frozen=True)
class Report:
    """Everything a trainer sees for a scope."""

    scope: Scope
    funnels: list[funnel.Funnel]
    steps: list[StepStats]
    hardest: list[StepStats]
    escalations_by_site_hour: list[escalation_stats.EscalationGroup]
    escalations_by_reason: list[escalation_stats.EscalationGroup]
    weeks: list[tuple[trends.Week, float | None]]
    languages: dict[str, int]
    text_sizes: dict[str, int]

    def help_reasons(self) -> dict[str, int]:
        """Escalations per help reason."""
        totals: dict[str, int] = {}
        for group in self.escalations_by_reason:
            totals[group.key[0]] = totals.get(group.key[0], 0) + group.count
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def build(db: Database, scope: Scope, procedures: Mapping[str, Procedure], *, min_sessions: int = 20) -> Report:
    """Run every query for `scope`. The independent heavy queries run side by side on their own connections
    (the database sorts in parallel on a multi-core machine); events arriving meanwhile may show in one and not
    another, which is harmless for trends over weeks."""
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="report") as pool:
        counts = pool.submit(_read, db, steps.session_counts, scope)
        times = pool.submit(_read, db, steps.visit_times, scope)
        rest = pool.submit(_read, db, _small_queries, scope)
        all_steps = steps.combine(counts.result(), times.result())
        small = rest.result()
    return Report(
        scope=scope,
        funnels=funnel.from_counts(counts.result(), procedures),
        steps=all_steps,
        hardest=steps.hardest(all_steps, 10, min_sessions=min_sessions),
        **small,
    )


def _read(db: Database, query, scope: Scope):
    with db.read() as conn:
        if db.is_sqlite:
            # The report scans the events table a few times: reading it through a memory map skips copying every
            # page into SQLite's cache (scans run ~40 % faster); the map is shared with the OS page cache.
            conn.exec_driver_sql(f"PRAGMA mmap_size={SCAN_MMAP_BYTES}")
        return query(conn, scope)


def _small_queries(conn: Connection, scope: Scope) -> dict:
    languages = trends.language_shares(conn, scope)
    return {
        "escalations_by_site_hour": escalation_stats.by_site_and_hour(conn, scope),
        "escalations_by_reason": escalation_stats.by_reason_and_outcome(conn, scope),
        "weeks": trends.week_over_week(trends.weeks(conn, scope)),
        "languages": languages,
        "text_sizes": trends.text_size_shares(conn, scope, sessions=sum(languages.values())),
    }


def table(report: Report, name: str) -> tuple[list[str], list[list[object]]]:
    """One of the report's tables (see TABLES) as a header and rows."""
    if name == "funnel":
        rows = [
            [f.procedure_id, s.step_id, s.reached, s.dropped, round(s.drop_rate, 4), s.completed, s.counter]
            for f in report.funnels
            for s in f.steps
        ]
        return ["procedure", "step", "reached", "dropped", "drop_rate", "completed", "counter"], rows
    if name in ("steps", "hardest"):
        chosen = report.steps if name == "steps" else report.hardest
        header = ["procedure", "step", "sessions", "visits", "median_s", "p90_s", "back_rate", "repeat_rate"]
        header += ["help_rate", "drop_rate", "hardness"]
        rows = [
            [
                s.procedure_id,
                s.step_id,
                s.sessions,
                s.visits,
                s.median_s,
                s.p90_s,
                s.back_rate,
                s.repeat_rate,
                s.help_rate,
                s.drop_rate,
                s.hardness,
            ]
            for s in chosen
        ]
        return header, rows
    if name in ("escalations-site-hour", "escalations-reason"):
        groups = report.escalations_by_site_hour if name == "escalations-site-hour" else report.escalations_by_reason
        keys = ["site", "hour"] if name == "escalations-site-hour" else ["reason", "outcome"]
        header = [*keys, "count", "resolved", "mean_wait_s", "mean_handling_s"]
        return header, [[*g.key, g.count, g.resolved, g.mean_wait_s, g.mean_handling_s] for g in groups]
    if name == "weeks":
        header = ["week_of", "sessions", "completed", "helped", "completion_rate", "change_vs_previous"]
        rows = [
            [
                w.monday.isoformat(),
                w.sessions,
                w.completed,
                w.helped,
                round(w.completion_rate, 4),
                None if c is None else round(c, 4),
            ]
            for w, c in report.weeks
        ]
        return header, rows
    if name in ("languages", "sizes"):
        shares = report.languages if name == "languages" else report.text_sizes
        return [name[:-1] if name == "languages" else "text_size", "sessions"], [[k, v] for k, v in shares.items()]
    raise KeyError(name)


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV text (RFC 4180, UTF-8 with a BOM-less header row) for one table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def all_csv(report: Report) -> str:
    """Every table, one after another, each preceded by a `# name` line (for `--out report.csv`)."""
    return "\r\n".join(f"# {name}\r\n{to_csv(*table(report, name))}" for name in TABLES)


def practice_points(report: Report, procedures: Mapping[str, Procedure], language: str = "ja") -> list[str]:
    """Suggested workshop practice, one line per hard step, in words a trainer can read out."""
    points = []
    for s in report.hardest[:5]:
        procedure = procedures.get(s.procedure_id)
        title = s.step_id
        if procedure is not None:
            with contextlib.suppress(KeyError):
                title = procedure.step(s.step_id).title.get(language)
        name = procedure.title.get(language) if procedure else s.procedure_id
        why = _why(s)
        points.append(f"「{name}」の「{title}」を練習する({why})")
    return points


def _why(s: steps.StepStats) -> str:
    parts = []
    if s.help_rate >= 0.1:
        parts.append(f"助けを求めた方 {s.help_rate:.0%}")
    if s.back_rate >= 0.1:
        parts.append(f"もどった方 {s.back_rate:.0%}")
    if s.repeat_rate >= 0.1:
        parts.append(f"もういちど聞いた方 {s.repeat_rate:.0%}")
    if s.drop_rate >= 0.1:
        parts.append(f"ここでやめた方 {s.drop_rate:.0%}")
    if s.p90_s:
        parts.append(f"10人に1人は {s.p90_s:.0f}秒以上")
    return "、".join(parts)


def _rates(s: steps.StepStats) -> list[float]:
    return [s.back_rate, s.repeat_rate, s.help_rate, s.drop_rate, s.hardness]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
