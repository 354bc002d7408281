"""deploy/backup.sh → deploy/restore.sh round trips on SQLite and PostgreSQL, with the real helpdesk schema and
rows made by the real `yorisoi helpdesk` commands, plus the checks and errors the scripts promise."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
YORISOI = Path(sys.executable).with_name("yorisoi")


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "YORISOI_DATABASE_URL": url, "YORISOI_PYTHON": sys.executable}


def _yorisoi(url: str, *args: str) -> str:
    done = subprocess.run(
        [str(YORISOI), "helpdesk", *args], env=_env(url), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _script(name: str, url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEPLOY / name), *map(str, args)], env=_env(url), capture_output=True, text=True, timeout=300, check=False
    )


def _backup(url: str, folder: Path) -> Path:
    done = _script("backup.sh", url, folder)
    assert done.returncode == 0, done.stderr
    made = sorted(folder.glob("helpdesk-*"))
    assert made, done.stdout
    assert str(made[-1]) in done.stdout
    return made[-1]


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, through SQLAlchemy (the same driver the helpdesk uses)."""
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted((tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def _fill(url: str) -> str:
    """A real helpdesk database: schema from the migrations, a site, a kiosk and a staff account."""
    _yorisoi(url, "migrate")
    _yorisoi(url, "add-site", "chuo", "--name", "中央公民館", "--fallback-phone", "03-0000-0000")
    return _yorisoi(url, "add-kiosk", "chuo-1", "--site", "chuo").strip().splitlines()[-1]


def _change(url: str) -> None:
    """What happens after a backup: another site, a revoked kiosk (in-process, the same calls the CLI makes)."""
    from helpdesk.store import accounts

    db = _database(url)
    try:
        accounts.add_site(db, site_id="kita", name="北公民館", fallback_phone=None, sla_minutes=10)
        accounts.revoke_kiosk(db, kiosk_id="chuo-1")
    finally:
        db.dispose()


def _schema_is_current(url: str) -> bool:
    db = _database(url)
    try:
        return db.schema_is_current()
    finally:
        db.dispose()


def _database(url: str):  # type: ignore[no-untyped-def]
    from helpdesk.database import Database

    return Database(url)


# --- SQLite -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_sqlite_round_trip_with_the_real_schema(tmp_path: Path) -> None:
    db = tmp_path / "data" / "helpdesk.sqlite3"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    _fill(url)
    before = _snapshot(url)
    assert before["kiosks"] and before["sites"] and before["alembic_version"]

    backup = _backup(url, tmp_path / "backups")
    assert backup.suffix == ".sqlite3" and backup.stat().st_mode & 0o777 == 0o600
    assert not Path(f"{backup}-wal").exists()
    _change(url)
    changed = _snapshot(url)
    assert changed != before

    refused = _script("restore.sh", url, backup)
    assert refused.returncode == 1 and "[target-not-empty]" in refused.stderr
    assert _snapshot(url) == changed

    done = _script("restore.sh", url, "--force", backup)
    assert done.returncode == 0, done.stderr
    assert _snapshot(url) == before
    (kept,) = db.parent.glob("helpdesk.sqlite3.before-restore-*")
    assert _snapshot(f"sqlite:///{kept}") == changed
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert _schema_is_current(url)


def test_sqlite_backup_is_one_consistent_moment_while_a_writer_commits(tmp_path: Path) -> None:
    """Online backup: each transaction writes one row to each of two tables; a backup never holds half of one."""
    db = tmp_path / "live.sqlite3"
    url = f"sqlite:///{db}"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, body BLOB)")
    stop = threading.Event()
    committed = [0]

    def write() -> None:
        conn = sqlite3.connect(db, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")
        i = 0
        while not stop.is_set():
            i += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO a VALUES (?, ?)", (i, "ようこそ" * 50))
            conn.execute("INSERT INTO b VALUES (?, ?)", (i, secrets.token_bytes(300)))
            conn.execute("COMMIT")
            committed[0] = i
        conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while committed[0] < 200:
            stop.wait(0.01)
        backups = []
        for _ in range(3):
            at_least = committed[0]
            backups.append((at_least, _backup(url, tmp_path / "backups")))
    finally:
        stop.set()
        writer.join()
    for at_least, backup in backups:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as conn:
            rows_a = conn.execute("SELECT count(*), max(id) FROM a").fetchone()
            rows_b = conn.execute("SELECT count(*), max(id) FROM b").fetchone()
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert rows_a == rows_b
        assert rows_a[0] >= at_least


def test_sqlite_errors_are_clear_and_leave_nothing_behind(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    done = _script("backup.sh", f"sqlite:///{missing}", tmp_path / "backups")
    assert done.returncode == 1
    assert "[database-missing]" in done.stderr and str(missing) in done.stderr
    assert not missing.exists()  # no empty database created by looking for it
    assert list((tmp_path / "backups").glob("*")) == []

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    done = _script("restore.sh", f"sqlite:///{tmp_path / 'x.sqlite3'}", not_a_backup)
    assert done.returncode == 1 and "[not-a-backup]" in done.stderr

    pg_like = tmp_path / "helpdesk.pgdump"
    pg_like.write_bytes(b"PGDMP\x01\x0e\x00")
    done = _script("restore.sh", f"sqlite:///{tmp_path / 'x.sqlite3'}", pg_like)
    assert done.returncode == 1 and "[backup-kind-mismatch]" in done.stderr

    done = _script("backup.sh", "mysql://somewhere/db", tmp_path / "backups")
    assert done.returncode == 1 and "[unsupported-database]" in done.stderr

    env = {k: v for k, v in _env("").items() if k != "YORISOI_DATABASE_URL"}
    env["YORISOI_PYTHON"] = "/usr/bin/python3"  # no helpdesk to ask for its default
    done = subprocess.run(
        [str(DEPLOY / "backup.sh"), str(tmp_path / "b")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "[no-database-url]" in done.stderr


def test_sqlite_backup_detects_a_corrupt_database(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("CREATE INDEX t_body ON t (body)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"row {i}" * 20) for i in range(2000)])
    raw = bytearray(db.read_bytes())
    page = 4096
    raw[page * 5 + 100 : page * 5 + 600] = b"\xff" * 500  # scribble over a page in the middle
    db.write_bytes(bytes(raw))
    done = _script("backup.sh", f"sqlite:///{db}", tmp_path / "backups")
    assert done.returncode == 1
    assert "[integrity-check-failed]" in done.stderr or "[sqlite-error]" in done.stderr
    assert list((tmp_path / "backups").glob("*")) == []  # neither a final nor a partial file


def test_keep_prunes_the_oldest_backups(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    url = f"sqlite:///{db}"
    folder = tmp_path / "backups"
    made = []
    for _ in range(4):
        done = _script("backup.sh", url, "--keep", "2", folder)
        assert done.returncode == 0, done.stderr
        made.append(sorted(folder.glob("helpdesk-*.sqlite3"))[-1])
    assert sorted(folder.glob("helpdesk-*.sqlite3")) == made[-2:]


# --- PostgreSQL -------------------------------------------------------------------------------------------


@pytest.fixture
def postgres_databases() -> Iterator[list[str]]:
    """Hands out URLs of fresh, randomly named databases on the test server; drops them afterwards."""
    base = os.environ.get("YORISOI_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("YORISOI_TEST_POSTGRES_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    psycopg = pytest.importorskip("psycopg")
    admin_url = base.replace("+psycopg", "", 1)
    names: list[str] = []
    urls = _UrlMaker(base, names)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        urls.admin = admin
        try:
            yield urls
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _UrlMaker(list):
    def __init__(self, base: str, names: list[str]) -> None:
        super().__init__()
        self.base, self.names, self.admin = base, names, None

    def new(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        name = f"yorisoi_deploy_{secrets.token_hex(6)}"
        self.names.append(name)
        self.admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[union-attr]
        return self.base.rsplit("/", 1)[0] + "/" + name


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_round_trip_with_the_real_schema(postgres_databases: _UrlMaker, tmp_path: Path) -> None:
    if subprocess.run(["which", "pg_dump"], capture_output=True, check=False).returncode:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    url = postgres_databases.new()
    _fill(url)
    before = _snapshot(url)
    assert before["kiosks"] and before["sites"] and before["alembic_version"]

    backup = _backup(url, tmp_path / "backups")
    assert backup.suffix == ".pgdump" and backup.read_bytes().startswith(b"PGDMP")
    _change(url)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:  # a table from a later migration the backup does not know
        conn.execute(text("CREATE TABLE later_migration (id integer PRIMARY KEY)"))
    engine.dispose()
    changed = _snapshot(url)

    refused = _script("restore.sh", url, backup)
    assert refused.returncode == 1 and "[target-not-empty]" in refused.stderr
    assert _snapshot(url) == changed

    done = _script("restore.sh", url, "--force", backup)
    assert done.returncode == 0, done.stderr
    assert _snapshot(url) == before  # later_migration is gone too
    assert _schema_is_current(url)

    fresh = postgres_databases.new()  # restoring onto a new, empty database needs no --force
    done = _script("restore.sh", fresh, backup)
    assert done.returncode == 0, done.stderr
    assert _snapshot(fresh) == before


@pytest.mark.postgres
def test_postgres_errors_are_clear(postgres_databases: _UrlMaker, tmp_path: Path) -> None:
    url = postgres_databases.new()
    done = _script("backup.sh", url, tmp_path / "backups")
    assert done.returncode == 1 and "[empty-database]" in done.stderr
    assert list((tmp_path / "backups").glob("*")) == []

    gone = url.rsplit("/", 1)[0] + "/no_such_database_here"
    done = _script("backup.sh", gone, tmp_path / "backups")
    assert done.returncode == 1 and "[pg_dump-failed]" in done.stderr and "does not exist" in done.stderr

    truncated = tmp_path / "cut.pgdump"
    truncated.write_bytes(b"PGDMP\x01\x0e\x00")
    done = _script("restore.sh", url, truncated)
    assert done.returncode == 1 and "[pg_restore-failed]" in done.stderr
