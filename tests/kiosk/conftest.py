"""Kiosk UI fixtures: one real Kivy window per test session (Kivy cannot make a second), fakes for speed."""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
from collections.abc import Iterator

import pytest

from helpdesk.wire import (
    EscalationRequest,
    EscalationStatus,
    EventBatchResult,
    HeartbeatAck,
    MessageList,
    StaffMessage,
)
from kiosk.guide.actions import GoHome
from kiosk.link.client import HelpdeskUnreachable

WINDOW_SIZE = (1920, 1080)


class RecordingSpeaker:
    """A Speaker that remembers what it was asked (same interface as voice.Speaker)."""

    def __init__(self):
        self.said: list[tuple[str, str | None, str]] = []
        self.calls: list[str] = []

    def speak(self, text, *, reading=None, lang="ja"):
        self.said.append((text, reading, lang))

    def stop(self):
        self.calls.append("stop")

    def is_speaking(self):
        return False

    def set_rate(self, level):
        self.calls.append(f"rate:{level}")

    def set_volume(self, volume):
        self.calls.append(f"volume:{volume}")

    def reset(self):
        self.calls.append("reset")

    def status(self):
        from voice import VoiceStatus

        return VoiceStatus(True)

    def close(self):
        pass


class FakeHelpdesk:
    """Implements kiosk.link.client.Helpdesk in memory; staff messages are pushed by the test."""

    def __init__(self):
        self.requests: list[tuple[EscalationRequest, str]] = []
        self.cancelled: list[str] = []
        self.inbox: queue.Queue = queue.Queue()
        self.status = "waiting"
        self.reachable = True
        self.lock = threading.Lock()
        self.next_id = 0
        self.events: list = []
        self.beats: list = []
        self.answers: dict[str, tuple[str, object]] = {}

    def _status(self, escalation_id: str) -> EscalationStatus:
        now = dt.datetime.now(dt.UTC)
        position = 2 if self.status == "waiting" else None
        return EscalationStatus(
            id=escalation_id,
            status=self.status,
            position=position,
            estimated_wait_s=240 if position else None,
            created_at=now,
            updated_at=now,
        )

    def create_escalation(self, request, idempotency_key):
        if not self.reachable:
            raise HelpdeskUnreachable("fake: down")
        self.requests.append((request, idempotency_key))
        return self._status(f"esc-{len(self.requests)}")

    def escalation(self, escalation_id):
        return self._status(escalation_id)

    def messages(self, escalation_id, after=0, wait_s=0):
        try:
            kind, text, step_id = self.inbox.get(timeout=min(wait_s, 0.2))
        except queue.Empty:
            return MessageList(messages=[], last_id=after, status=self.status)
        with self.lock:
            self.next_id += 1
            message = StaffMessage(
                id=self.next_id,
                escalation_id=escalation_id,
                sender="staff",
                kind=kind,
                text=text,
                step_id=step_id,
                created_at=dt.datetime.now(dt.UTC),
            )
        return MessageList(messages=[message], last_id=self.next_id, status=self.status)

    def cancel(self, escalation_id):
        self.cancelled.append(escalation_id)
        self.status = "cancelled"
        return self._status(escalation_id)

    def send_events(self, batch):
        if not self.reachable:
            raise HelpdeskUnreachable("fake: down")
        new = [e for e in batch.events if e.event_id not in {x.event_id for x in self.events}]
        self.events.extend(new)
        return EventBatchResult(accepted=len(new), duplicates=len(batch.events) - len(new))

    def answer(self, escalation_id, answer, idempotency_key):
        if not self.reachable:
            raise HelpdeskUnreachable("fake: down")
        self.answers.setdefault(idempotency_key, (escalation_id, answer))
        return StaffMessage(
            id=len(self.answers),
            escalation_id=escalation_id,
            sender="kiosk",
            kind="text",
            answer=answer.answer,
            answers=answer.question_id,
            created_at=dt.datetime.now(dt.UTC),
        )

    def heartbeat(self, beat):
        if not self.reachable:
            raise HelpdeskUnreachable("fake: down")
        self.beats.append(beat)
        return HeartbeatAck(server_time=dt.datetime.now(dt.UTC), site_id="s", site_name="テスト")


@pytest.fixture(scope="session")
def window():
    """The one offscreen Kivy window (SDL offscreen driver when DISPLAY is unset), 1920×1080."""
    from kiosk.ui.pilot import open_window

    return open_window(WINDOW_SIZE)


class Driver:
    """A kiosk on the real window, driven by touches at button centres."""

    def __init__(self, kiosk, window, speaker, helpdesk):
        self.kiosk, self.window, self.speaker, self.helpdesk = kiosk, window, speaker, helpdesk
        self.screen, self.runtime = kiosk.screen, kiosk.runtime

    @property
    def view(self):
        return self.screen.view

    def touch(self, button_id: str) -> None:
        from kiosk.ui.pilot import touch

        touch(self.screen, button_id)

    def button_ids(self) -> list[str]:
        from kiosk.ui.pilot import walk

        return [w.button_id for w in walk(self.screen) if hasattr(w, "button_id")]

    def texts(self) -> str:
        """Every piece of text anywhere in the window's widget tree."""
        from kiosk.ui.pilot import walk

        return "\n".join(getattr(w, "text", "") or "" for root in self.window.children for w in walk(root))

    def wait_for(self, predicate, frames: int = 200) -> None:
        """Advance frames until `predicate()` holds (background results arrive through the Kivy clock)."""
        import time

        from kiosk.ui.pilot import frames as advance

        for _ in range(frames):
            if predicate():
                return
            advance(1)
            time.sleep(0.01)
        raise AssertionError("condition not reached")


@pytest.fixture
def kiosk_config(tmp_path):
    from kiosk.config import hash_pin, parse_config

    return parse_config(
        {
            "site": "テスト公民館",
            "kiosk_id": "test-kiosk",
            "helpdesk_url": "http://127.0.0.1:9",
            "outbox_file": str(tmp_path / "outbox.sqlite3"),
            "fallback_phone": "0120-123-456",
            "timeouts": {"idle_warning_s": 60, "warning_grace_s": 30, "help_fallback_after_s": 60},
            "site_values": {
                "counter_hours": "平日9時から17時",
                "facility_reservation_url": "https://yoyaku.city.example.jp/shisetsu",
                "library_url": "https://lib.city.example.jp/yoyaku",
            },
            "handout_url": "https://helpdesk.example.jp/handouts/{procedure}?lang={language}",
            "voice": False,
            "maintenance": {"pin_sha256": hash_pin("2468")},
        }
    )


@contextlib.contextmanager
def mounted_kiosk(window, config, helpdesk="default") -> Iterator[Driver]:
    """A fresh kiosk built from `config` on the session's window (the previous one's widgets are removed), running
    until the block ends; by default with the real helpdesk client the configuration names."""
    from kiosk.assembly import build_kiosk
    from kiosk.ui.pilot import frames

    for child in list(window.children):
        window.remove_widget(child)
    speaker = RecordingSpeaker()
    kiosk = build_kiosk(config, helpdesk=helpdesk, speaker=speaker, size=tuple(window.size))
    window.add_widget(kiosk.screen)
    kiosk.screen.size = tuple(window.size)
    kiosk.runtime.start()
    frames(2)
    try:
        yield Driver(kiosk, window, speaker, kiosk.runtime.helpdesk)
    finally:
        kiosk.runtime.dispatch(GoHome())
        kiosk.close()
        window.remove_widget(kiosk.screen)


@pytest.fixture
def driver(window, kiosk_config):
    """A fresh kiosk with a fake helpdesk on the session's window."""
    with mounted_kiosk(window, kiosk_config, FakeHelpdesk()) as d:
        yield d
