"""The content editor in real headless Chromium: an editor makes a step too long, sees the lint error and the meter,
fixes it, publishes to their site, and the change shows in the per-step diff."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from content.loader import PACKAGED
from content.pack import Signer, generate_key, write_private_key
from helpdesk.content_store import versions as store
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer
from helpdesk.store import accounts
from tests.console.conftest import PASSWORD, VIEWPORT, seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LONG = "カードを用意してください。" * 40
SHORT = "マイナンバーカードを手元に用意してください。"


def test_editor_fixes_a_too_long_step_and_publishes(browser, a11y, artifacts, tmp_path) -> None:
    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings

    url, _keys = seed(tmp_path / "helpdesk.sqlite3")
    key = tmp_path / "content.key"
    pem, _ = generate_key()
    write_private_key(key, pem)
    db = Database(url)
    try:
        accounts.add_staff(db, login="emi", role="editor", password=PASSWORD, site_ids=["north"], display_name="絵美")
        folder = tmp_path / "v1"
        shutil.copytree(PACKAGED / "procedures", folder / "procedures")
        shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
        base, _ = store.publish_folder(db, folder, signer=Signer(pem), by="adam", note="base")
    finally:
        db.dispose()
    settings = HelpdeskSettings(database_url=url, cookie_secure=False, content_signing_key_file=key)
    with EmbeddedServer(create_app(settings)) as server:
        context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
        page = context.new_page()
        page.goto(f"{server.base_url}/console/login")
        page.fill("#login", "emi")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/editor")
        page.select_option("#base-select", base)
        page.click("#new-draft")
        page.wait_for_selector("#editor:not([hidden])")
        expect(page.locator("#step-name")).not_to_be_empty()
        page.select_option("#procedure-select", "konbini-juminhyo")
        expect(page.locator("#step-name")).to_have_text("has-card")
        expect(page.locator("#problems li.ok")).to_have_count(1)

        page.fill("#instruction-ja", LONG)
        page.click("#save-step")
        expect(page.locator("#problems li.error")).to_contain_text("too-long")
        expect(page.locator("#meter-text-ja")).to_contain_text("長すぎます")
        page.screenshot(path=str(artifacts / "editor-too-long.png"), full_page=True)
        page.fill("#publish-note", "長い説明")
        page.select_option("#publish-site", "north")
        page.click("#publish-btn")
        expect(page.locator("#alert")).to_contain_text("content")  # refused: the same check as the CLI

        page.fill("#instruction-ja", SHORT)
        page.click("#save-step")
        expect(page.locator("#problems li.ok")).to_have_count(1)
        expect(page.locator("#preview .screen-text")).to_have_text(SHORT)  # the console's renderer
        sizes = {}
        for size in ("standard", "large", "largest"):
            page.select_option("#preview-size", size)
            sizes[size] = page.eval_on_selector("#preview", "e => parseFloat(getComputedStyle(e).fontSize)")
        assert sizes["standard"] < sizes["large"] < sizes["largest"]
        assert sizes["largest"] / sizes["standard"] == pytest.approx(60 / 40, rel=0.02)  # the kiosk's proportions
        page.click("#diff-btn")
        expect(page.locator("#diff-body tr")).to_have_count(1)
        expect(page.locator("#diff-body td.after")).to_have_text(SHORT)
        page.fill("#publish-note", "説明を短く")
        page.click("#publish-btn")
        expect(page.locator("#published")).to_contain_text("公開しました")
        assert a11y.unlabelled(page) == []
        assert a11y.contrast(page)["bad"] == []
        page.screenshot(path=str(artifacts / "editor-published.png"), full_page=True)
        context.close()
    db = Database(url)
    try:
        with db.read() as conn:
            north, south = store.desired(conn, "north").version, store.desired(conn, "south").version
    finally:
        db.dispose()
    assert south == base and north != base  # published to the editor's own site only
