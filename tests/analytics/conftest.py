"""Analytics fixtures: a migrated, seeded helpdesk database (SQLite always, PostgreSQL when the URL is set)
holding one seeded synthetic event stream, shared by the tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from content.loader import load_catalog
from content.schema import Procedure
from helpdesk.analytics import mount
from helpdesk.analytics.loading import ingest
from helpdesk.analytics.synthetic import Plan, Synthetic, default_plants, generate
from helpdesk.api.app import create_app
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer
from helpdesk.settings import HelpdeskSettings
from helpdesk.store import accounts
from tests.postgres import create_postgres_database, drop_postgres_database, postgres_admin_url

PASSWORD = "correct horse battery staple"
SITES = {"north": "北公民館", "south": "南公民館"}
KIOSKS = {"north-1": "north", "north-2": "north", "south-1": "south"}
STAFF = {"sam": ("staff", ["north"]), "tina": ("trainer", ["north"]), "adam": ("admin", ["north", "south"])}


@dataclass
class Seeded:
    """A database with sites, kiosks, staff and a synthetic event stream."""

    db: Database
    url: str
    keys: dict[str, str]
    synthetic: Synthetic
    plan: Plan
    procedures: dict[str, Procedure]


def seed_accounts(db: Database) -> dict[str, str]:
    """Two sites, three kiosks, one staff member of each role; returns kiosk keys."""
    for site_id, name in SITES.items():
        accounts.add_site(db, site_id=site_id, name=name, fallback_phone="03-1234-5678", sla_minutes=10)
    keys = {k: accounts.add_kiosk(db, kiosk_id=k, site_id=s) for k, s in KIOSKS.items()}
    for login, (role, sites) in STAFF.items():
        accounts.add_staff(db, login=login, role=role, password=PASSWORD, site_ids=sites, display_name=login.title())
    return keys


def known_plan(procedures: dict[str, Procedure], sessions: int = 3000) -> Plan:
    """The plan every known-answer test uses: planted drop-offs and stuck steps on every procedure."""
    drop_at, stuck_at = default_plants(procedures)
    return Plan(seed=20261126, sessions=sessions, kiosks=KIOSKS, drop_at=drop_at, stuck_at=stuck_at)


def _fill(url: str) -> Seeded:
    procedures = load_catalog().procedures
    db = Database(url)
    db.migrate()
    keys = seed_accounts(db)
    plan = known_plan(procedures)
    synthetic = generate(plan, procedures)
    ingest(db, synthetic, KIOSKS)
    return Seeded(db, url, keys, synthetic, plan, procedures)


@pytest.fixture(scope="session")
def sqlite_seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The known-answer stream on SQLite."""
    path: Path = tmp_path_factory.mktemp("analytics") / "helpdesk.sqlite3"
    seeded = _fill(f"sqlite:///{path}")
    yield seeded
    seeded.db.dispose()


@pytest.fixture(scope="session")
def postgres_seeded() -> Iterator[Seeded]:
    """The known-answer stream on PostgreSQL (skipped without YORISOI_TEST_POSTGRES_URL)."""
    admin_url = postgres_admin_url()
    url = create_postgres_database(admin_url, "yorisoi_analytics")
    try:
        seeded = _fill(url)
        yield seeded
        seeded.db.dispose()
    finally:
        drop_postgres_database(admin_url, url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest) -> Seeded:
    """The known-answer stream, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_seeded")


@pytest.fixture(scope="module")
def server(sqlite_seeded: Seeded) -> Iterator[str]:
    """A real helpdesk on 127.0.0.1 with the analytics routes mounted."""
    app = create_app(HelpdeskSettings(database_url=sqlite_seeded.url, cookie_secure=False), web=False)
    mount(app)
    with EmbeddedServer(app) as running:
        yield running.base_url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as http:
        yield http


def login(client: httpx.Client, who: str) -> None:
    """Log a staff member in on `client` (its cookies are cleared first)."""
    client.cookies.clear()
    answer = client.post("/api/v1/auth/login", json={"login": who, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
