#!/usr/bin/env python3
"""Back up and restore the helpdesk database: SQLite through the online backup API, PostgreSQL through
pg_dump -Fc / pg_restore. Run through deploy/backup.sh and deploy/restore.sh.

Standard library only (plus the PostgreSQL client programs), so it runs from the helpdesk's virtualenv or any
python3. Passwords never go on a command line: the URL is turned into libpq environment variables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl, unquote, urlsplit

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# One table in `pg_restore --list`: "215; 1259 16390 TABLE public kiosks yorisoi".
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(?P<schema>\S+) (?P<table>.+) (?P<owner>\S+)$")
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
# SQLAlchemy URL query options that libpq understands, and the environment variable that carries each.
LIBPQ_OPTIONS = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; `code` is stable, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def database_kind(url: str) -> str:
    """'sqlite' or 'postgresql' for a helpdesk database URL."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    raise BackupError("unsupported-database", f"cannot back up a '{scheme}' database: use sqlite or postgresql")


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
    rest = url.split(":", 1)[1]
    if not rest.startswith("///") or rest in ("///", "///:memory:"):
        raise BackupError("bad-sqlite-url", f"expected sqlite:////absolute/path.sqlite3, got {url!r}")
    return Path(unquote(rest[3:].split("?", 1)[0]))


def libpq_environment(url: str) -> dict[str, str]:
    """libpq environment variables (PGHOST, PGUSER, PGPASSWORD, ...) for a PostgreSQL URL."""
    parts = urlsplit(url)
    env = {"PGDATABASE": unquote(parts.path.lstrip("/"))}
    if not env["PGDATABASE"]:
        raise BackupError("bad-postgres-url", "the PostgreSQL URL names no database (…/DBNAME)")
    for key, value in (("PGHOST", parts.hostname), ("PGPORT", parts.port), ("PGUSER", parts.username)):
        if value:
            env[key] = unquote(str(value))
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    for key, value in parse_qsl(parts.query):
        if key not in LIBPQ_OPTIONS:
            raise BackupError("bad-postgres-url", f"unknown connection option {key!r} in the database URL")
        env[LIBPQ_OPTIONS[key]] = value
    return env


def resolve_url(given: str | None) -> str:
    """--database-url, else YORISOI_DATABASE_URL, else the helpdesk's own default (when installed here)."""
    url = given or os.environ.get("YORISOI_DATABASE_URL")
    if url:
        return url
    try:
        from helpdesk.settings import HelpdeskSettings
    except ImportError:
        raise BackupError(
            "no-database-url", "set YORISOI_DATABASE_URL (e.g. from /etc/yorisoi/helpdesk.env) or pass --database-url"
        ) from None
    return HelpdeskSettings().resolved_database_url()


def timestamp() -> str:
    """A UTC timestamp that sorts in time order and is safe in a file name."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def file_kind(path: Path) -> str:
    """'sqlite' or 'postgresql' by the backup file's first bytes."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise BackupError("backup-unreadable", f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError("not-a-backup", f"{path} is neither a SQLite database nor a pg_dump custom-format archive")


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    mode = "ro" if readonly else "rw"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _sqlite_check(conn: sqlite3.Connection, what: str) -> int:
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError("integrity-check-failed", f"{what} fails SQLite's integrity check: {result[:3]}")
    return conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]


def sqlite_backup(source: Path, target: Path) -> int:
    """Copy a live SQLite database into `target` with the online backup API; returns its table count."""
    if not source.is_file() or file_kind(source) != "sqlite":
        raise BackupError("database-missing", f"no SQLite database at {source} (check YORISOI_DATABASE_URL)")
    src = _sqlite_connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file, no -wal beside it
        return _sqlite_check(dst, f"the backup {target}")
    finally:
        dst.close()
        src.close()


def sqlite_restore(backup: Path, target: Path, *, force: bool) -> int:
    """Write a SQLite backup into the database at `target` through the backup API; returns its table count."""
    src = _sqlite_connect(backup, readonly=True)
    try:
        _sqlite_check(src, f"the backup {backup}")
        if target.exists() and target.stat().st_size > 0:
            _refuse_unless_forced(_sqlite_table_count(target), force, str(target))
            safety = target.with_name(f"{target.name}.before-restore-{timestamp()}")
            sqlite_backup(target, safety)
            print(f"restore: the database as it was is kept in {safety}", file=sys.stderr)
        elif not target.parent.is_dir():
            raise BackupError("target-folder-missing", f"the folder {target.parent} does not exist")
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # what the helpdesk runs with
            return _sqlite_check(dst, f"the restored database {target}")
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_table_count(path: Path) -> int:
    if file_kind(path) != "sqlite":
        raise BackupError("target-not-sqlite", f"{path} exists and is not a SQLite database")
    conn = _sqlite_connect(path, readonly=True)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
    finally:
        conn.close()


def _refuse_unless_forced(tables: int, force: bool, where: str) -> None:
    if tables and not force:
        raise BackupError(
            "target-not-empty",
            f"{where} already holds {tables} tables: stop the helpdesk and pass --force to replace its content",
        )


# --- PostgreSQL -----------------------------------------------------------------------------------


def _run(command: list[str], env: dict[str, str], what: str, stdin: IO[bytes] | None = None) -> str:
    """Run a PostgreSQL client program with libpq settings in its environment; its stderr becomes the error."""
    try:
        done = subprocess.run(
            command, env={**os.environ, **env}, stdin=stdin, capture_output=True, check=False, timeout=3600
        )
    except FileNotFoundError:
        raise BackupError(
            "postgres-client-missing", f"{command[0]} is not installed: apt-get install postgresql-client"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
        hint = " (pg_dump must be at least the server's major version)" if "version mismatch" in detail else ""
        raise BackupError(f"{command[0]}-failed", f"{what} failed: {detail}{hint}")
    return done.stdout.decode()


def postgres_tables(env: dict[str, str]) -> set[str]:
    """The database's tables outside PostgreSQL's own schemas, as 'schema.table'."""
    query = (
        "SELECT schemaname || '.' || tablename FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    out = _run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", query], env, "connecting")
    return {line for line in out.splitlines() if line}


def archive_tables(archive: Path) -> set[str]:
    """The tables a pg_dump custom-format archive holds (pg_restore --list reads and checks the archive)."""
    listing = _run(["pg_restore", "--list", str(archive)], {}, f"reading the archive {archive}")
    found = set()
    for line in listing.splitlines():
        match = TOC_TABLE.match(line)
        if match:
            found.add(f"{match['schema']}.{match['table']}")
    return found


def postgres_backup(env: dict[str, str], target: Path) -> int:
    """pg_dump -Fc into `target`, then check the archive can be read; returns its table count."""
    _run(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], env, "pg_dump")
    tables = archive_tables(target)
    if not tables:
        raise BackupError("empty-database", f"database {env['PGDATABASE']} holds no tables: is the URL right?")
    return len(tables)


def postgres_restore(archive: Path, env: dict[str, str], *, force: bool) -> int:
    """Replace the database's tables with the archive's, all in one transaction; returns the table count."""
    wanted = archive_tables(archive)
    present = postgres_tables(env)
    _refuse_unless_forced(len(present), force, f"database {env['PGDATABASE']}")
    # Tables the backup does not know (a later migration's) go too, or the next migrate would trip on them.
    drops = "".join(f"DROP TABLE IF EXISTS {_quoted(name)} CASCADE;" for name in sorted(present - wanted))
    script = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(archive)]
    apply = ["psql", "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1"]
    apply += ["-c", drops or "SELECT 1", "-f", "-"]
    with subprocess.Popen(script, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as producer:
        try:
            _run(apply, env, "restoring with psql", stdin=producer.stdout)
        finally:
            producer.stdout.close()  # type: ignore[union-attr]
            producer.wait()
    if producer.returncode != 0:
        raise BackupError("pg_restore-failed", f"pg_restore could not read {archive}")
    now = postgres_tables(env)
    if now != wanted:
        raise BackupError("restore-incomplete", f"after restoring, the tables differ: {sorted(now ^ wanted)}")
    return len(now)


def _quoted(name: str) -> str:
    schema, table = name.split(".", 1)
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))


# --- command line ---------------------------------------------------------------------------------


def backup(url: str, folder: Path, keep: int | None) -> Path:
    """Write one backup of the database at `url` into `folder`; returns the backup file."""
    kind = database_kind(url)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = folder / f"helpdesk-{timestamp()}{SUFFIX[kind]}"
    partial = final.with_name(f".{final.name}.partial")
    try:
        if kind == "sqlite":
            tables = sqlite_backup(sqlite_path(url), partial)
        else:
            tables = postgres_backup(libpq_environment(url), partial)
        partial.chmod(0o600)
        partial.replace(final)  # a file with the final name is always complete and checked
    finally:
        partial.unlink(missing_ok=True)
    print(f"backup: {final} ({tables} tables, {final.stat().st_size} bytes)")
    if keep:
        prune(folder, SUFFIX[kind], keep)
    return final


def prune(folder: Path, suffix: str, keep: int) -> None:
    """Delete all but the newest `keep` backups of one kind in `folder`."""
    backups = sorted(folder.glob(f"helpdesk-*{suffix}"))
    for old in backups[:-keep]:
        old.unlink()
        print(f"backup: removed old backup {old}")


def restore(url: str, archive: Path, *, force: bool) -> None:
    """Replace the content of the database at `url` with a backup file."""
    kind = database_kind(url)
    if file_kind(archive) != kind:
        raise BackupError("backup-kind-mismatch", f"{archive} is a {file_kind(archive)} backup, the database {kind}")
    if kind == "sqlite":
        tables = sqlite_restore(archive, sqlite_path(url), force=force)
    else:
        tables = postgres_restore(archive, libpq_environment(url), force=force)
    print(f"restore: {archive} restored ({tables} tables); run `yorisoi helpdesk migrate` if it is an older backup")


def main(argv: list[str] | None = None) -> int:
    """`dbbackup.py backup|restore ...`; exit 0 on success, 1 with a one-line error otherwise."""
    parser = argparse.ArgumentParser(prog="dbbackup", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    b = sub.add_parser("backup", help="write a checked backup file into a folder")
    b.add_argument("folder", type=Path)
    b.add_argument("--keep", type=int, default=None, help="keep only the newest N backups of this kind")
    r = sub.add_parser("restore", help="replace the database's content with a backup file")
    r.add_argument("backup", type=Path)
    r.add_argument("--force", action="store_true", help="replace a database that already holds tables")
    for p in (b, r):
        p.add_argument("--database-url", default=None, help="default: $YORISOI_DATABASE_URL")
    args = parser.parse_args(argv)
    try:
        url = resolve_url(args.database_url)
        if args.action == "backup":
            if args.keep is not None and args.keep < 1:
                raise BackupError("bad-keep", "--keep must be at least 1")
            backup(url, args.folder, args.keep)
        else:
            restore(url, args.backup, force=args.force)
    except BackupError as exc:
        print(f"{args.action}: error [{exc.code}]: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"{args.action}: error [sqlite-error]: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
