"""`yorisoi content publish|versions|rollout|rollback|export`: the helpdesk's content versions from the shell.

Honours YORISOI_DATABASE_URL and YORISOI_CONTENT_SIGNING_KEY_FILE. Import-light: heavy work happens in handlers."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path


def add_actions(sub: argparse._SubParsersAction) -> None:
    """Add the publishing actions to `yorisoi content`."""
    p = sub.add_parser("publish", help="check, pack, sign and publish a content folder (to all sites or --site)")
    p.add_argument("folder", type=Path)
    p.add_argument("--note", required=True, help="what changed and why (shown in the history)")
    p.add_argument("--site", help="roll out to this site only (try it at one centre first)")
    p.set_defaults(handler=_guarded(_publish))
    p = sub.add_parser("versions", help="list published content versions and which sites run them")
    p.set_defaults(handler=_guarded(_versions))
    for name, text in (("rollout", "make a version the one a site (or all) runs"), ("rollback", "run an older one")):
        p = sub.add_parser(name, help=text)
        p.add_argument("version", help="version id or its first 6+ hex digits")
        p.add_argument("--site", help="only this site (default: all sites)")
        p.add_argument("--note", default="")
        p.set_defaults(handler=_guarded(_rollout))
    p = sub.add_parser("export", help="write a version back as its YAML folder (e.g. to keep it in git)")
    p.add_argument("version")
    p.add_argument("--out", type=Path, required=True, help="a new, empty folder")
    p.set_defaults(handler=_guarded(_export))


def _guarded(handler):
    """Turn helpdesk and pack errors into a one-line message and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        from content.pack import PackError
        from helpdesk.errors import HelpdeskError

        try:
            return handler(args)
        except HelpdeskError as exc:
            print(f"yorisoi content: {exc.message} ({exc.code})", file=sys.stderr)
            return 1
        except PackError as exc:
            print(f"yorisoi content: {exc} ({exc.code})", file=sys.stderr)
            return 1

    return run


def _settings_and_db():
    from helpdesk.database import Database
    from helpdesk.settings import HelpdeskSettings

    settings = HelpdeskSettings()
    db = Database(settings.resolved_database_url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    db.require_current_schema()
    return settings, db


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _publish(args: argparse.Namespace) -> int:
    from content.pack import PackError, Signer
    from helpdesk.content_store.versions import ContentRefused, publish_folder

    settings, db = _settings_and_db()
    if settings.content_signing_key_file is None:
        raise PackError(
            "set YORISOI_CONTENT_SIGNING_KEY_FILE to the key made by `yorisoi content keygen`",
            code="signing-key-missing",
        )
    signer = Signer.from_file(settings.content_signing_key_file)
    try:
        version, new = publish_folder(db, args.folder, signer=signer, by=_who(), note=args.note, site_id=args.site)
    except ContentRefused as exc:
        for line in exc.problems:
            print(line)
        print(f"yorisoi content: nothing published: {len(exc.problems)} errors ({exc.code})", file=sys.stderr)
        return 1
    where = f"site {args.site}" if args.site else "all sites"
    print(f"{'published' if new else 'already stored, rolled out again:'} {version[:12]} to {where}")
    print(version)
    return 0


def _versions(_args: argparse.Namespace) -> int:
    from helpdesk.content_store.versions import versions

    _, db = _settings_and_db()
    for v in versions(db):
        sites = ",".join(v["sites"]) or "-"
        when = v["published_at"].strftime("%Y-%m-%d %H:%M UTC")
        warnings = len(v["lint"].get("warnings", []))
        print(
            f"{v['version'][:12]}  {when}  {v['published_by']}  {len(v['procedures'])} procedures  "
            f"{v['size']} bytes  {warnings} warnings  sites: {sites}  {v['note']}"
        )
    return 0


def _rollout(args: argparse.Namespace) -> int:
    from helpdesk.content_store.versions import rollout

    _, db = _settings_and_db()
    full = rollout(db, args.version, by=_who(), note=args.note or args.content_command, site_id=args.site)
    print(f"{full[:12]} is now the version for {f'site {args.site}' if args.site else 'all sites'}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from helpdesk.content_store.versions import export

    _, db = _settings_and_db()
    folder = export(db, args.version, args.out)
    print(f"written to {folder}")
    return 0
