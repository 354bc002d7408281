"""`yorisoi helpdesk ...`: serve, migrate and administer sites, kiosks and staff. Honours YORISOI_DATABASE_URL.

Import-light: heavy libraries are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from helpdesk.errors import HelpdeskError

Handler = Callable[[argparse.Namespace], int]
KEEP_ALIVE_S = 75
MAX_AUTO_WORKERS = 8


class WorkersNeedPostgres(HelpdeskError):
    """More than one worker on SQLite: its notification bus cannot reach the other processes."""

    code = "workers-need-postgres"


def workers_argument(value: str) -> int | None:
    """`--workers`: a number of processes from 1 up, or `auto` (None)."""
    if value == "auto":
        return None
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more) or auto, not {value!r}")
    return int(value)


def worker_count(requested: int | None, *, postgres: bool, cpus: int | None = None) -> int:
    """The uvicorn workers to start: on PostgreSQL `auto` is one per CPU (2 to 8); SQLite always runs one."""
    if not postgres:
        if requested not in (None, 1):
            raise WorkersNeedPostgres(
                f"--workers {requested} needs PostgreSQL: on SQLite the notification bus lives inside one process, "
                "so consoles and kiosks served by another worker would miss new escalations and replies. "
                "Use --workers 1 (or auto), or set YORISOI_DATABASE_URL to a PostgreSQL database"
            )
        return 1
    if requested is not None:
        return requested
    return max(2, min(MAX_AUTO_WORKERS, cpus or _usable_cpus()))


def _usable_cpus() -> int:
    """CPUs this process may run on (a container's or unit's CPU set, not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def register(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add `yorisoi helpdesk` and its subcommands."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])
    sub = parser.add_subparsers(dest="helpdesk_command", metavar="SUBCOMMAND")

    p = sub.add_parser("serve", help="run the helpdesk HTTP server (migrates the database first)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument(
        "--workers",
        type=workers_argument,
        default=None,
        metavar="N|auto",
        help="server processes (default auto: on PostgreSQL one per CPU, 2 to 8; on SQLite always 1)",
    )
    p.add_argument("--no-migrate", action="store_true", help="refuse to start when the schema is behind")
    p.set_defaults(handler=_guarded(_serve))

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(handler=_guarded(_migrate))

    p = sub.add_parser("add-site", help="register a site (community centre)")
    p.add_argument("site_id")
    p.add_argument("--name", required=True)
    p.add_argument("--fallback-phone")
    p.add_argument("--sla-minutes", type=int, default=10)
    p.set_defaults(handler=_guarded(_add_site))

    p = sub.add_parser("add-kiosk", help="register a kiosk; prints its key once, alone on the last line")
    p.add_argument("kiosk_id")
    p.add_argument("--site", required=True)
    p.add_argument("--name", help="what staff call it, e.g. 入口の左 (shown in the console beside its id)")
    p.set_defaults(handler=_guarded(_add_kiosk))

    p = sub.add_parser("rotate-kiosk-key", help="give a kiosk a new key (printed once); the old one stops working")
    p.add_argument("kiosk_id")
    p.set_defaults(handler=_guarded(_rotate_kiosk_key))

    p = sub.add_parser("revoke-kiosk", help="stop accepting a kiosk's key")
    p.add_argument("kiosk_id")
    p.set_defaults(handler=_guarded(_revoke_kiosk))

    p = sub.add_parser("add-staff", help="create a staff account (password from a prompt or --password-stdin)")
    p.add_argument("login")
    p.add_argument("--role", required=True, choices=["staff", "trainer", "admin", "editor"])
    p.add_argument("--site", action="append", default=[], dest="sites")
    p.add_argument("--display-name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(handler=_guarded(_add_staff))

    p = sub.add_parser("disable-staff", help="disable an account; its sessions and API tokens end at once")
    p.add_argument("login")
    p.set_defaults(handler=_guarded(_disable_staff))

    p = sub.add_parser("purge", help="delete session events, ended escalations and audit entries older than DAYS")
    p.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    p.set_defaults(handler=_guarded(_purge))


def _guarded(handler: Handler) -> Handler:
    """Turn helpdesk errors into a one-line message and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        from helpdesk.errors import HelpdeskError

        try:
            return handler(args)
        except HelpdeskError as exc:
            print(f"yorisoi helpdesk: {exc.message} ({exc.code})", file=sys.stderr)
            return 1

    return run


def _database():
    from helpdesk.database import Database
    from helpdesk.settings import HelpdeskSettings

    settings = HelpdeskSettings()
    return Database(settings.resolved_database_url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def _ready_database():
    db = _database()
    db.require_current_schema()
    return db


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    db = _database()
    workers = worker_count(args.workers, postgres=db.url.startswith("postgresql"))  # refused before migrating
    if args.no_migrate:
        db.require_current_schema()
    else:
        db.migrate()
    db.dispose()
    uvicorn.run(
        "helpdesk.api.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        # Longer than any client's or proxy's idle keep-alive (nginx upstream: 60 s), so the client always closes
        # first: with uvicorn's 5 s, a kiosk or nginx reusing a connection the server was just closing got a
        # reset (RemoteProtocolError / 502).
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    db = _database()
    db.migrate()
    print("database schema is up to date")
    return 0


def _add_site(args: argparse.Namespace) -> int:
    from helpdesk.store import accounts

    accounts.add_site(
        _ready_database(),
        site_id=args.site_id,
        name=args.name,
        fallback_phone=args.fallback_phone,
        sla_minutes=args.sla_minutes,
    )
    print(f"site {args.site_id} added")
    return 0


def _add_kiosk(args: argparse.Namespace) -> int:
    from helpdesk.store import accounts

    key = accounts.add_kiosk(_ready_database(), kiosk_id=args.kiosk_id, site_id=args.site, name=args.name)
    print(f"kiosk {args.kiosk_id} added to site {args.site}; its key (shown only now) is on the next line")
    print(key)
    return 0


def _rotate_kiosk_key(args: argparse.Namespace) -> int:
    from helpdesk.store import accounts

    key, _changed = accounts.rotate_kiosk_key(_ready_database(), kiosk_id=args.kiosk_id)  # the servers' bus relays it
    print(f"kiosk {args.kiosk_id} has a new key (shown only now); the old key no longer works")
    print(key)
    return 0


def _revoke_kiosk(args: argparse.Namespace) -> int:
    from helpdesk.store import accounts

    accounts.revoke_kiosk(_ready_database(), kiosk_id=args.kiosk_id)  # its event reaches every server by the bus
    print(f"kiosk {args.kiosk_id} revoked")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        from helpdesk.errors import BadRequest

        raise BadRequest("the two passwords differ")
    return first


def _add_staff(args: argparse.Namespace) -> int:
    from helpdesk.store import accounts

    db = _ready_database()
    password = _read_password(args.password_stdin)
    accounts.add_staff(
        db, login=args.login, role=args.role, password=password, site_ids=args.sites, display_name=args.display_name
    )
    print(f"staff {args.login} ({args.role}) added")
    return 0


def _disable_staff(args: argparse.Namespace) -> int:
    from helpdesk.store import accounts

    accounts.disable_staff(_ready_database(), login=args.login)
    print(f"staff {args.login} disabled")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from helpdesk.errors import BadRequest
    from helpdesk.store import journal

    if args.older_than < 1:
        raise BadRequest("--older-than needs at least 1 day")
    counts = journal.purge(_ready_database(), older_than_days=args.older_than)
    print(" ".join(f"{name}={count}" for name, count in counts.items()))
    return 0
