"""axe-core on every console and trainer page in headless Chromium: 0 critical or serious violations. Also the
trainer's way in and out (login lands on /trainer/, an anonymous visit gets the login page, a logout button), and
screenshots of each page in test-artifacts/pages/ for a person to look at."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from helpdesk.api.app import create_app
from helpdesk.embedded import EmbeddedServer
from helpdesk.settings import HelpdeskSettings
from tests.browser import chromium

from .conftest import PASSWORD, Seeded

AXE = Path(sys.prefix) / "axe" / "node_modules" / "axe-core" / "axe.min.js"
"""Installed by `scripts/setup.sh --test` (npm axe-core) inside the virtualenv."""
LONG_SITE_NAME = "北部地域コミュニティセンター（旧北公民館）第二分館・多目的ホール前ロビー"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""


@pytest.fixture(scope="module")
def site(sqlite_seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """A full helpdesk (console and trainer pages) on a copy of the seeded sessions, with escalations to show."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (scripts/setup.sh --test installs it)")
    copy = tmp_path_factory.mktemp("a11y") / "helpdesk.sqlite3"
    shutil.copyfile(sqlite_seeded.url.removeprefix("sqlite:///"), copy)
    with sqlite3.connect(copy) as raw:  # a long site name must not squeeze the queue's other columns
        raw.execute("UPDATE sites SET name = ? WHERE id = 'north'", (LONG_SITE_NAME,))
        raw.execute("UPDATE kiosks SET name = '入口の左' WHERE id = 'north-1'")
    app = create_app(HelpdeskSettings(database_url=f"sqlite:///{copy}", cookie_secure=False))
    with EmbeddedServer(app) as server:
        base = server.base_url
        made = {}
        for name, reason, path in (
            ("offered", "offer:idle-long", []),
            ("asked", "card-unreadable", [{"step_id": "start", "seconds": 12.0}]),
        ):
            made[name] = requests.post(
                f"{base}/api/v1/escalations",
                json={
                    "session_id": uuid.uuid4().hex,
                    "procedure_id": "konbini-juminhyo",
                    "step_id": "start",
                    "language": "ja",
                    "reason": reason,
                    "path": path,
                },
                headers={"Authorization": f"Bearer {sqlite_seeded.keys['north-1']}", "Idempotency-Key": name},
                timeout=10,
            ).json()["id"]
        staff = requests.Session()
        answer = staff.post(f"{base}/api/v1/auth/login", json={"login": "sam", "password": PASSWORD}, timeout=10)
        staff.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        assert staff.post(f"{base}/api/v1/escalations/{made['asked']}/claim", timeout=10).ok
        for text in ("カードを置いてください", "画面の右下を押してください"):
            staff.post(f"{base}/api/v1/escalations/{made['asked']}/messages", json={"kind": "text", "text": text})
        yield base, made
    app.state.services.db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def logged_in(browser: Any, base: str, login: str) -> Any:
    """A page logged in through the login form (CSP bypassed only so that axe can be injected)."""
    context = browser.new_context(
        base_url=base, viewport={"width": 1366, "height": 900}, locale="ja-JP", bypass_csp=True
    )
    page = context.new_page()
    page.goto("/console/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/console/login" not in url, timeout=10_000)
    return page


def check(page: Any, path: str, shot: str, ready: str = "main") -> list[str]:
    """Open `path`, screenshot it, and return its critical/serious axe violations."""
    page.goto(path)
    page.wait_for_selector(ready, timeout=10_000)
    page.wait_for_timeout(300)  # the page's own scripts fill it from the API
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE)
    return [
        f"{path}: {v['impact']} {v['id']} ({v['help']}) at {v['where']}"
        for v in found
        if v["impact"] in ("critical", "serious")
    ]


def test_console_pages_have_no_serious_accessibility_violations(browser: Any, site: tuple[str, dict]) -> None:
    base, made = site
    problems: list[str] = []
    anonymous = browser.new_context(base_url=base, bypass_csp=True, locale="ja-JP").new_page()
    problems += check(anonymous, "/console/login", "console-login", "#login-form")
    staff = logged_in(browser, base, "sam")
    problems += check(staff, "/console/queue", "console-queue", "tr[data-id]")
    widths = staff.eval_on_selector_all("#queue-body tr:first-child td", "cells => cells.map(c => c.offsetWidth)")
    assert min(widths[3:7]) >= 60, widths  # kiosk, procedure, step, reason keep readable widths
    assert "入口の左（north-1）" in staff.inner_text("#queue-body")  # kiosks by the name staff know, with the id
    assert "（あなた）" in staff.inner_text("#queue-body")  # your own claim is marked
    problems += check(staff, f"/console/escalations/{made['asked']}", "console-escalation", "#messages li")
    problems += check(staff, f"/console/escalations/{made['offered']}", "console-escalation-offered", "#path li")
    problems += check(staff, "/console/password", "console-password", "#password-form")
    admin = logged_in(browser, base, "adam")
    for section in ("sites", "kiosks", "staff", "canned"):
        problems += check(admin, f"/console/admin/{section}", f"console-admin-{section}", "main table, main form")
    assert problems == []


def test_trainer_pages_have_no_serious_accessibility_violations(browser: Any, site: tuple[str, dict]) -> None:
    base, _ = site
    trainer = logged_in(browser, base, "tina")
    assert trainer.url.endswith("/trainer/")  # a trainer's login lands on the trainer pages
    problems: list[str] = []
    for path, shot in (
        ("/trainer/", "trainer-dashboard"),
        ("/trainer/report", "trainer-report"),
        ("/trainer/sessions", "trainer-sessions"),
        ("/trainer/handouts", "trainer-handouts"),
        ("/trainer/handouts/konbini-juminhyo", "trainer-handout"),
    ):
        problems += check(trainer, path, shot)
    trainer.goto("/trainer/sessions")
    first = trainer.locator("main a[href^='/trainer/sessions/']:not([href$='.json'])").first.get_attribute("href")
    problems += check(trainer, first, "trainer-replay")
    assert problems == []


def test_trainers_get_in_and_out_through_the_login_page(browser: Any, site: tuple[str, dict]) -> None:
    base, _ = site
    anonymous = browser.new_context(base_url=base).new_page()
    anonymous.goto("/trainer/")
    assert anonymous.url.endswith("/console/login")  # a page, not JSON 401
    trainer = logged_in(browser, base, "tina")
    trainer.click("#logout")
    trainer.wait_for_url("**/console/login", timeout=10_000)
    trainer.goto("/trainer/")
    assert trainer.url.endswith("/console/login")
