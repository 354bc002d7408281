"""Did a content change help? Before/after a version: rates with counts and intervals, tests, and the step made
worse marked, from session events that carry their content version (ingested through the real journal path)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import shutil
import uuid
from pathlib import Path

import pytest

from content.loader import PACKAGED
from content.pack import Signer, generate_key
from helpdesk.analytics import compare
from helpdesk.content_store import versions as store
from helpdesk.database import Database
from helpdesk.store import journal
from helpdesk.wire import SessionEvent, SessionEventBatch, time_ordered_uuid
from tests.helpdesk.conftest import PASSWORD, World

PID = "konbini-juminhyo"
STEPS = ["has-card", "know-pin", "go-store"]


def test_statistics_match_known_values() -> None:
    assert compare.fisher_p(3, 10, 1, 10) == pytest.approx(0.5820, abs=1e-4)  # scipy.stats.fisher_exact
    assert compare.fisher_p(18, 20, 5, 20) == pytest.approx(6.86e-5, rel=1e-2)
    low, high = compare.wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert compare.mann_whitney_p([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]) == 1.0
    assert compare.mann_whitney_p(list(range(10)), list(range(100, 110))) < 0.001


def session(kiosk: str, version: str, start: dt.datetime, step_s: dict[str, float], *, completed: bool, help_at=None):
    sid = uuid.uuid4().hex
    at = start
    events = []

    def add(action: str, step: str | None = None, outcome: str | None = None) -> None:
        events.append(
            SessionEvent(
                event_id=time_ordered_uuid(at, secrets.randbits(74)), session_id=sid, kiosk_id=kiosk, procedure_id=PID,
                step_id=step, action=action, outcome=outcome, at=at, content_version=version,
            )
        )  # fmt: skip

    add("procedure-start")
    for step, seconds in step_s.items():
        add("step-shown", step)
        at += dt.timedelta(seconds=seconds)
        if step == help_at:
            add("help-asked", step, "screen-unclear")
    add("session-end", outcome="completed" if completed else "home")
    return events


def publish_two(db: Database, tmp_path: Path) -> tuple[str, str]:
    signer = Signer(generate_key()[0])
    out = []
    for note in ("before", "after"):
        folder = tmp_path / note
        shutil.copytree(PACKAGED / "procedures", folder / "procedures")
        shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
        path = folder / "procedures" / f"{PID}.yaml"
        path.write_text(path.read_text("utf-8") + f"# {note}\n", "utf-8")
        out.append(store.publish_folder(db, folder, signer=signer, by="t", note=note)[0])
    return out[0], out[1]


def fill(db: Database, world: World, before: str, after: str, n_before: int, n_after: int) -> None:
    rng = random.Random(7)
    start = dt.datetime(2026, 11, 1, 1, tzinfo=dt.UTC)
    events = []
    for i in range(n_before):
        times = {"has-card": rng.uniform(8, 14), "know-pin": rng.uniform(10, 20), "go-store": rng.uniform(8, 12)}
        events += session("north-1", before, start + dt.timedelta(hours=i), times, completed=i % 10 < 8)
    for i in range(n_after):  # the rewrite of know-pin made it slower and sent people to the helpdesk
        times = {"has-card": rng.uniform(8, 14), "know-pin": rng.uniform(40, 70), "go-store": rng.uniform(8, 12)}
        events += session(
            "north-1", after, start + dt.timedelta(days=30, hours=i), times, completed=i % 10 < 4,
            help_at="know-pin" if i % 3 == 0 else None,
        )  # fmt: skip
    journal.ingest_events(db, world.kiosk("north-1"), SessionEventBatch(events=events))


def test_a_step_made_worse_is_marked_with_counts_and_tests(sqlite_world: World, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings

    db = Database(sqlite_world.url)
    before, after = publish_two(db, tmp_path)
    fill(db, sqlite_world, before, after, 40, 40)
    db.dispose()
    app = create_app(HelpdeskSettings(database_url=sqlite_world.url, cookie_secure=False))
    with TestClient(app) as client:
        url = f"/trainer/compare.json?procedure={PID}&before={before[:8]}&after={after[:8]}"
        client.post("/api/v1/auth/login", json={"login": "alice", "password": PASSWORD})
        assert client.get(url).status_code == 403  # queue staff do not open analytics
        client.cookies.clear()
        client.post("/api/v1/auth/login", json={"login": "tina", "password": PASSWORD})
        body = client.get(url).json()
        assert body["too_few"] is False
        assert body["completion"]["before"]["k"] == 32 and body["completion"]["before"]["n"] == 40
        assert body["completion"]["after"]["k"] == 16 and body["completion"]["p"] < 0.001
        low, high = body["completion"]["after"]["interval95"]
        assert low < 0.4 < high
        verdicts = {s["step_id"]: s["verdict"] for s in body["steps"]}
        assert verdicts == {"has-card": "same", "know-pin": "worse", "go-store": "same"}
        page = client.get(f"/trainer/compare?procedure={PID}")  # defaults: the two newest versions
        assert page.status_code == 200
        assert 'id="worse-steps"' in page.text and "暗証番号" in page.text and "too-few" not in page.text
        assert "32 / 40" in page.text and "95%区間" in page.text


def test_too_few_sessions_are_said_plainly(sqlite_world: World, tmp_path: Path) -> None:
    db = Database(sqlite_world.url)
    before, after = publish_two(db, tmp_path)
    fill(db, sqlite_world, before, after, 6, 4)
    with db.read() as conn:
        result = compare.compare(conn, PID, before, after, STEPS)
    db.dispose()
    assert result.too_few and result.completion[0].n == 6 and result.completion[1].n == 4
    assert all(s.verdict == "too-few" for s in result.steps if min(s.before_visits, s.after_visits) < 5)


@pytest.mark.browser
@pytest.mark.slow
def test_compare_page_in_chromium(sqlite_world: World, tmp_path: Path) -> None:
    """The page a trainer reads: the worse step stands out; screenshot for review."""
    from helpdesk.api.app import create_app
    from helpdesk.embedded import EmbeddedServer
    from helpdesk.settings import HelpdeskSettings
    from tests.browser import chromium

    db = Database(sqlite_world.url)
    before, after = publish_two(db, tmp_path)
    fill(db, sqlite_world, before, after, 40, 40)
    db.dispose()
    app = create_app(HelpdeskSettings(database_url=sqlite_world.url, cookie_secure=False))
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "trainer"
    artifacts.mkdir(parents=True, exist_ok=True)
    with EmbeddedServer(app) as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="ja-JP")
        page.request.post(f"{server.base_url}/api/v1/auth/login", data={"login": "tina", "password": PASSWORD})
        page.goto(f"{server.base_url}/trainer/compare?procedure={PID}")
        worse_row = page.locator("tr.verdict-worse")
        assert worse_row.count() == 1 and "悪化" in worse_row.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=str(artifacts / "compare-before-after.png"), full_page=True)
