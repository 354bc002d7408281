"""A QR code on a step screen, photographed from the real window and decoded by zbarimg, gives the configured URL."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from content.schema import SITE_PLACEHOLDER
from kiosk.guide import GuideState, Show
from kiosk.guide.state import Place
from kiosk.ui.pilot import screenshot

pytestmark = pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (Debian zbar-tools) not installed")


def decode(png) -> list[str]:
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=30)
    return [line for line in out.stdout.splitlines() if line]


def show(driver, state: GuideState) -> None:
    driver.runtime.state = state
    driver.runtime.carry_out([Show(driver.kiosk.guide.view(state))])


def test_qr_step_screenshot_decodes_to_the_site_url(driver, tmp_path):
    guide, site_values = driver.kiosk.guide, driver.kiosk.config.site_values
    found = [
        (pid, step.id, SITE_PLACEHOLDER.fullmatch(step.qr.url).group(1))
        for pid, p in sorted(guide.procedures.items())
        for step in p.steps
        if step.qr
        and SITE_PLACEHOLDER.fullmatch(step.qr.url)
        and SITE_PLACEHOLDER.fullmatch(step.qr.url).group(1) in site_values
    ]
    assert found, "no shipped step has a QR code pointing at a configured site page"
    pid, sid, name = found[0]
    for size in ("standard", "largest"):
        show(driver, GuideState(place=Place("step", pid, sid), session_id="qr-test-session", text_size=size))
        assert decode(screenshot(tmp_path / f"qr-{size}.png")) == [site_values[name]]


def test_done_screen_carries_the_take_home_handout_qr(driver, tmp_path):
    guide = driver.kiosk.guide
    pid, step = next(
        (pid, s) for pid, p in sorted(guide.procedures.items()) for s in p.steps if s.end and s.end.kind == "done"
    )
    show(driver, GuideState(place=Place("step", pid, step.id), session_id="qr-test-session", language="en"))
    assert decode(screenshot(tmp_path / "done.png")) == [f"https://helpdesk.example.jp/handouts/{pid}?lang=en"]


def test_a_screen_without_qr_decodes_to_nothing(driver, tmp_path):
    driver.touch("begin")
    assert decode(screenshot(tmp_path / "catalog.png")) == []
