"""The kiosk with real speech engines: the maintenance screen names the engine speaking each language and credits the
Mei voice (CC BY 3.0); もういちど is heard slightly slower; a broken Open JTalk leaves the text and espeak-ng's voice."""

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


def real_speaker(**kw):
    import voice
    from voice.players import SilentPlayer

    player = SilentPlayer(speed=50.0)
    return voice.create_speaker(player=player, **kw), player


def test_repeat_is_heard_slightly_slower(driver):
    speaker, player = real_speaker()
    driver.runtime.speaker = speaker
    try:
        driver.touch("begin")
        assert speaker.wait_idle(30.0)
        driver.touch("repeat")
        assert speaker.wait_idle(30.0)
        first, again = player.played[-2:]
        assert 1.05 < again / first < 1.25
    finally:
        speaker.close()


def test_a_broken_open_jtalk_leaves_text_and_espeak(driver):
    started: list[str] = []
    speaker, _player = real_speaker(openjtalk_module="wave", on_started=started.append)  # imports, is no Open JTalk
    driver.runtime.speaker = speaker
    try:
        driver.touch("begin")
        assert driver.view.screen == "catalog" and driver.view.title in driver.texts()
        assert speaker.wait_idle(30.0)
        assert started and speaker.status().available
        assert "espeak-ng spoke instead" in speaker.voices()["languages"]["ja"]["fallback"]
    finally:
        speaker.close()
