"""Handlers for `yorisoi report` and `yorisoi handout` (argparse only at import; the work is imported lazily)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

FORMATS = (".pdf", ".html", ".csv")


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `yorisoi report`."""
    p.add_argument("--procedure", help="one procedure id (default: all procedures)")
    p.add_argument("--since", type=dt.date.fromisoformat, help="first local day, YYYY-MM-DD")
    p.add_argument("--until", type=dt.date.fromisoformat, help="last local day, YYYY-MM-DD")
    p.add_argument("--site", help="one site id (default: all sites)")
    p.add_argument("--language", choices=("ja", "ja-easy", "en"), help="sessions in one language only")
    p.add_argument("--out", required=True, type=Path, help="report.pdf, report.html or report.csv")
    p.add_argument("--database-url", help="default: YORISOI_DATABASE_URL or the embedded SQLite file")


def add_handout_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `yorisoi handout`."""
    p.add_argument("procedure", help="procedure id, e.g. konbini-juminhyo")
    p.add_argument("--lang", default="ja", choices=("ja", "ja-easy", "en"))
    p.add_argument("--out", required=True, type=Path, help="X.pdf or X.html")
    p.add_argument("--database-url", help="where session data marks the hard steps (default: the helpdesk's)")
    p.add_argument("--no-data", action="store_true", help="do not mark hard steps from session data")


def run_report(args: argparse.Namespace) -> int:
    """Write the workshop report for the chosen scope to --out."""
    suffix = args.out.suffix.lower()
    if suffix not in FORMATS:
        print(f"yorisoi report: --out must end in {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    from content.loader import load_catalog
    from helpdesk.analytics import report, views
    from helpdesk.analytics.routes import Filters
    from helpdesk.analytics.settings import AnalyticsSettings

    settings = AnalyticsSettings()
    procedures = load_catalog().procedures
    if args.procedure and args.procedure not in procedures:
        print(f"yorisoi report: no procedure '{args.procedure}'", file=sys.stderr)
        return 2
    filters = Filters(
        procedure=args.procedure, site=args.site, language=args.language, since=args.since, until=args.until
    )
    db = _database(args.database_url)
    try:
        data = report.build(db, filters.scope(settings), procedures, min_sessions=settings.report_min_sessions)
    finally:
        db.dispose()
    if suffix == ".csv":
        args.out.write_text(report.all_csv(data), encoding="utf-8")
    else:
        html = views.workshop_report(data, procedures, standalone=True)
        _write(args.out, html)
    print(f"wrote {args.out}")
    return 0


def run_handout(args: argparse.Namespace) -> int:
    """Write a procedure's handout in a language to --out."""
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".html"):
        print("yorisoi handout: --out must end in .pdf or .html", file=sys.stderr)
        return 2
    from content.loader import load_catalog
    from helpdesk.analytics import handout, steps, views
    from helpdesk.analytics.settings import AnalyticsSettings
    from helpdesk.analytics.sql import Scope

    procedures = load_catalog().procedures
    if args.procedure not in procedures:
        print(f"yorisoi handout: no procedure '{args.procedure}'", file=sys.stderr)
        return 2
    hard: set[str] = set()
    if not args.no_data:
        settings = AnalyticsSettings()
        db = _database(args.database_url)
        try:
            with db.read() as conn:
                stats = steps.step_stats(conn, Scope(procedure_id=args.procedure))
        finally:
            db.dispose()
        hard = handout.hard_steps(stats, args.procedure, min_sessions=settings.report_min_sessions)
    _write(args.out, views.handout_page(procedures[args.procedure], args.lang, hard=hard, standalone=True))
    print(f"wrote {args.out} ({len(hard)} steps marked hard)")
    return 0


def _database(url: str | None):  # type: ignore[no-untyped-def]
    from helpdesk.database import Database
    from helpdesk.settings import HelpdeskSettings

    return Database(url or HelpdeskSettings().resolved_database_url())


def _write(out: Path, html: str) -> None:
    if out.suffix.lower() == ".pdf":
        from helpdesk.analytics.pdf import html_to_pdf

        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
