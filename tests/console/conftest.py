"""Console test fixtures: a real helpdesk (uvicorn on 127.0.0.1) on a seeded temp SQLite DB, with the console mounted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from helpdesk.console import mount
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer
from helpdesk.store import accounts

PASSWORD = "correct horse battery staple"
SITES = {"north": ("北公民館", 10), "south": ("南公民館", 10)}
KIOSKS = {"north-1": "north", "south-1": "south"}
STAFF = {  # login: (role, sites, display name)
    "alice": ("staff", ["north"], "青木"),
    "bob": ("staff", ["north"], "馬場"),
    "carol": ("staff", ["south"], "千葉"),
    "adam": ("admin", ["north", "south"], "安達"),
    "tina": ("trainer", ["north"], "田中"),
}


@dataclass
class Helpdesk:
    """A running helpdesk: base URL, kiosk keys, and the database URL."""

    base_url: str
    keys: dict[str, str]
    database_url: str

    def escalate(self, kiosk_id: str, **fields: object) -> dict:
        """Post an escalation as a kiosk would (plain requests with the kiosk key)."""
        body = {
            "session_id": uuid.uuid4().hex,
            "procedure_id": "konbini-juminhyo",
            "step_id": "enter-pin",
            "language": "ja",
            "reason": "card-unreadable",
            "path": [],
            **fields,
        }
        response = requests.post(
            f"{self.base_url}/api/v1/escalations",
            json=body,
            headers={"Authorization": f"Bearer {self.keys[kiosk_id]}", "Idempotency-Key": uuid.uuid4().hex},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()

    def staff_session(self, login: str) -> requests.Session:
        """A requests session logged in as `login`, sending the CSRF header."""
        session = requests.Session()
        response = session.post(f"{self.base_url}/api/v1/auth/login", json={"login": login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        session.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return session


def seed(path: Path) -> tuple[str, dict[str, str]]:
    """Create and seed a SQLite helpdesk database."""
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        db.migrate()
        for site_id, (name, sla) in SITES.items():
            accounts.add_site(db, site_id=site_id, name=name, fallback_phone="03-1234-5678", sla_minutes=sla)
        keys = {k: accounts.add_kiosk(db, kiosk_id=k, site_id=s) for k, s in KIOSKS.items()}
        for login, (role, sites, name) in STAFF.items():
            accounts.add_staff(db, login=login, role=role, password=PASSWORD, site_ids=sites, display_name=name)
    finally:
        db.dispose()
    return url, keys


@pytest.fixture(scope="session")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Helpdesk]:
    """A real uvicorn server with the console mounted, shared by the console tests."""
    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings

    url, keys = seed(tmp_path_factory.mktemp("console") / "helpdesk.sqlite3")
    settings = HelpdeskSettings(database_url=url, cookie_secure=False, active_limit_per_staff=100, long_poll_max_s=5)
    app = create_app(settings)
    mount(app)
    server = EmbeddedServer(app)
    server.start()
    try:
        yield Helpdesk(server.base_url, keys, url)
    finally:
        server.stop()
