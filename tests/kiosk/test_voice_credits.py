"""The maintenance screen names the engine speaking each language and credits the Mei voice (CC BY 3.0), where a
municipality's staff look."""

from __future__ import annotations

import os
from pathlib import Path

from .test_journal_and_maintenance import corner_touches, maintenance_panel


def test_maintenance_shows_engines_and_the_mei_credit(driver, tmp_path: Path):
    import voice
    from kiosk.app import open_maintenance
    from kiosk.ui.pilot import screenshot, touch

    speaker = voice.create_speaker(player="silent")
    driver.runtime.speaker = speaker
    try:
        driver.screen.on_corner = lambda: open_maintenance(driver.kiosk, driver.window)
        corner_touches(driver, 5)
        panel = maintenance_panel(driver)
        for key in "2468":
            touch(panel, f"pin-{key}")
        touch(panel, "pin-OK")
        text = driver.texts()
        assert "ja: openjtalk, ja-easy: openjtalk, en: espeak-ng" in text
        assert 'HTS Voice "Mei"' in text and "CC BY 3.0" in text
        shot = Path(os.environ.get("YORISOI_SCREENSHOTS", tmp_path)) / "maintenance-voice.png"
        assert screenshot(shot).stat().st_size > 10_000
        touch(panel, "maint-close")
    finally:
        speaker.close()
