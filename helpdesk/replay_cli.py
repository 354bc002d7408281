"""`yorisoi replay`: anonymised sessions as a workshop file for `yorisoi kiosk --workshop` (import-light)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

MAX_SESSIONS = 1000


def register(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add `yorisoi replay --procedure ID --since DATE --limit N --out workshop.json`."""
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--procedure", help="one procedure id (default: all procedures)")
    p.add_argument("--since", type=dt.date.fromisoformat, help="first local day, YYYY-MM-DD")
    p.add_argument("--until", type=dt.date.fromisoformat, help="last local day, YYYY-MM-DD")
    p.add_argument("--site", help="one site id (default: all sites)")
    p.add_argument("--language", choices=("ja", "ja-easy", "en"), help="sessions in one language only")
    p.add_argument("--limit", type=int, default=20, help=f"the latest N ended sessions (1–{MAX_SESSIONS}, default 20)")
    p.add_argument("--out", required=True, type=Path, help="workshop.json")
    p.add_argument("--database-url", help="default: YORISOI_DATABASE_URL or the embedded SQLite file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the latest ended sessions in scope to --out as a replay file."""
    if args.out.suffix.lower() != ".json":
        print("yorisoi replay: --out must end in .json", file=sys.stderr)
        return 2
    if not 1 <= args.limit <= MAX_SESSIONS:
        print(f"yorisoi replay: --limit must be between 1 and {MAX_SESSIONS}", file=sys.stderr)
        return 2
    from content.loader import load_catalog
    from helpdesk.analytics.cli import _database
    from helpdesk.analytics.replay import export_recent
    from helpdesk.analytics.routes import Filters
    from helpdesk.analytics.settings import AnalyticsSettings

    settings = AnalyticsSettings()
    if args.procedure and args.procedure not in load_catalog().procedures:
        print(f"yorisoi replay: no procedure '{args.procedure}' (see `yorisoi content check`)", file=sys.stderr)
        return 2
    filters = Filters(
        procedure=args.procedure, site=args.site, language=args.language, since=args.since, until=args.until
    )
    db = _database(args.database_url)
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
