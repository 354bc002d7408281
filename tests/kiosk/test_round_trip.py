"""The whole round trip on real parts: a resident walks a procedure on the kiosk (real Kivy window), asks for help
at step 3; the staff member sees it appear in the console (headless Chromium) with step 3 rendered, claims, replies;
the kiosk shows and speaks the reply; staff send step 4; the kiosk moves there; the resident completes; the trainer's
analytics show the session. Helpdesk: a real server on loopback on a temporary SQLite file."""

from __future__ import annotations

import time

import pytest
import requests

from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from helpdesk.store import accounts
from tests.browser import chromium
from tests.kiosk.conftest import mounted_kiosk
from yorisoi.demo import demo_config

pytestmark = [pytest.mark.slow, pytest.mark.browser]
TRAINER_PASSWORD = "trainer pass phrase 1234"


@pytest.fixture
def world(window, tmp_path):
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    db = Database(seed.database_url)
    accounts.add_staff(
        db,
        login="demo-trainer",
        role="trainer",
        password=TRAINER_PASSWORD,
        site_ids=[seed.site_id],
        display_name="研修係",
    )
    db.dispose()
    with (
        EmbeddedServer(demo_app(seed)) as server,
        mounted_kiosk(window, demo_config(seed, server.base_url, tmp_path)) as driver,
    ):
        yield driver, seed, server.base_url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def test_resident_staff_and_trainer_round_trip(world, browser, tmp_path):
    kiosk, seed, base_url = world
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP").new_page()
    page.goto(f"{base_url}/console/login")
    page.fill("#login", seed.staff_login)
    page.fill("#password", seed.staff_password)
    page.click("button[type=submit]")
    page.wait_for_selector("#live.on", timeout=10_000)

    # the resident: start, choose the procedure, reach step 3 (go-store) and ask for help
    kiosk.touch("begin")
    kiosk.touch("card-konbini-juminhyo")
    kiosk.touch("next")
    kiosk.touch("choice-yes")
    kiosk.touch("choice-yes")
    assert kiosk.runtime.state.place.step_id == "go-store" and kiosk.view.progress.startswith("3")
    session_id = kiosk.runtime.state.session_id
    kiosk.touch("help")
    kiosk.touch("reason-screen-unclear")
    assert kiosk.view.screen == "waiting"

    # staff: the escalation appears live with step 3 rendered as the resident sees it
    row = page.wait_for_selector("tr[data-id]", timeout=15_000)
    escalation_id = row.get_attribute("data-id")
    page.click(f'tr[data-id="{escalation_id}"] a.open')
    page.wait_for_selector(".screen-title")
    step3 = kiosk.kiosk.catalog.get("konbini-juminhyo").step("go-store")
    assert page.inner_text(".screen-title") == step3.title.get("ja")
    page.click("#claim-btn")
    page.wait_for_selector("#holder:has-text('デモ係員')")
    page.fill("#reply-text", "右下の「つぎへ」を押してください")
    page.click("#reply-form button[type=submit]")

    # the kiosk shows and speaks the reply
    kiosk.wait_for(lambda: "右下の「つぎへ」を押してください" in kiosk.texts(), frames=1500)
    assert any("右下の「つぎへ」を押してください" in said for said, _reading, _lang in kiosk.speaker.said)

    # staff send step 4; the kiosk moves there
    page.select_option("#step-select", "choose-menu")
    page.click("#step-form button")
    kiosk.wait_for(lambda: kiosk.runtime.state.place.step_id == "choose-menu", frames=1500)
    assert kiosk.view.screen == "step"

    # staff resolve; the kiosk hears of it
    page.select_option("#outcome-select", "solved")
    page.click("#resolve-form button")
    page.wait_for_selector("#facts .status.resolved")
    kiosk.wait_for(lambda: kiosk.runtime.state.escalation.status == "resolved", frames=1500)

    # the resident completes the procedure
    for _ in range(10):
        if kiosk.view.screen == "done":
            break
        kiosk.touch("next")
    assert kiosk.view.screen == "done"
    kiosk.touch("finish")
    assert kiosk.view.screen == "start"

    # the trainer sees the session (delivered through the kiosk's outbox)
    kiosk.wait_for(lambda: kiosk.kiosk.journal.pending() == 0, frames=1500)
    trainer = requests.Session()
    login = trainer.post(
        f"{base_url}/api/v1/auth/login", timeout=10, json={"login": "demo-trainer", "password": TRAINER_PASSWORD}
    )
    assert login.status_code == 200
    deadline = time.monotonic() + 10
    while True:
        replay = trainer.get(f"{base_url}/trainer/sessions", timeout=10)
        if session_id[:8] in replay.text or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert replay.status_code == 200 and session_id[:8] in replay.text
    page.screenshot(path=str(tmp_path / "console-after-round-trip.png"))
