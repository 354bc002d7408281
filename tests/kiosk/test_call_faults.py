"""A call's edges on real parts (helpdesk on loopback, the kiosk on its real window with aiortc, the console in
headless Chromium): the resident declines (nothing is captured), the session ending ends the call, and a network
cut mid-call is reported on both sides within 5 s."""

from __future__ import annotations

import time

import pytest

from tests.kiosk.test_call_e2e import ask_help, browser, staff_page, tones, wait_until, world  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def ring_and_answer(driver, page) -> None:  # type: ignore[no-untyped-def]
    page.click("#call-btn")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "ringing", driver)
    driver.touch("call-accept")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "in-call", driver)


def test_declined_call_never_opens_the_microphone(world, browser):  # noqa: F811
    driver, seed, base_url = world
    page = staff_page(browser, seed, base_url, ask_help(driver))
    page.click("#call-btn")
    wait_until(lambda: driver.view.call is not None and driver.view.call.status == "ringing", driver)
    driver.touch("call-decline")
    page.wait_for_selector("#call-status:has-text('利用者は通話を断りました')", timeout=5_000)
    assert driver.runtime.calls.media is None  # the media stack was never even built
    assert page.locator("#call-btn").is_enabled()
    page.context.close()


def test_session_end_ends_the_call_on_both_sides(world, browser):  # noqa: F811
    driver, seed, base_url = world
    page = staff_page(browser, seed, base_url, ask_help(driver))
    ring_and_answer(driver, page)
    media = driver.runtime.calls.media
    driver.touch("back")  # back to the step: the call goes on over it
    assert driver.view.call is not None
    from kiosk.guide import actions as a

    driver.runtime.dispatch(a.GoHome())  # every way home ends the session
    assert not media.capturing and driver.view.screen == "start"  # the microphone closed at once
    page.wait_for_selector("#call-status:has-text('利用者が通話をおわりました')", timeout=10_000)
    page.context.close()


def test_network_cut_is_reported_on_both_sides_within_5_s(world, browser):  # noqa: F811
    driver, seed, base_url = world
    page = staff_page(browser, seed, base_url, ask_help(driver))
    ring_and_answer(driver, page)
    media = driver.runtime.calls.media
    wait_until(lambda: media.heard.frames > 10, driver)
    # the media path goes dead both ways with no signal sent (as when a cable is pulled): no more audio packets
    page.evaluate("() => window.yorisoiCall._pc().getSenders().forEach((s) => s.replaceTrack(null))")
    media._loop.call_soon_threadsafe(_silence_kiosk, media)
    cut = time.monotonic()
    wait_until(lambda: driver.view.call is None, driver, seconds=8)
    kiosk_s = time.monotonic() - cut
    assert "通話が切れました" in (driver.view.banner or "") and kiosk_s < 5
    page.wait_for_selector(
        "#call-status:has-text('通話が切れました')", timeout=max(100, int((5 - (time.monotonic() - cut)) * 1000))
    )
    assert time.monotonic() - cut < 5
    assert not media.capturing
    page.context.close()


def _silence_kiosk(media) -> None:  # type: ignore[no-untyped-def]
    for sender in media._pc.getSenders():
        sender.replaceTrack(None)
