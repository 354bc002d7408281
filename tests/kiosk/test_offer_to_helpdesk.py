"""A resident freezes on a step: the kiosk offers help by itself (shown and spoken), the resident accepts with a
touch, and the escalation reaches a real helpdesk on loopback with the signal as its reason."""

from __future__ import annotations

import sqlite3

import pytest

from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from kiosk.config import parse_config
from kiosk.guide import actions as a
from tests.kiosk.conftest import Driver, RecordingSpeaker

pytestmark = pytest.mark.slow


@pytest.fixture
def real_helpdesk(tmp_path):
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    with EmbeddedServer(demo_app(seed)) as server:
        yield seed, server.base_url


@pytest.fixture
def kiosk_on_real_helpdesk(window, real_helpdesk, tmp_path):
    from kiosk.assembly import build_kiosk

    seed, url = real_helpdesk
    key_file = tmp_path / "kiosk.key"
    key_file.write_text(seed.kiosk_key, encoding="utf-8")
    config = parse_config(
        {
            "site": seed.site_id,
            "kiosk_id": seed.kiosk_id,
            "helpdesk_url": url,
            "key_file": str(key_file),
            "voice": False,
            "outbox_file": str(tmp_path / "outbox.sqlite3"),
            "help_offers": {"base_seconds": 45},
        }
    )
    for child in list(window.children):
        window.remove_widget(child)
    speaker = RecordingSpeaker()
    kiosk = build_kiosk(config, speaker=speaker, size=tuple(window.size))
    window.add_widget(kiosk.screen)
    kiosk.screen.size = tuple(window.size)
    kiosk.runtime.start()
    yield Driver(kiosk, window, speaker, kiosk.runtime.helpdesk), seed
    kiosk.runtime.dispatch(a.GoHome())
    kiosk.close()
    window.remove_widget(kiosk.screen)


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
