"""The whole content loop with real parts: an editor in Chromium makes a step too long, sees the check fail, fixes
it and publishes; the kiosk (real offscreen window, real helpdesk on loopback) picks the new version up at its next
start screen while the session in progress finishes on the old one; a help request raised afterwards is rendered in
the staff console (Chromium) from the new version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import PACKAGED
from content.pack import Signer, generate_key, write_private_key
from helpdesk.content_store import versions as store
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer, seed_demo
from helpdesk.store import accounts
from tests.kiosk.conftest import mounted_kiosk
from yorisoi.demo import demo_config

pytestmark = [pytest.mark.slow, pytest.mark.browser]
EDITOR_PASSWORD = "a long editor passphrase 42"
NEW_TEXT = "カードを一枚、手元に出してください。"


def log_in(browser, base_url: str, login: str, password: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP").new_page()
    page.goto(f"{base_url}/console/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/console/login" not in url)
    return page


def test_edit_publish_pick_up_and_render(window, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings
    from kiosk.app import housekeeping
    from kiosk.guide.actions import GoHome
    from kiosk.updater.switch import switch_at_start
    from tests.browser import chromium

    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    key = tmp_path / "content.key"
    pem, public = generate_key()
    write_private_key(key, pem)
    db = Database(seed.database_url)
    accounts.add_staff(db, login="emi", role="editor", password=EDITOR_PASSWORD, site_ids=[seed.site_id])
    folder = tmp_path / "v1"
    shutil.copytree(PACKAGED / "procedures", folder / "procedures")
    shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
    v1, _ = store.publish_folder(db, folder, signer=Signer(pem), by="adam", note="v1")
    settings = HelpdeskSettings(database_url=seed.database_url, cookie_secure=False, content_signing_key_file=key)
    config = demo_config(seed, "http://127.0.0.1:9", tmp_path)
    with EmbeddedServer(create_app(settings)) as server, chromium() as browser:
        config = config.model_copy(
            update={"helpdesk_url": server.base_url, "content_public_key": public, "content_store": tmp_path / "shelf"}
        )
        with mounted_kiosk(window, config) as driver:
            kiosk = driver.kiosk
            housekeeping(kiosk)
            driver.wait_for(lambda: kiosk.updater.shelf.staged == v1, frames=1500)
            assert switch_at_start(kiosk)
            open_has_card(driver)
            assert NEW_TEXT not in driver.texts()

            editor = log_in(browser, server.base_url, "emi", EDITOR_PASSWORD)
            editor.select_option("#base-select", v1)
            editor.click("#new-draft")
            editor.wait_for_selector("#editor:not([hidden])")
            expect(editor.locator("#step-name")).not_to_be_empty()
            editor.select_option("#procedure-select", "konbini-juminhyo")
            expect(editor.locator("#step-name")).to_have_text("has-card")
            editor.fill("#instruction-ja", NEW_TEXT * 30)
            editor.click("#save-step")
            expect(editor.locator("#problems li.error")).to_contain_text("too-long")
            editor.fill("#instruction-ja", NEW_TEXT)
            editor.click("#save-step")
            expect(editor.locator("#problems li.ok")).to_have_count(1)
            editor.fill("#publish-note", "説明をやさしく")
            editor.select_option("#publish-site", seed.site_id)
            editor.click("#publish-btn")
            expect(editor.locator("#published")).to_contain_text("公開しました")
            with db.read() as conn:
                v2 = store.desired(conn, seed.site_id).version
            assert v2 != v1

            housekeeping(kiosk)  # the next heartbeat's answer names v2
            driver.wait_for(lambda: kiosk.updater.shelf.staged == v2, frames=1500)
            assert not switch_at_start(kiosk)  # the resident is still in their session
            driver.touch("back")
            driver.touch("next")
            assert driver.runtime.state.place.step_id == "has-card"
            assert NEW_TEXT not in driver.texts() and kiosk.content_version == v1

            kiosk.runtime.dispatch(GoHome())
            assert switch_at_start(kiosk) and kiosk.content_version == v2
            open_has_card(driver)
            assert NEW_TEXT in driver.texts()
            driver.touch("help")
            driver.touch("reason-screen-unclear")
            driver.wait_for(lambda: escalation_ids(seed), frames=1500)

            staff = log_in(browser, server.base_url, seed.staff_login, seed.staff_password)
            staff.goto(f"{server.base_url}/console/escalations/{escalation_ids(seed)[0]}")
            expect(staff.locator("#kiosk-screen .screen-text")).to_have_text(NEW_TEXT)
            expect(staff.locator("#content-version")).to_have_text(v2[:12])
            artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "kiosk"
            artifacts.mkdir(parents=True, exist_ok=True)
            staff.screenshot(path=str(artifacts / "console-escalation-new-version.png"))
    db.dispose()


def open_has_card(driver) -> None:  # type: ignore[no-untyped-def]
    driver.touch("begin")
    while "card-konbini-juminhyo" not in driver.button_ids():
        driver.touch("next-page")
    driver.touch("card-konbini-juminhyo")
    driver.touch("next")
    assert driver.runtime.state.place.step_id == "has-card"


def escalation_ids(seed) -> list[str]:  # type: ignore[no-untyped-def]
    import sqlite3

    with sqlite3.connect(seed.database_url.removeprefix("sqlite:///")) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM escalations ORDER BY created_at")]
