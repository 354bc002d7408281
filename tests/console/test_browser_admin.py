"""The admin pages in real headless Chromium: kiosk keys shown once, canned replies, accessibility, logout."""

from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH, HEIGHT = 1366, 768


def test_admin_registers_a_kiosk_whose_key_is_shown_once_and_works(helpdesk, staff_page, a11y, artifacts) -> None:
    """Admin registers a kiosk in the page; the shown key works; its heartbeat shows online with its version."""
    page = staff_page("adam")
    assert page.url.endswith("/console/admin/sites")
    page.goto(helpdesk.base_url + "/console/admin/kiosks")
    page.wait_for_selector("#admin-body tr")
    page.fill("#f-kiosk-id", "north-9")
    page.select_option("#f-site", "north")
    page.click("#add-form button")
    page.wait_for_selector("#secret-value")
    key = page.inner_text("#secret-value")
    heartbeat = {"kiosk_version": "0.1.0", "content_version": "c1", "voice_available": True, "outbox_length": 2}
    answer = requests.post(
        f"{helpdesk.base_url}/api/v1/kiosks/heartbeat",
        json=heartbeat,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 200
    page.reload()
    row = page.locator("#admin-body tr:has-text('north-9')")
    row.wait_for()
    assert "オンライン" in row.inner_text() and "0.1.0" in row.inner_text()
    assert page.locator("#secret-value").count() == 0, "the key is not shown again"
    page.screenshot(path=str(artifacts / "admin-kiosks.png"))
    page.goto(f"{helpdesk.base_url}/console/admin/canned")
    page.select_option("#f-language", "en")
    page.fill("#f-text", "Someone will help you in a moment.")
    page.click("#add-form button")
    page.wait_for_selector("#admin-body tr:has-text('Someone will help you')")
    for section in ("sites", "kiosks", "staff", "canned"):
        page.goto(f"{helpdesk.base_url}/console/admin/{section}")
        page.wait_for_selector("#admin-body tr")
        assert a11y.unlabelled(page) == [], section
        assert a11y.contrast(page)["bad"] == [], section
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, section
    page.screenshot(path=str(artifacts / "admin-canned.png"))
    page.click("#logout")
    page.wait_for_url("**/console/login")
    page.goto(f"{helpdesk.base_url}/console/admin/sites")
    assert page.url.endswith("/console/login"), "the session ended at logout"
