"""The runtime carries out effects: speech failures never stop the screen, every way home wipes, housekeeping
delivers session events and the heartbeat off the UI thread."""

from __future__ import annotations

import datetime as dt

from helpdesk.wire import EventBatchResult, HeartbeatAck
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


def test_housekeeping_sends_events_and_heartbeat(driver):
    from kiosk.app import housekeeping

    sent, beats = [], []

    def send_events(batch):
        sent.extend(batch.events)
        return EventBatchResult(accepted=len(batch.events), duplicates=0)

    def heartbeat(beat):
        beats.append(beat)
        return HeartbeatAck(server_time=dt.datetime.now(dt.UTC), site_id="s", site_name="テスト")

    driver.helpdesk.send_events, driver.helpdesk.heartbeat = send_events, heartbeat
    driver.touch("begin")
    driver.runtime.dispatch(a.GoHome())
    pending = driver.kiosk.journal.pending()
    assert pending >= 2
    housekeeping(driver.kiosk)
    driver.wait_for(lambda: beats)
    assert [e.action for e in sent][:1] == ["session-start"] and len(sent) == pending
    assert driver.kiosk.journal.pending() == 0
    assert beats[0].content_version == driver.kiosk.content_version and beats[0].outbox_length == 0


def test_housekeeping_keeps_events_when_the_helpdesk_is_down(driver):
    from kiosk.app import housekeeping
    from kiosk.helpdesk_client import HelpdeskUnreachable

    calls = []

    def down(batch):
        calls.append(len(batch.events))
        raise HelpdeskUnreachable("down")

    driver.helpdesk.send_events = down
    driver.touch("begin")
    pending = driver.kiosk.journal.pending()
    housekeeping(driver.kiosk)
    driver.wait_for(lambda: calls and driver.kiosk.journal.pending() == pending)
    assert calls == [pending]


def test_maintenance_status_names_kiosk_voice_and_outbox(driver):
    from kiosk.app import kiosk_status

    status = kiosk_status(driver.kiosk)
    assert status["kiosk"] == "test-kiosk" and status["site"] == "テスト公民館"
    assert "not durable" in " ".join(status) and status["voice in"].startswith("off")
