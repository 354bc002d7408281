"""The live queue in real headless Chromium against a real helpdesk: arrival, answering, isolation, alerts."""

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
    """Kiosk escalates → row appears without reload (its delay printed) → claim → reply reaches kiosk long-poll → resolve."""
    alice = staff_page("alice")
    assert alice.url.endswith("/console/queue")
    bob = staff_page("bob")
    wait_live(alice)
    wait_live(bob)
    old = helpdesk.escalate("north-1", step_id="place-card", reason="pin-forgotten")
    age(helpdesk, old["id"], minutes=25)
    offered = helpdesk.escalate("north-1", step_id="has-card", reason="offer:time-on-step", language="ja-easy")
    alice.wait_for_selector(f'tr[data-id="{offered["id"]}"]', timeout=5_000)
    alice.reload()  # the page drew `old` from its event as new; aged behind its back, it shows late once fetched
    wait_live(alice)
    alice.wait_for_selector(f'tr[data-id="{old["id"]}"].late', timeout=5_000)

    started = time.monotonic()
    new = helpdesk.escalate(
        "north-1",
        step_id="enter-pin",
        language="en",
        reason="card-unreadable",
        path=[{"step_id": "has-card", "seconds": 12}, {"step_id": "place-card", "seconds": 95.5}],
    )
    alice.wait_for_selector(f'tr[data-id="{new["id"]}"]', timeout=10_000)  # pushed: the page was not reloaded
    print(f"escalation visible in the open queue after {(time.monotonic() - started) * 1000:.0f} ms")

    offered_reason = alice.locator(f'tr[data-id="{offered["id"]}"] td:nth-child(7)').inner_text()
    assert offered_reason == "キオスクから声かけ 同じ画面に長くいる"
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


def test_staff_of_one_site_never_see_another_sites_escalations(helpdesk, staff_page, a11y, artifacts) -> None:
    """Carol (south) gets south escalations live, never north ones: not in the page, the stream or by URL."""
    carol = staff_page("carol")
    wait_live(carol)
    events: list[str] = []
    connected = threading.Event()
    session = helpdesk.staff_session("carol")

    def listen() -> None:
        with session.get(f"{helpdesk.base_url}/api/v1/queue/stream", stream=True, timeout=10) as response:
            for line in response.iter_lines(decode_unicode=True):
                events.append(line)
                connected.set()  # the stream's first line comes once it is subscribed
                if "south" in line:
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(10)
    north = helpdesk.escalate("north-1")
    south = helpdesk.escalate("south-1")  # behind north: the stream is in order, so north would have come first
    carol.wait_for_selector(f'tr[data-id="{south["id"]}"]', timeout=10_000)
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


def test_new_escalations_reach_an_open_console_quickly(helpdesk, staff_page) -> None:
    """Kiosk POST → row drawn in the open queue, 20 times: p95 under 1 s (figures printed, with the POST alone)."""
    page = staff_page("carol")
    wait_live(page)
    total, after_post = [], []
    for _ in range(20):
        started = time.monotonic()
        escalation = helpdesk.escalate("south-1")
        answered = time.monotonic()
        page.wait_for_selector(f'tr[data-id="{escalation["id"]}"]', timeout=2_000)
        drawn = time.monotonic()
        total.append(drawn - started)
        after_post.append(drawn - answered)

    def p(values: list[float], q: float) -> float:
        return sorted(values)[max(0, int(len(values) * q + 0.5) - 1)] * 1000

    print(
        f"kiosk POST start → row drawn: p50 {p(total, 0.5):.0f} ms, p95 {p(total, 0.95):.0f} ms; "
        f"POST answered → row drawn: p50 {p(after_post, 0.5):.0f} ms, p95 {p(after_post, 0.95):.0f} ms"
    )
    assert p(total, 0.95) < 1000


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


def test_claiming_from_the_queue_too_late_names_the_winner(helpdesk, staff_page) -> None:
    """With the queue not yet updated, pressing c on a row Carol just took says Carol has it; no navigation."""
    page = staff_page("dora")
    page.route("**/api/v1/queue/stream", lambda route: None)  # hold the stream: the page cannot learn of the claim
    escalation = helpdesk.escalate("south-1")
    page.reload()
    link = f'tr[data-id="{escalation["id"]}"] a.open'
    page.wait_for_selector(link)
    assert helpdesk.session("carol").post(f"{helpdesk.base_url}/api/v1/escalations/{escalation['id']}/claim").ok
    page.focus(link)
    page.keyboard.press("c")
    page.wait_for_selector("#toast.shown:has-text('千葉')")
    assert "ほかの係員が先に対応を始めました" in page.inner_text("#toast")
    assert page.url.endswith("/console/queue")


def test_rows_are_drawn_moved_and_removed_from_their_events_without_refetching(helpdesk, staff_page) -> None:
    """The event carries the row: a new escalation is drawn last in line (before claimed ones), a claim moves it to
    the claimed ones with its holder, a resolve removes it — and the page never refetches the queue for them."""
    page = staff_page("bob")
    wait_live(page)
    claimed = helpdesk.escalate("north-1")
    assert helpdesk.session("alice").post(f"{helpdesk.base_url}/api/v1/escalations/{claimed['id']}/claim").ok
    page.wait_for_selector(f'tr[data-id="{claimed["id"]}"] .status.claimed', timeout=2_000)
    fetches: list[str] = []
    page.on("request", lambda request: fetches.append(request.url) if "/api/v1/queue?" in request.url else None)

    new = helpdesk.escalate("north-1", step_id="enter-pin", reason="pin-forgotten")
    page.wait_for_selector(f'tr[data-id="{new["id"]}"]', timeout=2_000)
    ids = page.eval_on_selector_all("#queue-body tr", "rows => rows.map((row) => row.dataset.id)")
    statuses = page.eval_on_selector_all("#queue-body tr .status", "cells => cells.map((cell) => cell.className)")
    waiting = [i for i, status in enumerate(statuses) if "waiting" in status]
    assert ids.index(new["id"]) == max(waiting) < ids.index(claimed["id"]), "youngest in line, before claimed rows"
    cells = f'tr[data-id="{new["id"]}"] td:not(.wait)'
    drawn = page.eval_on_selector_all(cells, "cells => cells.map((cell) => cell.innerText)")
    assert fetches == []
    page.reload()  # the snapshot draws the same row
    wait_live(page)
    page.wait_for_selector(f'tr[data-id="{new["id"]}"]')
    assert page.eval_on_selector_all(cells, "cells => cells.map((cell) => cell.innerText)") == drawn
    assert "north-1" in drawn
    page.wait_for_timeout(300)  # the reload's own fetches are done
    fetches.clear()

    alice = helpdesk.session("alice")
    assert alice.post(f"{helpdesk.base_url}/api/v1/escalations/{new['id']}/claim").ok
    page.wait_for_selector(f'tr[data-id="{new["id"]}"] .holder:has-text("青木")', timeout=2_000)
    assert alice.post(f"{helpdesk.base_url}/api/v1/escalations/{new['id']}/resolve", json={"outcome": "solved"}).ok
    page.wait_for_selector(f'tr[data-id="{new["id"]}"]', state="detached", timeout=2_000)
    assert fetches == [], "no refetch of the whole queue for a create, a claim or a resolve"
    assert int(page.inner_text("#count-claimed")) == page.locator("#queue-body .status.claimed").count()
