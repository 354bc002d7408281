"""The console's side of talking with the resident, in headless Chromium: a yes/no question, the resident's answer
appearing in the conversation as it arrives, and clicking the rendered screen to point at an element."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from helpdesk.wire import MessageList

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def kiosk_call(helpdesk, method: str, path: str, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {helpdesk.keys['north-1']}", **kw.pop("headers", {})}
    return requests.request(method, f"{helpdesk.base_url}/api/v1{path}", headers=headers, timeout=10, **kw)


def test_question_answer_and_pointer_from_the_page(helpdesk, staff_page, a11y, artifacts) -> None:
    escalation = helpdesk.escalate("north-1")
    path = f"/escalations/{escalation['id']}"
    page = staff_page("alice")
    page.goto(f"{helpdesk.base_url}/console{path}")
    page.wait_for_selector("#claim-btn:enabled")
    assert page.locator("#kiosk-screen.pointing").count() == 0  # not before the claim
    page.click("#claim-btn")
    page.wait_for_selector("#kiosk-screen.pointing")

    page.fill("#reply-text", "カードは手元にありますか")
    page.check("#ask-yes-no")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector(".msg.staff:has-text('質問: カードは手元にありますか')")
    question = next(m for m in kiosk_messages(helpdesk, path).messages if m.question)
    assert question.kind == "text" and question.text == "カードは手元にありますか"

    answered = kiosk_call(
        helpdesk,
        "POST",
        f"{path}/answers",
        json={"answer": "yes", "question_id": question.id},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert answered.status_code == 201
    page.wait_for_selector(".msg.kiosk.answer:has-text('利用者の答え: はい')", timeout=5_000)

    instruction = page.locator("#kiosk-screen [data-element=instruction]")
    instruction.click()
    page.wait_for_selector("#toast.shown")
    page.locator("#kiosk-screen [data-element=help]").focus()
    page.keyboard.press("Enter")  # keyboard staff point too
    deadline = time.monotonic() + 5
    while len(signals := kiosk_messages(helpdesk, path).signals) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(s.kind, s.element) for s in signals][-2:] == [("pointer", "instruction"), ("pointer", "help")]
    page.screenshot(path=str(artifacts / "console-talk.png"), full_page=True)
    assert a11y.unlabelled(page) == []
    page.context.close()


def kiosk_messages(helpdesk, path: str) -> MessageList:  # type: ignore[no-untyped-def]
    return MessageList.model_validate(kiosk_call(helpdesk, "GET", f"{path}/messages", params={"after": 0}).json())


def test_call_button_is_greyed_with_the_kiosks_reason(helpdesk, staff_page) -> None:
    beat = {"kiosk_version": "1", "content_version": "c", "voice_available": True, "outbox_length": 0}
    response = kiosk_call(helpdesk, "POST", "/kiosks/heartbeat", json={**beat, "call_unavailable": "no-microphone"})
    assert response.status_code == 200, response.text
    escalation = helpdesk.escalate("north-1")
    page = staff_page("alice")
    page.goto(f"{helpdesk.base_url}/console/escalations/{escalation['id']}")
    page.wait_for_selector("#claim-btn:enabled")
    page.click("#claim-btn")
    page.wait_for_selector("#call-status:has-text('このキオスクは通話できません: マイクがありません')")
    assert page.locator("#call-btn").is_disabled()
    kiosk_call(helpdesk, "POST", "/kiosks/heartbeat", json={**beat, "call_unavailable": None})
    page.reload()
    page.wait_for_selector("#call-btn:enabled")
    page.context.close()
