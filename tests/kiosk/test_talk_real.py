"""Answers and the pointer round-trip through a real helpdesk on loopback, with the kiosk on its real window:
staff ask a yes/no question, the resident touches はい, staff read the answer; staff point at a choice, the kiosk
rings it and says 「ここを押してください」."""

from __future__ import annotations

import pytest
import requests

from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from helpdesk.wire import MessageList
from tests.kiosk.conftest import mounted_kiosk
from yorisoi.demo import demo_config

pytestmark = pytest.mark.slow


class Staff:
    """A staff member on the public API (cookie session + CSRF token), as the console's scripts call it."""

    def __init__(self, base_url: str, login: str, password: str):
        self.base = f"{base_url}/api/v1"
        self.http = requests.Session()
        result = self.http.post(f"{self.base}/auth/login", json={"login": login, "password": password}, timeout=10)
        result.raise_for_status()
        self.http.headers["X-CSRF-Token"] = result.json()["csrf_token"]

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(f"{self.base}{path}", json=body, timeout=10)

    def messages(self, escalation_id: str) -> MessageList:
        raw = self.http.get(f"{self.base}/escalations/{escalation_id}/messages", params={"after": 0}, timeout=10)
        return MessageList.model_validate(raw.json())


@pytest.fixture
def world(window, tmp_path):
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    with (
        EmbeddedServer(demo_app(seed)) as server,
        mounted_kiosk(window, demo_config(seed, server.base_url, tmp_path)) as driver,
    ):
        yield driver, Staff(server.base_url, seed.staff_login, seed.staff_password)


def help_claimed(driver, staff: Staff) -> str:
    driver.touch("begin")
    driver.touch("card-konbini-juminhyo")
    driver.touch("next")
    driver.touch("help")
    driver.touch("reason-screen-unclear")
    driver.wait_for(lambda: driver.runtime.help.escalation_id, frames=1500)
    escalation_id = driver.runtime.help.escalation_id
    assert staff.post(f"/escalations/{escalation_id}/claim").status_code == 200
    driver.wait_for(lambda: driver.runtime.state.escalation.status == "claimed", frames=1500)
    return escalation_id


def test_question_and_touched_answer_round_trip(world):
    driver, staff = world
    escalation_id = help_claimed(driver, staff)
    assert "answer-understood" in driver.button_ids()
    asked = staff.post(f"/escalations/{escalation_id}/messages", {"kind": "question", "text": "カードはありますか"})
    assert asked.status_code == 201
    driver.wait_for(lambda: "answer-yes" in driver.button_ids(), frames=1500)
    assert "カードはありますか" in driver.texts()
    assert any("カードはありますか" in said for said, _reading, _lang in driver.speaker.said)
    driver.touch("answer-yes")

    def answered():
        return [m for m in staff.messages(escalation_id).messages if m.answer]

    driver.wait_for(answered, frames=1500)
    assert [(m.sender, m.answer, m.answers) for m in answered()] == [("kiosk", "yes", asked.json()["id"])]
    driver.touch("answer-done")
    driver.wait_for(lambda: len(answered()) == 2, frames=1500)
    assert answered()[-1].answer == "done" and answered()[-1].answers is None


def test_pointer_rings_the_element_on_the_kiosk(world):
    driver, staff = world
    escalation_id = help_claimed(driver, staff)
    assert driver.view.screen == "waiting"
    assert staff.post(f"/escalations/{escalation_id}/pointer", {"element": "choice-yes"}).status_code == 201
    driver.wait_for(lambda: driver.view.pointer == "choice-yes", frames=1500)
    assert driver.view.screen == "step"  # back from the waiting screen to the step staff see
    ring = driver.screen.ring
    assert ring is not None and ring.parent is driver.screen
    assert ring.box == driver.screen.element_boxes["choice-yes"]
    assert any(said == "ここを押してください" for said, _reading, _lang in driver.speaker.said)
    step = driver.runtime.state.place.step_id
    driver.touch("choice-yes")  # the ring takes no touches: the choice answers through it, and the ring goes
    assert driver.runtime.state.place.step_id != step
    assert driver.view.pointer is None and driver.screen.ring is None
