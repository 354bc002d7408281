"""The card check on the real PC/SC stack: pcscd + the vpcd virtual reader + an emulated マイナンバーカード, read by
pyscard, then the whole kiosk window walking each case (screenshots in $YORISOI_SHOTS or the test's tmp folder)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path

import pytest

from kiosk.card import PcscCardReader
from tests.kiosk.card_stack import CardProfile, PcscStack, stack_problem
from tests.kiosk.conftest import FakeHelpdesk, mounted_kiosk

TODAY = dt.date(2026, 12, 2)
EXPIRED = dt.datetime(2025, 3, 31, 14, 59, 59, tzinfo=dt.UTC)

CASES = {
    "three-left": (CardProfile(auth_left=3, text_left=3), "read"),
    "two-left": (CardProfile(auth_left=2, text_left=2), "read"),
    "one-left": (CardProfile(auth_left=1, text_left=3, sign_left=4), "read"),
    "locked": (CardProfile(auth_left=0, text_left=0, sign_left=0), "read"),
    "expired": (CardProfile(not_after=EXPIRED), "read"),
    "not-mynumber": (CardProfile(mynumber=False), "not-mynumber"),
    "chip-silent": (CardProfile(mute=True), "no-answer"),
    "pulled-out": (CardProfile(pull_after=3), "removed"),
}


@pytest.fixture(scope="module")
def pcsc():
    """pcscd in the foreground with one virtual reader, for this module's tests only."""
    problem = stack_problem()
    if problem:
        pytest.skip(f"the real PC/SC stack cannot run here: {problem}")
    stack = PcscStack().start()
    try:
        yield stack
    finally:
        stack.stop()


def check_once(stack: PcscStack, profile: CardProfile):
    """Place a card shortly after the reader starts waiting; read it; take it away."""
    reader = PcscCardReader()
    placed: list = []
    timer = threading.Timer(0.2, lambda: placed.append(stack.place(profile)))
    timer.start()
    deadline = time.monotonic() + 20
    outcome = reader.check(TODAY, lambda: time.monotonic() > deadline, lambda: None)
    timer.join()
    card = placed[0]
    card.remove()
    assert reader.wait_removed(lambda: time.monotonic() > deadline)
    return outcome, card


def test_reader_is_listed(pcsc):
    status = PcscCardReader().status()
    assert status.connected and "Virtual PCD" in status.name


@pytest.mark.parametrize("case", list(CASES))
def test_each_card_through_pcscd(pcsc, case):
    profile, expected = CASES[case]
    outcome, card = check_once(pcsc, profile)
    assert outcome.outcome == expected, pcsc.log()[-2000:]
    assert card.pin_bearing() == []  # never a PIN, never a PIN change
    assert {c[1] for c in card.commands} <= {0xA4, 0x20, 0xB0}
    assert all(len(c) == 4 for c in card.commands if c[1] == 0x20)  # VERIFY: header only, Lc absent
    if expected != "read":
        assert outcome.reading is None
        return
    left = {p.pin: p.left for p in outcome.reading.pins}
    assert left == {"auth": profile.auth_left, "text": profile.text_left, "sign": profile.sign_left}
    assert outcome.reading.certificate_expired is (case == "expired")
    assert card.counters == {"auth": profile.auth_left, "text": profile.text_left, "sign": profile.sign_left}


# --- the kiosk window walks each case ---------------------------------------------------------------------------
RESULT_TITLES = {
    "read": "暗証番号の残り回数",
    "not-mynumber": "マイナンバーカードではないようです",
    "no-answer": "カードのICチップが読み取れません",
    "removed": "カードが離れました",
}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("YORISOI_SHOTS") or tmp_path_factory.mktemp("card-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def walk_case(d, pcsc, profile: CardProfile, name: str, shots: Path):
    from kiosk.ui.pilot import screenshot

    d.wait_for(lambda: "card-check" in d.button_ids(), frames=600)
    screenshot(shots / "card-start.png")
    d.touch("card-check")
    d.wait_for(lambda: d.view.screen == "card")
    screenshot(shots / "card-waiting.png")
    card = pcsc.place(profile)
    d.wait_for(lambda: d.view.title in RESULT_TITLES.values(), frames=800)
    screenshot(shots / f"card-{name}.png")
    card.remove()
    return card


EVENT_CODES = {
    "three-left": "pin4-3-left",
    "two-left": "pin4-2-left",
    "one-left": "pin4-1-left",
    "locked": "pin4-locked",
    "expired": "pin4-3-left",
    "not-mynumber": "not-mynumber",
    "chip-silent": "no-answer",
    "pulled-out": "removed",
}


@pytest.mark.parametrize("case", list(CASES))
def test_kiosk_window_walks_each_case(pcsc, window, kiosk_config, shots, case, caplog):
    caplog.set_level(logging.DEBUG)
    profile, expected = CASES[case]
    helpdesk = FakeHelpdesk()
    with mounted_kiosk(window, kiosk_config, helpdesk) as d:
        card = walk_case(d, pcsc, profile, case, shots)
        text = d.view.all_text()
        spoken = " ".join(s[0] for s in d.speaker.said)
        assert d.view.title == RESULT_TITLES[expected]
        if case == "one-left":
            sentence = "4桁の暗証番号は、あと1回まちがえるとロックされます。自信がないときは、入力しないで係の人を呼んでください"
            assert sentence in text and sentence in spoken
            assert "card-call" in d.button_ids()
        if case == "locked":
            assert "ロックされています" in text and "マイナンバーカードを持っていってください" in text
        if case == "expired":
            assert "有効期限が切れています" in text
        d.touch("card-done")
        d.wait_for(lambda: d.view.screen == "catalog")
        assert d.runtime.state.card is None  # leaving the screen forgets the card
        d.kiosk.courier.heartbeat(
            kiosk_version="t", content_version="t", voice_available=False, card_reader="connected"
        )
    assert card.pin_bearing() == []
    events = outbox_bodies(kiosk_config.outbox_file, "event") + [e.model_dump(mode="json") for e in helpdesk.events]
    card_events = [e for e in events if e["action"] == "card-check"]
    assert {e["outcome"] for e in card_events} == {EVENT_CODES[case]}
    assert_nothing_of_the_card_left(card, kiosk_config.outbox_file, events, caplog.text)
    beats = outbox_bodies(kiosk_config.outbox_file, "heartbeat") + [b.model_dump(mode="json") for b in helpdesk.beats]
    assert [b["card_reader"] for b in beats] == ["connected"]  # the reader's state, nothing of the card


def outbox_bodies(path, kind: str) -> list[dict]:
    """Every item of a kind in the kiosk's SQLite outbox, delivered or not."""
    import json
    import sqlite3

    with sqlite3.connect(path) as db:
        return [json.loads(body) for (body,) in db.execute("SELECT body FROM items WHERE kind = ?", (kind,))]


def assert_nothing_of_the_card_left(card, outbox_file, events, logs: str) -> None:
    """Only the pseudonymous card-check event leaves the screen: no certificate byte, serial or name anywhere."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(card.cert)
    marks = [card.cert[-32:].hex(), f"{cert.serial_number:x}", str(cert.serial_number), "emulated JPKI auth"]
    stored = b"".join(
        Path(f"{outbox_file}{tail}").read_bytes() for tail in ("", "-wal") if Path(f"{outbox_file}{tail}").exists()
    )
    assert card.cert[-32:] not in stored
    for mark in marks:
        assert mark.encode() not in stored and mark not in logs
    # the session event fields (the content version is which guide the kiosk ran, nothing of the resident)
    allowed = {"event_id", "session_id", "kiosk_id", "procedure_id", "step_id", "action", "seconds", "outcome", "at"}
    allowed.add("content_version")
    for event in events:
        assert set(event) <= allowed
        assert not any(mark in str(value) for value in event.values() for mark in marks)


def test_maintenance_screen_shows_the_reader(pcsc, window, kiosk_config):
    from kiosk.app import open_maintenance
    from kiosk.ui.pilot import touch

    with mounted_kiosk(window, kiosk_config, FakeHelpdesk()) as d:
        d.wait_for(lambda: "card-check" in d.button_ids(), frames=600)
        open_maintenance(d.kiosk, d.window)
        panel = next(w for w in d.window.children if type(w).__name__ == "MaintenancePanel")
        for key in "2468":
            touch(panel, f"pin-{key}")
        touch(panel, "pin-OK")
        assert "card reader: connected (Virtual PCD 00 00)" in d.texts()
        touch(panel, "maint-close")
