"""The runtime carries out effects: speech failures never stop the screen, every way home wipes, housekeeping
delivers session events and the heartbeat off the UI thread."""

from __future__ import annotations

from kiosk.guide import actions as a


class BrokenSpeaker:
    """A Speaker whose every call fails (TTS crashed, no audio device)."""

    def __getattr__(self, name):
        def fail(*_args, **_kw):
            raise RuntimeError(f"speaker.{name} failed")

        return fail


def test_a_failing_speaker_never_stops_the_screen(driver):
    driver.runtime.speaker = BrokenSpeaker()
    driver.touch("begin")
    assert driver.view.screen == "catalog" and driver.view.title in driver.texts()
    driver.touch("repeat")
    driver.runtime.dispatch(a.GoHome())
    assert driver.view.screen == "start"


def test_going_home_from_the_back_button_wipes_too(driver):
    driver.touch("begin")
    driver.speaker.calls.clear()
    driver.touch("back")  # back on the first screen of a session = home
    assert driver.view.screen == "start" and driver.runtime.state.session_id is None
    assert "reset" in driver.speaker.calls
    assert "どの手続きをしますか" not in driver.texts()


def test_events_and_heartbeat_reach_the_helpdesk_through_the_courier(driver):
    from kiosk.app import housekeeping

    driver.touch("begin")
    driver.runtime.dispatch(a.GoHome())
    housekeeping(driver.kiosk)
    driver.wait_for(lambda: driver.helpdesk.beats)
    driver.wait_for(lambda: driver.kiosk.journal.pending() == 0)
    actions = [e.action for e in driver.helpdesk.events]
    assert actions[0] == "session-start" and "session-end" in actions
    assert driver.helpdesk.beats[0].content_version == driver.kiosk.content_version


def test_events_wait_durably_while_the_helpdesk_is_down(driver):
    from kiosk.link.outbox import Outbox

    driver.helpdesk.reachable = False
    driver.touch("begin")
    driver.runtime.dispatch(a.GoHome())
    pending = driver.kiosk.journal.pending()
    assert pending >= 2 and driver.helpdesk.events == []
    # what waits is on disk: another process opening the outbox file sees it
    other = Outbox(driver.kiosk.config.outbox_path())
    assert other.pending() == pending
    other.close()


def test_leaving_while_help_is_pending_queues_a_cancellation(driver):
    driver.helpdesk.reachable = False
    driver.touch("begin")
    driver.runtime.dispatch(a.AskHelp("other"))
    driver.runtime.dispatch(a.GoHome())
    driver.helpdesk.reachable = True
    driver.wait_for(lambda: driver.helpdesk.cancelled, frames=1500)
    assert [r.reason for r, _ in driver.helpdesk.requests] == ["other"]
    assert driver.helpdesk.cancelled == ["esc-1"]


def test_maintenance_status_names_kiosk_voice_and_outbox(driver):
    from kiosk.app import kiosk_status

    status = kiosk_status(driver.kiosk)
    assert status["kiosk"] == "test-kiosk" and status["site"] == "テスト公民館"
    assert status["outbox"].endswith("undelivered") and status["voice in"].startswith("off")
