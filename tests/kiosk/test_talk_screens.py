"""The answer, question and pointer screens photographed from the real window at all three text sizes: the ring
is really drawn round the element (red pixels just outside its box) and nothing else moves. PNGs go to
test-artifacts/kiosk/ for a person to look at."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from kiosk.guide import GuideState, Show
from kiosk.guide.state import Escalation, Place
from kiosk.ui.pilot import screenshot
from kiosk.ui.pointer import RING_COLOUR

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "kiosk"
SIZES = ("standard", "large", "largest")


def show(driver, state: GuideState) -> None:
    driver.runtime.state = state
    driver.runtime.carry_out([Show(driver.kiosk.guide.view(state))])


def base(size: str) -> GuideState:
    esc = Escalation("screen-unclear", status="claimed", messages=("右下の「はい」を押してください",))
    return GuideState(session_id="screens-session-1", text_size=size, escalation=esc)


def ring_pixels(png: Path, box, window_h: int) -> int:
    """Ring-coloured pixels in a band just outside `box` (Kivy's y is from the bottom)."""
    image = Image.open(png).convert("RGB")
    x, y, w, h = box
    top = window_h - (y + h)
    want = tuple(int(RING_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    count = 0
    for px in range(int(x - 60), int(x + w + 60), 3):
        for py in (int(top - 30), int(top + h + 30)):
            if 0 <= px < image.width and 0 <= py < image.height:
                r, g, b = image.getpixel((px, py))
                count += abs(r - want[0]) + abs(g - want[1]) + abs(b - want[2]) < 60
    return count


@pytest.mark.parametrize("size", SIZES)
def test_answer_question_and_pointer_screens(driver, size):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    state = base(size)
    show(driver, replace(state, place=Place("waiting")))
    assert {"answer-understood", "answer-done", "answer-say-again", "answer-not-understood"} <= set(driver.button_ids())
    screenshot(ARTIFACTS / f"answers-{size}.png")
    question = replace(state.escalation, question=3, messages=("カードは手元にありますか",))
    show(driver, replace(state, place=Place("waiting"), escalation=question))
    assert {"answer-yes", "answer-no", "return"} <= set(driver.button_ids())
    screenshot(ARTIFACTS / f"question-{size}.png")

    pid = "konbini-juminhyo"
    step = driver.kiosk.catalog.procedures[pid].first_step
    pointed = replace(state, place=Place("step", pid, step), pointer="choice-yes")
    show(driver, pointed)
    assert driver.screen.ring is not None
    png = screenshot(ARTIFACTS / f"pointer-{size}.png")
    assert ring_pixels(png, driver.screen.element_boxes["choice-yes"], driver.window.height) > 20
    show(driver, replace(pointed, pointer=None))
    assert driver.screen.ring is None
    assert (
        ring_pixels(
            screenshot(ARTIFACTS / f"no-pointer-{size}.png"),
            driver.screen.element_boxes["choice-yes"],
            driver.window.height,
        )
        == 0
    )


@pytest.mark.parametrize("size", SIZES)
def test_ringing_and_in_call_screens(driver, size):
    from kiosk.guide.state import Call

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pid = "konbini-juminhyo"
    step = driver.kiosk.catalog.procedures[pid].first_step
    on_step = replace(base(size), place=Place("step", pid, step))
    show(driver, replace(on_step, call=Call("c" * 32)))
    assert {"call-accept", "call-decline"} <= set(driver.button_ids())
    assert "係の人と話しますか" in driver.texts()
    screenshot(ARTIFACTS / f"call-ringing-{size}.png")
    show(driver, replace(on_step, call=Call("c" * 32, status="in-call")))
    ids = set(driver.button_ids())
    assert "call-end" in ids and "choice-yes" in ids  # the step stays usable under the call
    assert "通話中" in driver.texts()
    screenshot(ARTIFACTS / f"call-in-call-{size}.png")
    show(driver, replace(on_step, call=Call("c" * 32, status="in-call"), pointer="choice-yes"))
    screenshot(ARTIFACTS / f"call-in-call-pointer-{size}.png")
