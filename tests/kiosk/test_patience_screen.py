"""The calm check-in on the real kiosk window: a resident busy on their own phone sees and hears "take your time",
the screen stays as it was, and the usual warning and wipe still come when nobody returns."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.ui.pilot import screenshot
from tests.kiosk.screen_sweep import layout_problems
from tests.kiosk.test_screens import open_procedure

CHECK_IN = "ゆっくりで大丈夫です。この画面のまま、お待ちしています。"


def test_a_phone_step_checks_in_on_screen_and_aloud_at_the_largest_size(driver, tmp_path):
    open_procedure(driver, "mynaportal-login")
    driver.touch("choice-yes")  # a phone that reads the card
    driver.touch("choice-no")  # not a face-authentication card
    assert driver.runtime.state.place.step_id == "install-app"
    driver.touch("size")
    driver.touch("size")
    assert driver.view.text_size == "largest"
    driver.speaker.said.clear()
    driver.runtime.tick(61)  # the kiosk's usual limit (60 s in this configuration): a check-in, not a warning
    assert driver.view.overlay is None and driver.view.banner == CHECK_IN
    assert CHECK_IN in driver.texts()
    assert [said for said, _reading, _lang in driver.speaker.said] == [CHECK_IN]
    assert driver.runtime.state.place.step_id == "install-app"
    assert layout_problems(driver.screen, driver.view, (1920, 1080)) == []
    shot = screenshot(Path(os.environ.get("YORISOI_SHOTS", tmp_path)) / "patience-check-in.png")
    assert shot.stat().st_size > 10_000

    driver.runtime.tick(540)  # 600 s without a touch: the usual warning with つづける
    assert driver.view.overlay is not None and "つづける" in driver.texts()
    driver.runtime.tick(31)
    assert driver.view.screen == "start" and CHECK_IN not in driver.texts()
