"""The database: engine with durable settings, read/write transactions, and schema migrations.

SQLite (the embedded default) runs in WAL mode with synchronous=FULL; writes from this process are
serialized by a lock and begin IMMEDIATE, so they never wait in SQLite's sleeping busy handler (other
processes still get busy_timeout). PostgreSQL runs with synchronous_commit=on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError

from helpdesk.errors import DatabaseUnavailable, SchemaBehind

MIGRATIONS = Path(__file__).with_name("migrations")


class Database:
    """One engine per process, created from a URL; use `read()` / `write()` for transactions."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 8, max_overflow: int = 8) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = _make_engine(url, busy_timeout_ms, pool_size, max_overflow)
        self._write_lock = threading.Lock() if self.is_sqlite else contextlib.nullcontext()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction."""
        with _unavailable_as_error(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; committed when the block ends without an exception."""
        with _unavailable_as_error(), self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_immediate=True)
            with self._write_lock, conn.begin():
                yield conn

    def ping(self) -> bool:
        """True when the database answers a real query."""
        try:
            with self.read() as conn:
                conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
            return True
        except Exception:
            return False

    def migrate(self) -> None:
        """Bring the schema up to the newest migration."""
        from alembic import command

        with self.engine.begin() as conn:
            config = _alembic_config(conn)
            command.upgrade(config, "head")

    def schema_is_current(self) -> bool:
        """True when the database is at the newest migration."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        with self.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
            heads = set(ScriptDirectory.from_config(_alembic_config(conn)).get_heads())
        return current == heads

    def require_current_schema(self) -> None:
        """Raise SchemaBehind unless the schema is at the newest migration."""
        if not self.schema_is_current():
            raise SchemaBehind("the database schema is behind this version: run `yorisoi helpdesk migrate`")

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()


def _make_engine(url: str, busy_timeout_ms: int, pool_size: int, max_overflow: int) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, connect_args={"check_same_thread": False}
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        connect_args={"options": "-c synchronous_commit=on", "connect_timeout": 5},
    )


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _alembic_config(conn: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@contextlib.contextmanager
def _unavailable_as_error() -> Iterator[None]:
    """Turn driver-level failures (server gone, file locked, connection refused) into a 503."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    try:
        yield
    except DBAPIError as exc:
        if _is_unavailable(exc):
            raise DatabaseUnavailable("the database does not answer; nothing was stored") from exc
        raise
    except PoolTimeout as exc:  # every pooled connection stayed busy for the pool timeout: overloaded, say so
        raise DatabaseUnavailable("no database connection came free in time; nothing was stored") from exc


def _is_unavailable(exc: DBAPIError) -> bool:
    from sqlalchemy.exc import IntegrityError, OperationalError

    if isinstance(exc, IntegrityError):
        return False
    return exc.connection_invalidated or isinstance(exc, OperationalError) or _is_interface(exc)


def _is_interface(exc: DBAPIError) -> bool:
    from sqlalchemy.exc import InterfaceError

    return isinstance(exc, InterfaceError)
