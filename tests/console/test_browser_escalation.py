"""The escalation view in real headless Chromium: holder, lost races, transfer, keyboard use, accessibility."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH, HEIGHT = 1366, 768


def wait_live(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the queue's event stream is connected."""
    page.wait_for_selector("#live.on", timeout=10_000)


def test_second_staff_sees_the_holder_and_a_lost_race_says_so(helpdesk, staff_page, a11y, artifacts) -> None:
    """Bob's page still offers "claim"; Alice wins; Bob's click gets a clear message naming her."""
    escalation = helpdesk.escalate("north-1")
    bob = staff_page("bob")
    # Hold Bob's conversation long-poll so his page cannot learn of Alice's claim before he clicks.
    bob.route("**/messages?*", lambda route: None)
    bob.goto(f"{helpdesk.base_url}/console/escalations/{escalation['id']}")
    bob.wait_for_selector("#claim-btn:enabled")
    helpdesk.staff_session("alice").post(f"{helpdesk.base_url}/api/v1/escalations/{escalation['id']}/claim")
    bob.click("#claim-btn")
    bob.wait_for_selector("#alert:not([hidden])")
    assert "ほかの係員が先に対応を始めました" in bob.inner_text("#alert")
    assert "青木" in bob.inner_text("#alert")
    assert bob.inner_text("#holder") == "青木"
    assert bob.locator("#claim-btn").is_disabled()
    assert bob.locator("#reply-form button").is_disabled()
    bob.context.close()


def test_transfer_and_release_from_the_page(helpdesk, staff_page) -> None:
    """Alice claims and transfers to Bob; both pages show Bob; Bob releases it back to the queue."""
    escalation = helpdesk.escalate("north-1")
    alice, bob = staff_page("alice"), staff_page("bob")
    for page in (alice, bob):
        page.goto(f"{helpdesk.base_url}/console/escalations/{escalation['id']}")
        page.wait_for_selector("#claim-btn:enabled")
    alice.click("#claim-btn")
    bob.wait_for_selector("#holder:has-text('青木')", timeout=3_000)
    assert bob.locator("#claim-btn").is_disabled()
    alice.select_option("#transfer-select", "bob")
    alice.click("#transfer-form button")
    alice.wait_for_selector("#holder:has-text('馬場')")
    assert alice.locator("#reply-form button").is_disabled()
    bob.wait_for_selector("#holder:has-text('馬場（')", timeout=3_000)
    bob.click("#release-btn")
    bob.wait_for_selector("#claim-btn:enabled")
    alice.wait_for_selector("#facts .status.waiting", timeout=3_000)
    assert alice.inner_text("#holder") == "まだ誰も対応していません"


def test_console_is_labelled_keyboard_operable_and_readable(helpdesk, staff_page, a11y, artifacts) -> None:
    """Every control has a label, text contrast ≥ 4.5:1, no sideways scrolling at 1366×768, keyboard-only claim."""
    escalation = helpdesk.escalate("north-1", reason="offer:oscillation", step_id="has-card")
    page = staff_page("alice")
    wait_live(page)
    page.wait_for_selector(f'tr[data-id="{escalation["id"]}"]')
    for url in ("/console/queue", f"/console/escalations/{escalation['id']}", "/console/login?role=none"):
        page.goto(helpdesk.base_url + url)
        page.wait_for_load_state("networkidle") if "escalations" not in url else page.wait_for_selector(".screen-title")
        assert a11y.unlabelled(page) == [], url
        contrast = a11y.contrast(page)
        assert contrast["checked"] > 5 and contrast["bad"] == [], (url, contrast)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, url

    page.goto(helpdesk.base_url + "/console/lang/en?next=/console/queue")
    page.wait_for_selector(f'tr[data-id="{escalation["id"]}"]')
    assert page.inner_text("h1") == "Queue" and page.evaluate("document.documentElement.lang") == "en"
    assert a11y.unlabelled(page) == [] and a11y.contrast(page)["bad"] == []
    page.screenshot(path=str(artifacts / "queue-en.png"))
    page.goto(helpdesk.base_url + "/console/lang/ja?next=/console/queue")
    page.wait_for_selector(f'tr[data-id="{escalation["id"]}"]')
    page.uncheck("#shortcut-toggle")
    page.keyboard.press("j")
    page.keyboard.press("c")
    page.wait_for_timeout(300)
    assert page.url.endswith("/console/queue"), "single-key shortcuts can be turned off"
    page.check("#shortcut-toggle")
    page.focus("body")
    for _ in range(40):  # Tab through the page to the escalation's "open" link
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.id")
            == escalation["id"]
        ):
            break
    else:
        pytest.fail("the escalation's link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/escalations/{escalation['id']}")
    page.wait_for_selector("#claim-btn:enabled")
    page.keyboard.press("c")
    page.wait_for_selector("#holder:has-text('（')")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"
    page.keyboard.type("少々お待ちください")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#messages li.msg.staff:has-text('少々お待ちください')")
    shown = page.locator("#messages li.msg.staff .meta").last.inner_text().split()[-1]
    tokyo = dt.datetime.now(ZoneInfo("Asia/Tokyo"))
    shown_minutes = int(shown.split(":")[0]) * 60 + int(shown.split(":")[1])
    assert abs(shown_minutes - (tokyo.hour * 60 + tokyo.minute)) % (24 * 60) <= 1, "times are shown in Tokyo time"
    page.focus("body")
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "step-select"
    box = page.locator("#claim-btn").bounding_box()
    assert box and box["y"] + box["height"] <= HEIGHT, "actions visible without scrolling"
    page.context.close()
