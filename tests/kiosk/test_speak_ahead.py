"""The runtime asks the speaker to prepare the screens one touch away, so their speech starts without synthesis."""

from __future__ import annotations

from .conftest import RecordingSpeaker


class PreparingSpeaker(RecordingSpeaker):
    """Remembers what it was asked to prepare as well as what it was asked to say."""

    def __init__(self):
        super().__init__()
        self.prepared: list[tuple[str, str | None, str]] = []

    def prepare(self, text, *, reading=None, lang="ja"):
        self.prepared.append((text, reading, lang))


def test_the_next_screens_speech_was_prepared_before_the_touch(driver):
    speaker = driver.runtime.speaker = PreparingSpeaker()
    driver.touch("begin")
    pid = next(pid for pid, p in sorted(driver.kiosk.guide.procedures.items()) if p.steps[0].next)
    while f"card-{pid}" not in driver.button_ids():
        driver.touch("next-page")
    driver.touch(f"card-{pid}")  # the catalog's many cards are not rendered ahead: steps are
    for _ in range(3):
        if "next" not in {b.id for b in driver.view.buttons}:
            break
        prepared = list(speaker.prepared)
        driver.touch("next")
        assert speaker.said[-1] in prepared  # what the new step says had been rendered ahead
    assert len(speaker.prepared) >= 3


def test_a_speaker_without_prepare_is_fine(driver):
    driver.touch("begin")  # RecordingSpeaker has no prepare(): the kiosk only speaks
    assert driver.view.screen == "catalog"
