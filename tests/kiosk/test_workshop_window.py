"""Workshop mode on the real Kivy window: recorded sessions replay as the very screens the resident saw; a trainer
picks one and steps through it by touch and by keys; nothing is recorded, queued or sent."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator

import pytest

from content.loader import load_catalog
from helpdesk.analytics.replay import Moment, Replay, frames, to_export
from helpdesk.analytics.synthetic import Plan, default_plants, generate
from helpdesk.wire import ReplayExport
from kiosk.guide import actions as a
from kiosk.link.journal import MemoryJournal
from kiosk.workshop.frames import check_content, parse_export, screens, workshop_guide

from .conftest import RecordingSpeaker
from .test_workshop import replays_from_events

PROCEDURES = load_catalog().procedures
PID = "konbini-juminhyo"
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
COMPARED = ("screen", "language", "text_size", "title", "blocks", "buttons", "bar", "picture", "progress", "qr_url")
KEY_RIGHT, KEY_LEFT, KEY_DOWN, KEY_SPACE, KEY_ESC, KEY_Q = 275, 276, 274, 32, 27, 113


class CountingServer:
    """A helpdesk address that counts every request it gets (workshop mode must send none)."""

    def __init__(self):
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                outer.requests.append(f"{self.command} {self.path}")
                self.send_response(503)
                self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def helpdesk_address() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


@pytest.fixture
def workshop_config(tmp_path, helpdesk_address):
    """A kiosk configuration that could reach a helpdesk (URL, key, outbox): workshop mode must use none of it."""
    from kiosk.config import parse_config

    key = tmp_path / "kiosk.key"
    key.write_text("k" * 43, encoding="utf-8")
    return parse_config(
        {
            "site": "テスト公民館",
            "kiosk_id": "test-kiosk",
            "helpdesk_url": helpdesk_address.url,
            "key_file": str(key),
            "outbox_file": str(tmp_path / "outbox.sqlite3"),
            "voice": True,
            "site_values": {"konbini_juminhyo_fee": "1通200円", "counter_hours": "平日9時から17時"},
        }
    )


@pytest.fixture
def nothing_may_report(monkeypatch):
    """Any attempt to build a runtime, journal, outbox courier or helpdesk client fails the test at once."""
    import kiosk.link.client
    import kiosk.link.courier
    import kiosk.link.journal
    import kiosk.link.outbox
    import kiosk.runtime

    def refuse(*_args, **_kw):
        raise AssertionError("workshop mode reached for a way to record or send")

    monkeypatch.setattr(kiosk.link.courier.Courier, "__init__", refuse)
    monkeypatch.setattr(kiosk.link.client.HelpdeskClient, "__init__", refuse)
    monkeypatch.setattr(kiosk.link.journal.MemoryJournal, "record", refuse)
    monkeypatch.setattr(kiosk.link.outbox.Outbox, "__init__", refuse)
    monkeypatch.setattr(kiosk.runtime.KioskRuntime, "__init__", refuse)


@pytest.fixture(scope="module")
def synthetic_export() -> ReplayExport:
    drop_at, stuck_at = default_plants(PROCEDURES)
    plan = Plan(seed=4, sessions=400, kiosks={"north-1": "north"}, drop_at=drop_at, stuck_at=stuck_at)
    replays = [r for r in replays_from_events(generate(plan, PROCEDURES).events) if r.procedure_id == PID]
    exported = parse_export(to_export(replays, NOW).model_dump_json())
    assert len(exported.sessions) > 6  # more than two pages of the picker
    return exported


def open_workshop(window, config, export, speaker):
    from kiosk.ui.pilot import frames as advance
    from kiosk.workshop.app import build_workshop
    from kiosk.workshop.window import attach_keyboard

    for child in list(window.children):
        window.remove_widget(child)
    root = build_workshop(config, export, PROCEDURES, speaker=speaker, size=tuple(window.size))
    window.add_widget(root)
    detach = attach_keyboard(window, root)
    advance(2)
    return root, detach


def press(window, key: int) -> None:
    from kiosk.ui.pilot import frames as advance

    window.dispatch("on_key_down", key, 0, None, [])
    advance(1)


def flat(text: str) -> str:
    return text.replace("\n", "")


def test_a_recorded_session_replays_as_the_screens_the_resident_saw(driver) -> None:
    """Drive the real kiosk (back, a larger text size, help, a language change), export what it recorded, and
    replay it: every screen in the workshop is the one the resident saw when it appeared, and says the same."""
    journal = MemoryJournal("test-kiosk")
    driver.runtime.journal = journal
    seen = []
    show = driver.screen.show
    driver.screen.show = lambda view, size=None: (seen.append(view), show(view, size))[1]
    driver.touch("begin")
    while f"card-{PID}" not in driver.button_ids():
        driver.touch("next-page")
    for button in (f"card-{PID}", "next", "choice-yes", "back", "size", "choice-yes", "help", "reason-screen-unclear"):
        driver.touch(button)
    driver.touch("return")
    for button in ("choice-yes", "language", "choice-no", "back", "choice-no", "choice-yes"):
        driver.touch(button)
    driver.runtime.dispatch(a.GoHome())

    events = journal.take(1000)
    start = events[0].at
    moments = tuple(Moment(round((e.at - start).total_seconds(), 1), e.action, e.step_id, e.outcome) for e in events)
    recorded = Replay(events[0].session_id, PID, "ja", "s", start.date(), "home", frames(moments), moments)
    export = parse_export(to_export([recorded], NOW).model_dump_json())
    check_content(export, PROCEDURES)
    replayed = screens(export.sessions[0], workshop_guide(PROCEDURES, driver.kiosk.config.guide_settings()))

    firsts, last = [], None  # the first view of each screen the resident reached (help and waiting aside)
    for view in seen:
        if view.screen in ("before", "step", "done", "counter") and view.place != last:
            firsts.append(view)
        last = view.place
    assert [v.place for v in firsts] == [s.view.place for s in replayed]
    for resident, replay in zip(firsts, replayed, strict=True):
        for name in COMPARED:
            assert getattr(replay.view, name) == getattr(resident, name), (resident.place, name)
    assert {s.view.text_size for s in replayed} == {"standard", "large"}
    assert {s.view.language for s in replayed} == {"ja", "ja-easy"}
    said = {text for text, _reading, _lang in driver.speaker.said}
    assert all(s.speech in said for s in replayed)
    help_frame = next(s for s in replayed if any("係の人を呼んだ(画面がわからない)" in e for e in s.caption.events))
    assert "もどる" in help_frame.caption.line()


def test_trainer_picks_a_session_and_steps_through_it_without_any_traffic(
    window, workshop_config, synthetic_export, helpdesk_address, nothing_may_report, tmp_path
) -> None:
    from kiosk.ui.pilot import find_button, screenshot, touch, walk
    from kiosk.ui.widgets import TextBox

    speaker = RecordingSpeaker()
    root, detach = open_workshop(window, workshop_config, synthetic_export, speaker)
    shots = tmp_path / "shots"
    shots.mkdir()
    try:
        assert root.mode == "list"
        assert {w.button_id for w in walk(root) if hasattr(w, "button_id")} >= {"session-0", "session-1"}
        listed = "\n".join(flat(getattr(w, "text", "")) for w in walk(root))
        assert PROCEDURES[PID].title.get("ja") in listed and "画面 " in listed
        screenshot(shots / "list.png")

        press(window, KEY_DOWN)
        assert root.selected == 1
        press(window, KEY_SPACE)
        assert root.mode == "replay" and root.session_index == 1
        session = synthetic_export.sessions[1]
        assert root.resident.view == root.frames[0].view and root.frames[0].view.screen == "before"
        expected = f"画面 1 / {len(session.frames)} · " + root.frames[0].caption.line().split(" · ", 1)[1]
        assert "".join(root.caption_box.text.split()) == "".join(expected.split())  # a wrap may eat the space
        with pytest.raises(LookupError):
            find_button(root, "workshop-previous")  # nothing before the first screen

        touch(root, "workshop-next")
        assert root.index == 1
        assert root.resident.view.place == f"step:{PID}:{session.frames[1].step_id}"
        assert flat(root.caption_box.text).startswith(f"画面 2 / {len(session.frames)} · この画面に ")
        assert speaker.said[-1] == (root.frames[1].speech, root.frames[1].reading, session.language)
        screenshot(shots / "frame-2.png")

        press(window, KEY_RIGHT)
        assert root.index == 2 and root.resident.view == root.frames[2].view
        press(window, KEY_LEFT)
        touch(root, "workshop-previous")
        assert root.index == 0

        # the resident's own buttons on the stage are a picture: touching 係の人を呼ぶ there does nothing
        touch(root, "workshop-next")
        help_button = find_button(root.resident, "help")
        stage = root.resident.parent
        before = (root.index, root.resident.view, len(speaker.said))
        touch(root, pos=stage.to_parent(*help_button.center))
        assert (root.index, root.resident.view, len(speaker.said)) == before

        # legible on a projector: no trainer text under 28 px at 1920×1080
        stage_widgets = set(map(id, walk(stage)))
        sizes = [w.font_size for w in walk(root) if isinstance(w, TextBox) and id(w) not in stage_widgets]
        assert min(sizes) >= 28

        press(window, KEY_ESC)
        assert root.mode == "list" and root.selected == 1
        quit_asked: list[bool] = []
        root.on_quit = lambda: quit_asked.append(True)
        press(window, KEY_Q)
        assert quit_asked == [True]
    finally:
        detach()
        root.close()
        window.remove_widget(root)
    assert helpdesk_address.requests == []
    assert not (tmp_path / "outbox.sqlite3").exists()
    assert (shots / "list.png").stat().st_size > 10_000 and (shots / "frame-2.png").stat().st_size > 10_000


def test_auto_play_moves_on_by_itself_at_four_times_speed_and_stops_at_the_end(
    window, workshop_config, nothing_may_report
) -> None:
    import time

    from kiosk.ui.pilot import find_button, touch
    from kiosk.ui.pilot import frames as advance

    short = ReplayExport.model_validate(
        {
            "exported_at": NOW.isoformat(),
            "sessions": [
                {
                    "session_id": "0123456789abcdef",
                    "procedure_id": PID,
                    "language": "en",
                    "day": "2026-11-20",
                    "outcome": "completed",
                    "frames": [
                        {"step_id": step, "offset_s": 4 * i, "seconds": 4, "moments": []}
                        for i, step in enumerate(("has-card", "know-pin", "go-store"))
                    ],
                }
            ],
        }
    )
    root, detach = open_workshop(window, workshop_config, short, RecordingSpeaker())
    try:
        touch(root, "session-0")
        touch(root, "workshop-auto")
        touch(root, "workshop-auto")
        assert root.speed == 4.0 and find_button(root, "workshop-auto").text == "自動再生: ×4"
        deadline = time.monotonic() + 10
        while root.index < 2 and time.monotonic() < deadline:
            advance(1)
            time.sleep(0.02)
        assert root.index == 2 and root._auto is None  # at the last screen it stops
        assert root.resident.view == root.frames[2].view
    finally:
        detach()
        root.close()
        window.remove_widget(root)
