"""The trainers' commands: `yorisoi report`, `yorisoi handout` and `yorisoi replay`.

Import-light: argparse only at import, the work is imported when a command runs. Every command reads session data
only from a migrated helpdesk database; where there is none, it says so in a sentence (a handout is printed from
content alone) and never creates a database file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from yorisoi.vocabulary import LANGUAGES

if TYPE_CHECKING:
    from helpdesk.analytics.routes import Filters
    from helpdesk.database import Database

FORMATS = (".pdf", ".html", ".csv")
MAX_SESSIONS = 1000


class NoSessionData(Exception):
    """There is no migrated helpdesk database to read session data from."""

    code = "no-session-data"


def register(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add one trainer command (`report`, `handout` or `replay`) under `name`."""
    add_arguments, handler = COMMANDS[name]
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    add_arguments(p)
    p.set_defaults(handler=handler)


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `yorisoi report`."""
    p.add_argument("--procedure", help="one procedure id (default: all procedures)")
    p.add_argument("--since", type=dt.date.fromisoformat, help="first local day, YYYY-MM-DD")
    p.add_argument("--until", type=dt.date.fromisoformat, help="last local day, YYYY-MM-DD")
    p.add_argument("--site", help="one site id (default: all sites)")
    p.add_argument("--language", choices=LANGUAGES, help="sessions in one language only")
    p.add_argument("--out", required=True, type=Path, help="report.pdf, report.html or report.csv")
    p.add_argument("--database-url", help="default: YORISOI_DATABASE_URL or the embedded SQLite file")


def add_handout_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `yorisoi handout`."""
    p.add_argument("procedure", help="procedure id, e.g. konbini-juminhyo")
    p.add_argument("--lang", default="ja", choices=LANGUAGES)
    p.add_argument("--out", required=True, type=Path, help="X.pdf or X.html")
    p.add_argument("--database-url", help="where session data marks the hard steps (default: the helpdesk's)")
    p.add_argument("--no-data", action="store_true", help="do not mark hard steps from session data")


def add_replay_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `yorisoi replay`."""
    p.add_argument("--procedure", help="one procedure id (default: all procedures)")
    p.add_argument("--since", type=dt.date.fromisoformat, help="first local day, YYYY-MM-DD")
    p.add_argument("--until", type=dt.date.fromisoformat, help="last local day, YYYY-MM-DD")
    p.add_argument("--site", help="one site id (default: all sites)")
    p.add_argument("--language", choices=LANGUAGES, help="sessions in one language only")
    p.add_argument("--limit", type=int, default=20, help=f"the latest N ended sessions (1–{MAX_SESSIONS}, default 20)")
    p.add_argument("--out", required=True, type=Path, help="workshop.json")
    p.add_argument("--database-url", help="default: YORISOI_DATABASE_URL or the embedded SQLite file")


def run_report(args: argparse.Namespace) -> int:
    """Write the workshop report for the chosen scope to --out."""
    suffix = args.out.suffix.lower()
    if suffix not in FORMATS:
        print(f"yorisoi report: --out must end in {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    from content.loader import load_catalog
    from helpdesk.analytics import report, views
    from helpdesk.analytics.settings import AnalyticsSettings

    settings = AnalyticsSettings()
    procedures = load_catalog().procedures
    if args.procedure and args.procedure not in procedures:
        print(f"yorisoi report: no procedure '{args.procedure}'", file=sys.stderr)
        return 2
    filters = _filters(args)
    db = _session_database(args.database_url, "yorisoi report", "no report written")
    if db is None:
        return 1
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
        try:
            db = _database(args.database_url)
        except NoSessionData as exc:
            print(f"yorisoi handout: {exc}; printing the handout without marks for hard steps", file=sys.stderr)
        else:
            try:
                with db.read() as conn:
                    stats = steps.step_stats(conn, Scope(procedure_id=args.procedure))
            finally:
                db.dispose()
            hard = handout.hard_steps(stats, args.procedure, min_sessions=settings.report_min_sessions)
    _write(args.out, views.handout_page(procedures[args.procedure], args.lang, hard=hard, standalone=True))
    print(f"wrote {args.out} ({len(hard)} steps marked hard)")
    return 0


def run_replay(args: argparse.Namespace) -> int:
    """Write the latest ended sessions in scope to --out as a replay file."""
    if args.out.suffix.lower() != ".json":
        print("yorisoi replay: --out must end in .json", file=sys.stderr)
        return 2
    if not 1 <= args.limit <= MAX_SESSIONS:
        print(f"yorisoi replay: --limit must be between 1 and {MAX_SESSIONS}", file=sys.stderr)
        return 2
    from content.loader import load_catalog
    from helpdesk.analytics.replay import export_recent
    from helpdesk.analytics.settings import AnalyticsSettings

    settings = AnalyticsSettings()
    if args.procedure and args.procedure not in load_catalog().procedures:
        print(f"yorisoi replay: no procedure '{args.procedure}' (see `yorisoi content check`)", file=sys.stderr)
        return 2
    filters = _filters(args)
    db = _session_database(args.database_url, "yorisoi replay", "nothing written")
    if db is None:
        return 1
    try:
        with db.read() as conn:
            export = export_recent(conn, filters.scope(settings), limit=args.limit, timezone=settings.timezone)
    finally:
        db.dispose()
    if not export.sessions:
        print("yorisoi replay: no ended sessions match these filters; nothing written", file=sys.stderr)
        return 1
    args.out.write_text(export.model_dump_json(indent=1), encoding="utf-8")
    print(f"wrote {args.out} ({len(export.sessions)} sessions); replay it with: yorisoi kiosk --workshop {args.out}")
    return 0


def _filters(args: argparse.Namespace) -> Filters:
    """The trainer's scope from the command line (the same filters as the trainer pages)."""
    from helpdesk.analytics.routes import Filters

    return Filters(procedure=args.procedure, site=args.site, language=args.language, since=args.since, until=args.until)


def _session_database(url: str | None, command: str, consequence: str) -> Database | None:
    """The helpdesk database with session data, or None after telling the user in a sentence why there is none."""
    try:
        return _database(url)
    except NoSessionData as exc:
        print(f"{command}: {exc}; {consequence}", file=sys.stderr)
        return None


def _database(url: str | None) -> Database:
    """The helpdesk database holding session events, or NoSessionData saying why there is none (a missing SQLite
    file is never created: reading a report must not leave an empty database behind)."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from helpdesk.database import Database
    from helpdesk.errors import DatabaseUnavailable
    from helpdesk.settings import HelpdeskSettings

    url = url or HelpdeskSettings().resolved_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        raise NoSessionData(
            f"there is no helpdesk database at {parsed.database or url}; session data lives where the helpdesk runs "
            "(give --database-url, or set YORISOI_DATABASE_URL)"
        )
    db = Database(url)
    try:
        with db.read() as conn:
            migrated = inspect(conn).has_table("session_events")
    except DatabaseUnavailable:
        db.dispose()
        raise NoSessionData(f"the helpdesk database at {parsed.render_as_string()} does not answer") from None
    if not migrated:
        db.dispose()
        raise NoSessionData(
            f"the database at {parsed.render_as_string()} has no helpdesk tables yet (run `yorisoi helpdesk migrate`)"
        )
    return db


def _write(out: Path, html: str) -> None:
    if out.suffix.lower() == ".pdf":
        from helpdesk.analytics.pdf import html_to_pdf

        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")


COMMANDS = {
    "report": (add_report_arguments, run_report),
    "handout": (add_handout_arguments, run_handout),
    "replay": (add_replay_arguments, run_replay),
}
