"""The kiosk on its real window against a real helpdesk on loopback: a resident who freezes is offered help and
the escalation arrives with the signal as its reason; a slow helpdesk never freezes the screen."""

from __future__ import annotations

import sqlite3

import pytest

from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from tests.kiosk.conftest import mounted_kiosk
from tests.netfaults import FaultyProxy
from yorisoi.demo import demo_config

pytestmark = pytest.mark.slow


@pytest.fixture
def real_helpdesk(tmp_path):
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    with EmbeddedServer(demo_app(seed)) as server:
        yield seed, server


@pytest.fixture
def slow_proxy(real_helpdesk):
    proxy = FaultyProxy(real_helpdesk[1].port)
    proxy.delay_s = 10.0
    yield proxy
    proxy.close()


@pytest.fixture
def kiosk_on_real_helpdesk(request, window, real_helpdesk, tmp_path):
    seed, server = real_helpdesk
    url = server.base_url
    if "slow_proxy" in request.fixturenames:
        url = f"http://127.0.0.1:{request.getfixturevalue('slow_proxy').port}"
    config = demo_config(seed, url, tmp_path)  # the demo kiosk: key file and outbox in the test folder
    with mounted_kiosk(window, config) as driver:
        yield driver, seed


def stored_reasons(seed) -> list[tuple[str, str, str]]:
    with sqlite3.connect(seed.database_url.removeprefix("sqlite:///")) as db:
        return list(db.execute("SELECT procedure_id, step_id, reason FROM escalations"))


def test_freeze_offer_accept_reaches_the_helpdesk(kiosk_on_real_helpdesk):
    driver, seed = kiosk_on_real_helpdesk
    driver.touch("begin")
    driver.touch("card-konbini-juminhyo")
    driver.touch("next")
    step = driver.runtime.state.place.step_id
    assert driver.view.screen == "step"
    for _ in range(20):  # the resident stands still; the clock runs (no touch)
        driver.runtime.tick(10)
        if driver.view.screen == "offer":
            break
    assert driver.view.screen == "offer"
    assert any("お手伝いしましょうか" in text for text, _reading, _lang in driver.speaker.said)
    assert "お手伝いしましょうか" in driver.texts()
    driver.touch("offer-accept")
    assert driver.view.screen == "waiting"
    driver.wait_for(lambda: stored_reasons(seed), frames=1500)
    assert stored_reasons(seed) == [("konbini-juminhyo", step, "offer:time-on-step")]
    # the helpdesk's answer (queue position) comes back to the waiting screen
    driver.wait_for(lambda: driver.runtime.state.escalation.position is not None, frames=1500)


def test_served_thresholds_replace_the_length_defaults(kiosk_on_real_helpdesk):
    driver, _seed = kiosk_on_real_helpdesk
    served = driver.runtime.helpdesk.step_thresholds()
    assert served.step_seconds == {}  # no sessions yet: the kiosk keeps its text-length defaults
    driver.runtime.use_step_thresholds({"konbini-juminhyo/has-card": 12.0})
    assert (
        driver.runtime.guide.settings.stuck.step_threshold(
            "konbini-juminhyo", driver.kiosk.catalog.procedures["konbini-juminhyo"].step("has-card")
        )
        == 12.0
    )


def test_a_slow_helpdesk_never_freezes_the_screen(slow_proxy, kiosk_on_real_helpdesk):
    from kivy.base import EventLoop

    driver, seed = kiosk_on_real_helpdesk
    driver.touch("begin")
    driver.touch("card-konbini-juminhyo")
    driver.touch("next")
    driver.touch("help")
    driver.touch("reason-card-unreadable")  # the helpdesk's answer to the request is now held back 10 s
    assert driver.view.screen == "waiting"
    for _ in range(5):
        EventLoop.idle()
    driver.touch("return")  # touches still work while waiting
    assert driver.view.screen == "step"
    # ... before the answer was let through: had the screen waited for it, the touches would have come after
    assert not [line for line in slow_proxy.released if "/escalations" in line], slow_proxy.released
    driver.wait_for(lambda: stored_reasons(seed), frames=3000)
    assert [reason for *_, reason in stored_reasons(seed)] == ["card-unreadable"]
