"""Console test fixtures: a real helpdesk (uvicorn on 127.0.0.1) on a seeded temp SQLite DB, with the console mounted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from helpdesk import security
from helpdesk.console import mount
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer
from helpdesk.store import accounts
from tests.browser import chromium

PASSWORD = "correct horse battery staple"
VIEWPORT = {"width": 1366, "height": 768}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"

SITES = {"north": ("北公民館", 10), "south": ("南公民館", 10)}
KIOSKS = {"north-1": "north", "south-1": "south"}
STAFF = {  # login: (role, sites, display name)
    "alice": ("staff", ["north"], "青木"),
    "bob": ("staff", ["north"], "馬場"),
    "carol": ("staff", ["south"], "千葉"),
    "dora": ("staff", ["north", "south"], "土井"),
    "adam": ("admin", ["north", "south"], "安達"),
    "tina": ("trainer", ["north"], "田中"),
}


@dataclass
class Helpdesk:
    """A running helpdesk: base URL, kiosk keys, and the database URL."""

    base_url: str
    keys: dict[str, str]
    database_url: str
    sessions: dict[str, requests.Session] = field(default_factory=dict)

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

    def session(self, login: str) -> requests.Session:
        """A logged-in session for `login`, shared between tests (do not change its cookies)."""
        if login not in self.sessions:
            self.sessions[login] = self.staff_session(login)
        return self.sessions[login]

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
        with pytest.MonkeyPatch.context() as patch:  # every seeded account shares one password: hash it once
            password_hash = security.hash_password(PASSWORD)
            patch.setattr(security, "hash_password", lambda _password: password_hash)
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
    app = create_app(settings, web=False)
    mount(app)
    server = EmbeddedServer(app)
    server.start()
    try:
        yield Helpdesk(server.base_url, keys, url)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the browser tests save screenshots (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Debian Chromium per test module (tests/browser.py says why not per session)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def staff_page(browser: Any, helpdesk: Helpdesk) -> Iterator[Any]:
    """Factory: a new browser context (own cookies) at 1366×768, logged in through the form as a login."""
    contexts: list[Any] = []

    def open_page(login_name: str) -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{helpdesk.base_url}/console/login")
        page.fill("#login", login_name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/console/login" not in url, timeout=10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@dataclass(frozen=True)
class Accessibility:
    """In-page checks: unlabelled controls and text below 4.5:1 contrast."""

    def unlabelled(self, page: Any) -> list[str]:
        """Visible controls without a label, aria-label or text."""
        return page.evaluate(UNLABELLED_CONTROLS_JS)

    def contrast(self, page: Any) -> dict:
        """{checked: n, bad: [...]} over every visible element with its own text."""
        return page.evaluate(LOW_CONTRAST_JS)


@pytest.fixture
def a11y() -> Accessibility:
    """The accessibility checks."""
    return Accessibility()


UNLABELLED_CONTROLS_JS = """
() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
  .filter((el) => el.offsetParent !== null || el.getClientRects().length)
  .filter((el) => {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || (el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim();
    return !named;
  })
  .map((el) => el.outerHTML.slice(0, 120))
"""

LOW_CONTRAST_JS = """
() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let n = el; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const bad = [];
  let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    if (el.closest('.visually-hidden, .skip')) continue;
    const fg = parse(style.color), bg = background(el);
    const a = lum(fg), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked += 1;
    if (ratio < 4.5) bad.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return {checked, bad};
}
"""
