"""Where a procedure goes on away from the kiosk (the コンビニ copier, a counter), its end screen offers the steps to
take along: a QR code to the handout, labelled, and a line saying paper is available from staff."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from content.loader import load_catalog
from kiosk.guide import Guide, GuideSettings, GuideState
from kiosk.guide.state import Place
from kiosk.ui.pilot import screenshot
from tests.kiosk.screen_sweep import layout_problems

HANDOUT = "https://helpdesk.example.jp/handouts/{procedure}?lang={language}"
CATALOG = load_catalog()


def end_view(step_id: str, procedure_id: str = "konbini-juminhyo", *, handout: str | None = HANDOUT, lang="ja"):
    guide = Guide(CATALOG.procedures, GuideSettings(handout_url=handout))
    state = GuideState(session_id="s", language=lang, place=Place("step", procedure_id, step_id))
    return guide.view(state)


def test_the_konbini_end_offers_the_handout_to_take_to_the_store():
    view = end_view("take-all")
    assert view.screen == "done"
    assert view.qr_url == "https://helpdesk.example.jp/handouts/konbini-juminhyo?lang=ja"
    assert view.qr_label == "この手順をスマホで見る"
    assert any(b.kind == "info" and "紙の手順書は係の人にたのめます" in b.text for b in view.blocks)
    en = end_view("take-all", lang="en")
    assert en.qr_url.endswith("lang=en") and any("Staff can print them" in b.text for b in en.blocks)


def test_an_end_reached_on_the_phone_shows_the_handout_without_the_take_along_line():
    view = end_view("end-done", "mynaportal-login")
    assert view.qr_url and view.qr_label
    assert not any("紙の手順書" in b.text for b in view.blocks)


def test_without_a_handout_address_nothing_promises_a_qr_code():
    view = end_view("take-all", handout=None)
    assert view.qr_url is None and not any("QRコード" in b.text for b in view.blocks)


def test_the_take_home_end_screen_fits_on_the_real_window(driver, tmp_path):
    for size in ("standard", "large", "largest"):
        state = GuideState(session_id="s", text_size=size, place=Place("step", "konbini-juminhyo", "take-all"))
        view = driver.kiosk.guide.view(state)
        assert view.qr_url and layout_problems(driver.screen, view, (1920, 1080)) == [], size
    driver.runtime.state = replace(state, text_size="largest")
    driver.screen.show(view, size=(1920, 1080))
    shot = screenshot(Path(os.environ.get("YORISOI_SHOTS", tmp_path)) / "take-home-end.png")
    assert shot.stat().st_size > 10_000
