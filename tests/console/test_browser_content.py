"""The content loop in real headless Chromium: an admin fills a site's empty settings; staff see which version the
resident's screen came from and that the kiosk runs an older one."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from content.loader import PACKAGED
from content.pack import Signer, generate_key
from helpdesk.content_store import versions as store
from helpdesk.database import Database

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH = 1366


def test_admin_fills_an_empty_site_setting(helpdesk, staff_page, a11y, artifacts) -> None:
    page = staff_page("adam")
    page.goto(helpdesk.base_url + "/console/admin/settings")
    page.select_option("#f-settings-site", "south")
    page.click("#add-form button")
    row = page.locator("#admin-body tr:has-text('library_url')")
    row.wait_for()
    assert "library-reservation" in row.inner_text() and "未入力" in row.inner_text()
    row.locator("input").fill("https://library.south.example.jp/")
    row.locator("button").click()
    row.locator(".badge").wait_for(state="detached")  # the table was drawn again from the saved values
    page.reload()
    page.select_option("#f-settings-site", "south")
    page.click("#add-form button")
    row = page.locator("#admin-body tr:has-text('library_url')")
    row.wait_for()
    expect(row.locator("input")).to_have_value("https://library.south.example.jp/")
    assert "未入力" not in row.inner_text()
    assert a11y.unlabelled(page) == []
    assert a11y.contrast(page)["bad"] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.screenshot(path=str(artifacts / "admin-site-settings.png"), full_page=True)


def test_staff_see_the_version_of_the_residents_screen(helpdesk, staff_page, a11y, artifacts, tmp_path) -> None:
    signer = Signer(generate_key()[0])
    db = Database(helpdesk.database_url)
    versions = []
    try:
        for note in ("old", "new"):
            folder = tmp_path / note
            shutil.copytree(PACKAGED / "procedures", folder / "procedures")
            shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
            path = folder / "procedures" / "konbini-juminhyo.yaml"
            path.write_text(path.read_text("utf-8") + f"# {note}\n", "utf-8")
            versions.append(store.publish_folder(db, folder, signer=signer, by="t", note=note, site_id="north")[0])
    finally:
        db.dispose()
    escalation = helpdesk.escalate("north-1", content_version=versions[0])
    page = staff_page("alice")
    page.goto(f"{helpdesk.base_url}/console/escalations/{escalation['id']}")
    page.wait_for_selector("#content-version")
    assert page.inner_text("#content-version") == versions[0][:12]
    assert page.locator("#content-older").is_visible()
    assert page.locator("#kiosk-screen img").count() == 1
    assert a11y.contrast(page)["bad"] == []
    page.screenshot(path=str(artifacts / "escalation-older-content.png"))


def test_admin_rolls_back_a_site_from_the_versions_page(helpdesk, staff_page, a11y, artifacts, tmp_path) -> None:
    signer = Signer(generate_key()[0])
    db = Database(helpdesk.database_url)
    made = []
    try:
        for note in ("一つ目", "二つ目"):
            folder = tmp_path / note
            shutil.copytree(PACKAGED / "procedures", folder / "procedures")
            shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
            path = folder / "procedures" / "touch-practice.yaml"
            path.write_text(path.read_text("utf-8") + f"# {note}\n", "utf-8")
            made.append(store.publish_folder(db, folder, signer=signer, by="adam", note=note)[0])
    finally:
        db.dispose()
    page = staff_page("adam")
    page.goto(helpdesk.base_url + "/console/admin/versions")
    older = page.locator(f"tr[data-version='{made[0]}']")
    older.wait_for()
    expect(page.locator(f"tr[data-version='{made[1]}'] td.running")).to_contain_text("南公民館")
    older.locator("select").select_option("south")
    page.once("dialog", lambda dialog: dialog.accept())
    older.locator("button").click()
    expect(older.locator("td.running")).to_have_text("南公民館")  # south rolled back; north keeps the newer one
    newer = page.locator(f"tr[data-version='{made[1]}'] td.running")  # other tests' sites may follow it too
    expect(newer).to_contain_text("北公民館")
    expect(newer).not_to_contain_text("南公民館")
    assert a11y.unlabelled(page) == []
    assert a11y.contrast(page)["bad"] == []
    page.screenshot(path=str(artifacts / "admin-versions.png"), full_page=True)
