"""Helpdesk test fixtures: a seeded database on SQLite (always) and PostgreSQL (when CI provides it)."""

from __future__ import annotations

import shutil
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpdesk import security
from helpdesk.database import Database
from helpdesk.store import accounts
from tests.postgres import create_postgres_database, drop_postgres_database, postgres_admin_url

with warnings.catch_warnings():
    # Starlette 1.x prefers the `httpx2` fork for its TestClient and warns once, at import, when it finds
    # `httpx`; the client works the same. Import it here once, quietly (see the closing note: add httpx2).
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    import starlette.testclient  # noqa: F401

PASSWORD = "correct horse battery staple"
SITES = {"north": "北公民館", "south": "南公民館"}
KIOSKS = {"north-1": "north", "north-2": "north", "south-1": "south"}
STAFF = {  # login: (role, sites)
    "alice": ("staff", ["north"]),
    "bob": ("staff", ["north"]),
    "carol": ("staff", ["south"]),
    "tina": ("trainer", ["north"]),
    "adam": ("admin", ["north", "south"]),
}


@dataclass(frozen=True)
class World:
    """A seeded helpdesk database: its URL, every kiosk's key and every staff member's id."""

    url: str
    keys: dict[str, str]
    staff_ids: dict[str, int]

    def kiosk(self, kiosk_id: str) -> accounts.KioskPrincipal:
        """The principal of a seeded kiosk."""
        return accounts.KioskPrincipal(kiosk_id, KIOSKS[kiosk_id])


def seed(db: Database) -> tuple[dict[str, str], dict[str, int]]:
    """Two sites, three kiosks, staff of every role."""
    for site_id, name in SITES.items():
        accounts.add_site(db, site_id=site_id, name=name, fallback_phone="03-1234-5678", sla_minutes=10)
    keys = {kiosk_id: accounts.add_kiosk(db, kiosk_id=kiosk_id, site_id=site) for kiosk_id, site in KIOSKS.items()}
    staff_ids = {
        login: accounts.add_staff(
            db, login=login, role=role, password=PASSWORD, site_ids=sites, display_name=login.title()
        )
        for login, (role, sites) in STAFF.items()
    }
    return keys, staff_ids


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, int]]:
    """A migrated, seeded SQLite file, copied for every test (argon2 hashing runs once)."""
    path = tmp_path_factory.mktemp("template") / "helpdesk.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    keys, staff_ids = seed(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path, keys, staff_ids


@pytest.fixture
def sqlite_world(tmp_path: Path, sqlite_template: tuple[Path, dict[str, str], dict[str, int]]) -> World:
    """A fresh seeded SQLite database for one test."""
    template, keys, staff_ids = sqlite_template
    path = tmp_path / "helpdesk.sqlite3"
    shutil.copyfile(template, path)
    return World(f"sqlite:///{path}", keys, staff_ids)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, dict[str, str], dict[str, int]]]:
    """One migrated, seeded PostgreSQL database for the session; dropped at the end."""
    admin_url = postgres_admin_url()
    url = create_postgres_database(admin_url)
    try:
        db = Database(url)
        db.migrate()
        keys, staff_ids = seed(db)
        db.dispose()
        yield url, keys, staff_ids
    finally:
        drop_postgres_database(admin_url, url)


@pytest.fixture
def pg_world(postgres_template) -> World:  # type: ignore[no-untyped-def]
    """The session's PostgreSQL database, emptied of what earlier tests made (for server-process tests)."""
    url, keys, staff_ids = postgres_template
    reset_postgres(url, keys)
    return World(url, keys, staff_ids)


def reset_postgres(url: str, keys: dict[str, str]) -> None:
    """Empty what tests create, and undo revocations/disabling of the seeded accounts."""
    from sqlalchemy import text

    db = Database(url)
    with db.write() as conn:
        conn.execute(
            text(
                "TRUNCATE messages, escalations, audit_entries, session_events, staff_sessions, api_tokens,"
                " bus_events, bus_replay_floor, login_failures RESTART IDENTITY CASCADE"
            )
        )
        conn.execute(text("UPDATE staff SET disabled_at = NULL"))
        for kiosk_id, key in keys.items():
            conn.execute(
                text("UPDATE kiosks SET key_hash = :h, revoked_at = NULL WHERE id = :id"),
                {"h": security.digest(key), "id": kiosk_id},
            )
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest) -> World:
    """A seeded database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_world")
    url, keys, staff_ids = request.getfixturevalue("postgres_template")
    reset_postgres(url, keys)
    return World(url, keys, staff_ids)


@pytest.fixture
def db(world: World) -> Iterator[Database]:
    """The world's database, disposed after the test."""
    database = Database(world.url)
    yield database
    database.dispose()


def api_settings(world: World, **overrides: object):  # type: ignore[no-untyped-def]
    """Settings for an API test: plain-HTTP cookies, a rate limit tests do not hit unless they mean to."""
    from helpdesk.settings import HelpdeskSettings

    values: dict[str, object] = {
        "database_url": world.url,
        "cookie_secure": False,
        "kiosk_rate_per_s": 1000.0,
        "kiosk_rate_burst": 1000,
    }
    values.update(overrides)
    return HelpdeskSettings(**values)


@pytest.fixture
def app(sqlite_world: World):  # type: ignore[no-untyped-def]
    """The helpdesk app on a fresh seeded SQLite database."""
    from helpdesk.api.app import create_app

    application = create_app(api_settings(sqlite_world))
    yield application
    application.state.services.db.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test client with the app's lifespan running."""
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


def escalation_body(**overrides: object) -> dict[str, object]:
    """A valid escalation request body."""
    body: dict[str, object] = {
        "session_id": uuid.uuid4().hex,
        "procedure_id": "moving-in",
        "step_id": "insert-card",
        "language": "ja",
        "reason": "card-unreadable",
        "path": [{"step_id": "start", "seconds": 4.0}],
    }
    body.update(overrides)
    return body


def kiosk_headers(world: World, kiosk_id: str, idempotency_key: str | None = None) -> dict[str, str]:
    """Authorization (and optionally Idempotency-Key) headers for a seeded kiosk."""
    headers = {"Authorization": f"Bearer {world.keys[kiosk_id]}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers


def staff_token(world: World, login: str) -> dict[str, str]:
    """Authorization headers with a fresh personal API token of a seeded staff member."""
    db = Database(world.url)
    try:
        _, token = accounts.create_api_token(db, staff_id=world.staff_ids[login], name="test")
    finally:
        db.dispose()
    return {"Authorization": f"Bearer {token}"}
