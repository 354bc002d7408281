"""A voice call on real parts, on loopback: the helpdesk on SQLite, the kiosk on its real window with aiortc
playing a 440 Hz file as its microphone, the console in headless Chromium with a fake microphone playing 880 Hz.
Two-way audio is proved by content: the kiosk hears 880 Hz, the page hears 440 Hz."""

from __future__ import annotations

import time

import pytest

from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from kiosk.config import CallAudio
from tests.browser import chromium
from tests.kiosk.conftest import mounted_kiosk
from tests.tones import tone_wav
from yorisoi.demo import demo_config

pytestmark = [pytest.mark.slow, pytest.mark.browser]
FAKE_MIC = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tones")
    return tone_wav(folder / "kiosk-440.wav", 440), tone_wav(folder / "console-880.wav", 880)


@pytest.fixture(scope="module")
def browser(tones):
    with chromium([*FAKE_MIC, f"--use-file-for-fake-audio-capture={tones[1]}"]) as launched:
        yield launched


@pytest.fixture
def world(window, tmp_path, tones):
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    with EmbeddedServer(demo_app(seed)) as server:
        config = demo_config(seed, server.base_url, tmp_path)
        config = config.model_copy(
            update={"call": CallAudio(microphone=str(tones[0]), microphone_format=None, speaker=None)}
        )
        with mounted_kiosk(window, config) as driver:
            yield driver, seed, server.base_url


def staff_page(browser, seed, base_url, escalation_id):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP").new_page()
    page.goto(f"{base_url}/console/login")
    page.fill("#login", seed.staff_login)
    page.fill("#password", seed.staff_password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/queue")
    page.goto(f"{base_url}/console/escalations/{escalation_id}")
    page.wait_for_selector("#claim-btn:enabled")
    page.click("#claim-btn")
    page.wait_for_selector("#call-btn:enabled")
    return page


def ask_help(driver) -> str:
    driver.touch("begin")
    driver.touch("card-konbini-juminhyo")
    driver.touch("next")
    driver.touch("help")
    driver.touch("reason-screen-unclear")
    driver.wait_for(lambda: driver.runtime.help.escalation_id, frames=1500)
    return driver.runtime.help.escalation_id


def near(hz: float, target: float) -> bool:
    return abs(hz - target) < 20


def wait_until(predicate, driver, seconds: float = 15.0) -> float:
    """Advance the kiosk's frames (results of its threads arrive through the Kivy clock) until `predicate()`."""
    from kiosk.ui.pilot import frames

    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if predicate():
            return time.monotonic() - began
        frames(1)
        time.sleep(0.01)
    raise AssertionError("condition not reached")


def test_two_way_audio_by_content_and_hang_up_from_either_side(world, browser):
    driver, seed, base_url = world
    escalation_id = ask_help(driver)
    page = staff_page(browser, seed, base_url, escalation_id)
    calls = driver.runtime.calls
    assert calls.unavailable is None

    page.click("#call-btn")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "ringing", driver)
    assert "係の人と話しますか" in driver.texts()
    assert calls.media is None  # nothing is opened, let alone captured, before 話す
    driver.touch("call-accept")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "in-call", driver)
    assert calls.media.capturing and driver.view.banner == "通話中"
    wait_until(lambda: near(calls.media.heard.peak_hz, 880), driver)
    wait_until(lambda: near(page.evaluate("window.yorisoiCall.peakHz()"), 440), driver)
    page.wait_for_selector("#call-status:has-text('通話中')")
    page.screenshot(path=str(driver_artifacts() / "console-in-call.png"), full_page=True)

    driver.touch("call-end")  # the resident hangs up
    assert not calls.media.capturing and driver.view.call is None
    page.wait_for_selector("#call-status:has-text('利用者が通話をおわりました')", timeout=5_000)

    page.click("#call-btn")  # again, and this time staff hang up
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "ringing", driver)
    driver.touch("call-accept")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "in-call", driver)
    page.click("#hangup-btn")
    wait_until(lambda: driver.view.call is None, driver, seconds=5)
    assert "係の人が通話をおわりました" in (driver.view.banner or "")
    assert not calls.media.capturing
    page.context.close()


def driver_artifacts():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "call"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
