"""The console in real headless Chromium against a real helpdesk: live queue, escalation work, isolation, a11y."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import requests
from sqlalchemy import update

from content.loader import load_catalog
from helpdesk.database import Database
from helpdesk.tables import escalations

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH, HEIGHT = 1366, 768


def wait_live(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the queue's event stream is connected."""
    page.wait_for_selector("#live.on", timeout=10_000)


def age(helpdesk, escalation_id: str, minutes: int) -> None:
    """Make an escalation look older (to show an SLA breach)."""
    db = Database(helpdesk.database_url)
    try:
        with db.write() as conn:
            conn.execute(
                update(escalations)
                .where(escalations.c.id == escalation_id)
                .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes))
            )
    finally:
        db.dispose()


def test_escalation_reaches_the_queue_live_and_is_answered(helpdesk, staff_page, a11y, artifacts) -> None:
    """Kiosk escalates → row appears without reload < 1 s → claim → reply reaches kiosk long-poll → resolve."""
    alice = staff_page("alice")
    assert alice.url.endswith("/console/queue")
    bob = staff_page("bob")
    wait_live(alice)
    wait_live(bob)
    old = helpdesk.escalate("north-1", step_id="place-card", reason="pin-forgotten")
    age(helpdesk, old["id"], minutes=25)
    helpdesk.escalate("north-1", step_id="has-card", reason="offer:idle-long", language="ja-easy")
    alice.wait_for_selector(f'tr[data-id="{old["id"]}"]', timeout=5_000)

    started = time.monotonic()
    new = helpdesk.escalate(
        "north-1",
        step_id="enter-pin",
        language="en",
        reason="card-unreadable",
        path=[{"step_id": "has-card", "seconds": 12}, {"step_id": "place-card", "seconds": 95.5}],
    )
    alice.wait_for_selector(f'tr[data-id="{new["id"]}"]', timeout=1_000)
    appeared_s = time.monotonic() - started
    assert appeared_s < 1.0
    print(f"escalation visible in the open queue after {appeared_s * 1000:.0f} ms")

    late_row = alice.locator(f'tr[data-id="{old["id"]}"]')
    assert "late" in late_row.get_attribute("class")
    assert late_row.locator(".icon-late").count() == 1
    assert int(alice.inner_text("#count-waiting")) >= 3
    assert int(alice.inner_text("#count-breached")) >= 1
    first_wait = alice.locator(f'tr[data-id="{new["id"]}"] .wait').inner_text()
    alice.wait_for_timeout(2_100)
    assert alice.locator(f'tr[data-id="{new["id"]}"] .wait').inner_text() != first_wait, "waiting time ticks"
    alice.screenshot(path=str(artifacts / "queue.png"))

    alice.click(f'tr[data-id="{new["id"]}"] a.open')
    alice.wait_for_url(f"**/console/escalations/{new['id']}")
    step = load_catalog().get("konbini-juminhyo").step("enter-pin")
    alice.wait_for_selector(".screen-title")
    assert alice.inner_text(".screen-title") == step.title.get("en")
    assert alice.inner_text(".screen-text") == step.instruction.get("en")
    assert alice.get_attribute(".screen-picture", "src") == f"/console/pictures/{step.picture}"
    assert alice.locator("#path li").count() == 2
    assert alice.locator(".canned-reply").first.get_attribute("data-language") == "en"

    alice.click("#claim-btn")
    alice.wait_for_selector("#holder:has-text('（')")
    assert "青木" in alice.inner_text("#holder")
    bob.wait_for_selector(f'tr[data-id="{new["id"]}"] .holder:has-text("青木")', timeout=3_000)

    kiosk_headers = {"Authorization": f"Bearer {helpdesk.keys['north-1']}"}
    messages_url = f"{helpdesk.base_url}/api/v1/escalations/{new['id']}/messages"
    last_id = requests.get(messages_url, headers=kiosk_headers, timeout=10).json()["last_id"]
    received: list[dict] = []
    poll = threading.Thread(
        target=lambda: received.extend(
            requests.get(messages_url, params={"after": last_id, "wait": 20}, headers=kiosk_headers, timeout=30).json()[
                "messages"
            ]
        )
    )
    poll.start()
    canned_text = alice.locator(".canned-reply").first.inner_text().split(" ", 1)[1]
    alice.locator(".canned-reply").first.click()
    alice.click("#reply-form button[type=submit]")
    poll.join(15)
    assert [m["text"] for m in received] == [canned_text]
    assert received[0]["sender"] == "staff"

    alice.select_option("#step-select", "place-card")
    alice.click("#step-form button")
    alice.click("#coming-btn")
    alice.wait_for_selector("#messages li.msg.staff >> nth=2")
    after_step = requests.get(messages_url, params={"after": last_id}, headers=kiosk_headers, timeout=10).json()
    kinds = [(m["kind"], m.get("step_id")) for m in after_step["messages"]]
    assert kinds == [("text", None), ("send-step", "place-card"), ("coming", None)]
    alice.screenshot(path=str(artifacts / "escalation.png"))

    alice.select_option("#outcome-select", "solved")
    alice.click("#resolve-form button")
    alice.wait_for_selector("#facts .status.resolved")
    status = requests.get(f"{helpdesk.base_url}/api/v1/escalations/{new['id']}", headers=kiosk_headers, timeout=10)
    assert status.json()["status"] == "resolved"
    assert status.json()["outcome"] == "solved"
    alice.context.close()
    bob.context.close()


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


def test_staff_of_one_site_never_see_another_sites_escalations(helpdesk, staff_page, a11y, artifacts) -> None:
    """Carol (south) gets south escalations live, never north ones: not in the page, the stream or by URL."""
    carol = staff_page("carol")
    wait_live(carol)
    events: list[str] = []
    session = helpdesk.staff_session("carol")

    def listen() -> None:
        with session.get(f"{helpdesk.base_url}/api/v1/queue/stream", stream=True, timeout=10) as response:
            for line in response.iter_lines(decode_unicode=True):
                events.append(line)
                if "south" in line:
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    time.sleep(0.3)
    north = helpdesk.escalate("north-1")
    south = helpdesk.escalate("south-1")
    carol.wait_for_selector(f'tr[data-id="{south["id"]}"]', timeout=1_000)
    listener.join(10)
    assert any(south["id"] in line for line in events)
    assert not any(north["id"] in line for line in events)
    assert carol.locator(f'tr[data-id="{north["id"]}"]').count() == 0
    assert carol.locator("tbody tr").count() == carol.locator('tbody tr:has-text("南公民館")').count()
    carol.goto(f"{helpdesk.base_url}/console/escalations/{north['id']}")
    carol.wait_for_selector("#alert:not([hidden])")
    assert "見つからない" in carol.inner_text("#alert")
    assert carol.locator(".screen-title").count() == 0
    carol.context.close()


def test_console_is_labelled_keyboard_operable_and_readable(helpdesk, staff_page, a11y, artifacts) -> None:
    """Every control has a label, text contrast ≥ 4.5:1, no sideways scrolling at 1366×768, keyboard-only claim."""
    escalation = helpdesk.escalate("north-1", reason="offer:back-and-forth", step_id="has-card")
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
    box = page.locator("#claim-btn").bounding_box()
    assert box and box["y"] + box["height"] <= HEIGHT, "actions visible without scrolling"
    page.context.close()


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


ALERT_STUBS = """
window.__notes = [];
window.__beeps = 0;
class RecordingNotification {
  constructor(title, options) { window.__notes.push([title, options && options.body]); }
  static requestPermission() { return Promise.resolve("granted"); }
}
RecordingNotification.permission = "granted";
window.Notification = RecordingNotification;
window.AudioContext = class {
  constructor() { this.currentTime = 0; this.destination = {}; }
  createOscillator() { return { frequency: {}, connect: (node) => node, start: () => { window.__beeps += 1; }, stop: () => {} }; }
  createGain() { return { gain: {}, connect: (node) => node }; }
};
"""


def test_sound_and_notification_follow_each_members_toggles_and_the_site_filter(helpdesk, staff_page) -> None:
    """Off: a new escalation is silent. On: one beep and one desktop notification, remembered after reload."""
    page = staff_page("dora")
    page.add_init_script(ALERT_STUBS)
    page.reload()
    wait_live(page)
    quiet = helpdesk.escalate("north-1")
    page.wait_for_selector(f'tr[data-id="{quiet["id"]}"]', timeout=2_000)
    assert page.evaluate("[window.__beeps, window.__notes.length]") == [0, 0]

    page.check("#sound-toggle")
    page.check("#notify-toggle")
    page.reload()
    wait_live(page)
    assert page.is_checked("#sound-toggle") and page.is_checked("#notify-toggle")
    assert page.evaluate("localStorage.getItem('yorisoi:dora:sound')") == "1"
    loud = helpdesk.escalate("south-1")
    page.wait_for_selector(f'tr[data-id="{loud["id"]}"]', timeout=2_000)
    page.wait_for_function("window.__notes.length === 1")
    assert page.evaluate("window.__beeps") == 1
    assert page.evaluate("window.__notes[0][1]") == "新しい呼び出し"

    page.select_option("#site-filter", "south")
    page.wait_for_selector(f'tr[data-id="{quiet["id"]}"]', state="detached")
    other = helpdesk.escalate("north-1")
    mine = helpdesk.escalate("south-1")
    page.wait_for_selector(f'tr[data-id="{mine["id"]}"]', timeout=2_000)
    assert page.locator(f'tr[data-id="{other["id"]}"]').count() == 0
    assert page.evaluate("window.__beeps") == 2, "only the filtered site's new escalation sounds"


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


def test_new_escalations_reach_an_open_console_quickly(helpdesk, staff_page) -> None:
    """Time from the kiosk's POST to the row drawn in the open queue, 20 times: p95 under 1 s (figures printed)."""
    page = staff_page("carol")
    wait_live(page)
    times = []
    for _ in range(20):
        started = time.monotonic()
        escalation = helpdesk.escalate("south-1")
        page.wait_for_selector(f'tr[data-id="{escalation["id"]}"]', timeout=2_000)
        times.append(time.monotonic() - started)
    times.sort()
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
    print(
        f"kiosk POST → row in open console: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )
    assert p95 < 1.0


def test_a_disabled_account_is_sent_to_the_login_page(helpdesk, browser) -> None:
    """An admin disables a member whose queue is open: the page stops showing the queue at the next change."""
    admin_api = f"{helpdesk.base_url}/console/api/admin/staff"
    login = f"temp-{int(time.time() * 1000)}"
    body = {"login": login, "display_name": "臨時", "role": "staff", "site_ids": ["south"]}
    password = helpdesk.session("adam").post(admin_api, json=body).json()["password"]
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    page.goto(f"{helpdesk.base_url}/console/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/queue")
    wait_live(page)
    assert helpdesk.session("adam").post(f"{admin_api}/{login}/disable").status_code == 200
    helpdesk.escalate("south-1")
    page.wait_for_url("**/console/login", timeout=5_000)
    page.goto(f"{helpdesk.base_url}/console/queue")
    assert page.url.endswith("/console/login")
    context.close()
