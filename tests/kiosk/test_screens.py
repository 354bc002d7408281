"""The real kiosk screens driven by touches at button centres on the offscreen Kivy window."""

from __future__ import annotations

from kiosk.guide import actions as a


def branching_procedure(driver) -> tuple[str, str]:
    """A shipped procedure whose step has a question, and that step's id."""
    for pid, procedure in sorted(driver.kiosk.guide.procedures.items()):
        for step in procedure.steps:
            if step.question and len(step.question.choices) >= 2:
                return pid, step.id
    raise AssertionError("no shipped procedure branches")


def open_procedure(driver, pid: str) -> None:
    driver.touch("begin")
    assert driver.view.screen == "catalog"
    while f"card-{pid}" not in driver.button_ids():
        driver.touch("next-page")
    driver.touch(f"card-{pid}")
    assert driver.view.screen == "before"
    driver.touch("next")
    assert driver.view.screen == "step"


def go_to_step(driver, pid: str, step_id: str) -> list[str]:
    """Touch through the procedure (first choice at questions) until `step_id` is on screen."""
    seen = []
    for _ in range(40):
        sid = driver.runtime.state.place.step_id
        seen.append(sid)
        if sid == step_id:
            return seen
        touch_forward(driver, choice_index=0)
    raise AssertionError(f"never reached {step_id}")


def touch_forward(driver, choice_index: int = 0) -> None:
    ids = driver.button_ids()
    if "next" in ids:
        driver.touch("next")
    else:
        choices = [b.id for b in driver.view.buttons if b.role == "choice"]
        driver.touch(choices[choice_index])


def test_whole_procedure_with_a_branch_to_the_end(driver):
    pid, question_step = branching_procedure(driver)
    open_procedure(driver, pid)
    go_to_step(driver, pid, question_step)
    assert any(b.role == "choice" for b in driver.view.buttons)
    progress = []
    for _ in range(40):
        if driver.view.screen in ("done", "counter"):
            break
        progress.append(driver.view.progress)
        assert driver.view.progress in driver.texts()  # 「3 / 7」 drawn, not only in the view
        touch_forward(driver, choice_index=0)
    assert driver.view.screen in ("done", "counter")
    assert driver.view.title in driver.texts()
    driver.touch("finish")
    assert driver.view.screen == "start"
    assert driver.runtime.state.session_id is None


def test_back_through_a_branch_takes_the_other_way(driver):
    pid, question_step = branching_procedure(driver)
    open_procedure(driver, pid)
    go_to_step(driver, pid, question_step)
    step = driver.kiosk.guide.steps[pid][question_step]
    first, second = step.question.choices[0], step.question.choices[1]
    driver.touch(f"choice-{first.id}")
    assert driver.runtime.state.place.step_id == first.next
    driver.touch("back")
    assert driver.runtime.state.place.step_id == question_step
    assert driver.view.title == step.title.get("ja")
    driver.touch(f"choice-{second.id}")
    assert driver.runtime.state.place.step_id == second.next
    expected_title = driver.kiosk.guide.steps[pid][second.next].title.get("ja")
    assert expected_title in driver.texts()


def test_help_waiting_and_a_staff_message_shown_in_large_text(driver):
    pid, _ = branching_procedure(driver)
    open_procedure(driver, pid)
    step_id = driver.runtime.state.place.step_id
    driver.touch("help")
    assert driver.view.screen == "help"
    driver.touch("reason-card-unreadable")
    assert driver.view.screen == "waiting"
    driver.wait_for(lambda: driver.helpdesk.requests)
    request, key = driver.helpdesk.requests[0]
    assert (request.procedure_id, request.step_id, request.reason) == (pid, step_id, "card-unreadable")
    assert len(key) >= 16
    driver.wait_for(lambda: driver.runtime.state.escalation.status == "waiting")
    assert "1人" in driver.texts()  # position 2 → one person ahead
    driver.helpdesk.inbox.put(("text", "いま そちらへ 向かいます", None))
    driver.wait_for(lambda: "いま そちらへ 向かいます" in driver.texts().replace("\n", ""))
    staff_boxes = [w for w in _labels(driver) if "向かいます" in w.text]
    assert staff_boxes and staff_boxes[0].font_size > driver.kiosk.screen.fitted_px["body"]
    assert any("向かいます" in text for text, _, _ in driver.speaker.said)  # spoken too
    driver.touch("return")
    assert driver.view.screen == "step" and driver.view.banner


def test_helpdesk_unreachable_shows_the_fallback(driver):
    driver.helpdesk.reachable = False
    driver.touch("begin")
    driver.touch("help")
    driver.touch("reason-other")
    driver.wait_for(lambda: driver.runtime.state.escalation.status == "unreachable")
    text = driver.texts().replace("\n", "")
    assert "0120-123-456" in text and "窓口" in text


def test_timeout_warning_extend_then_timeout_wipes_everything(driver):
    pid, _ = branching_procedure(driver)
    open_procedure(driver, pid)
    driver.touch("help")
    driver.touch("reason-screen-unclear")
    driver.wait_for(lambda: driver.helpdesk.requests)
    driver.helpdesk.inbox.put(("text", "画面の右下を見てください", None))
    driver.wait_for(lambda: "右下" in driver.texts())
    driver.touch("return")
    session_texts = [driver.view.title, "右下", driver.view.progress]
    driver.runtime.tick(61)
    assert driver.view.overlay is not None
    assert "つづける" in driver.texts()
    driver.touch("continue")
    assert driver.view.overlay is None and "つづける" not in driver.texts()
    driver.runtime.tick(61)
    assert driver.view.overlay is not None
    driver.runtime.tick(31)
    assert driver.view.screen == "start"
    remaining = driver.texts()
    for text in session_texts:
        assert text not in remaining
    assert driver.kiosk.screen.qr_textures == {}
    from kiosk.ui import text

    cached = [t for m in text._MEASURES.values() for t in m._cache]
    assert cached and not any("右下" in t for t in cached)  # no staff message left even in the width cache
    assert driver.runtime.help.escalation_id is None
    assert "reset" in driver.speaker.calls
    driver.wait_for(lambda: driver.helpdesk.cancelled)


def test_text_size_changes_mid_procedure_and_keeps_the_place(driver):
    pid, _ = branching_procedure(driver)
    open_procedure(driver, pid)
    touch_forward(driver)
    place = driver.runtime.state.place
    sizes = []
    for expected in ("large", "largest", "standard"):
        driver.touch("size")
        assert driver.runtime.state.text_size == expected
        assert driver.runtime.state.place == place
        title = next(w for w in _labels(driver) if w.text.replace("\n", "") == driver.view.title)
        sizes.append(title.font_size)
    assert sizes[0] < sizes[1] and sizes[2] < sizes[0]


def test_language_switch_keeps_the_place(driver):
    pid, _ = branching_procedure(driver)
    open_procedure(driver, pid)
    place = driver.runtime.state.place
    driver.touch("language")
    assert driver.runtime.state.language == "ja-easy" and driver.runtime.state.place == place
    driver.touch("language")
    assert driver.runtime.state.language == "en"
    assert driver.kiosk.guide.steps[pid][place.step_id].title.get("en") in driver.texts().replace("\n", " ")


def test_a_touch_stops_speech(driver):
    driver.runtime.dispatch(a.Begin(""))
    driver.speaker.calls.clear()
    driver.touch("repeat")
    assert driver.speaker.calls[0] == "stop" and driver.speaker.said


def _labels(driver):
    from kiosk.ui.pilot import walk
    from kiosk.ui.widgets import TextBox

    return [w for w in walk(driver.screen) if isinstance(w, TextBox)]


class HeardListener:
    """A Listener (voice.Listener interface) that hears つぎへ, or else the first answer of a question."""

    def __init__(self):
        self.grammars = []

    def listen(self, grammar, *, lang="ja", timeout_s=5.0):
        from voice import Recognition

        self.grammars.append((dict(grammar), lang))
        command = "next" if "next" in grammar else next(c for c in grammar if c.startswith("choice-"))
        return Recognition(command, 0.9, grammar[command][0])

    def status(self):
        from voice import VoiceStatus

        return VoiceStatus(True)


def test_push_to_talk_button_dispatches_the_heard_command(driver):
    from tests.kiosk.screen_sweep import layout_problems

    pid, _ = branching_procedure(driver)
    driver.runtime.listener = HeardListener()
    driver.screen.voice_input = True
    open_procedure(driver, pid)
    step = driver.runtime.state.place.step_id
    assert "mic" in driver.button_ids()
    assert not layout_problems(driver.screen, driver.view, (1366, 768))
    driver.screen.show(driver.view, size=tuple(driver.window.size))
    driver.touch("mic")
    driver.wait_for(lambda: driver.runtime.state.place.step_id != step)
    grammar, lang = driver.runtime.listener.grammars[0]
    assert lang == "ja" and {"back", "repeat", "help"} <= set(grammar)


def test_no_push_to_talk_button_without_voice_input(driver):
    driver.touch("begin")
    assert "mic" not in driver.button_ids()
