"""Session events into the (in-memory, not durable) journal; the staff-only maintenance gesture and PIN."""

from __future__ import annotations

from kiosk.guide import Record
from kiosk.link.journal import MemoryJournal, to_wire


def test_records_become_wire_events_without_free_text():
    event = to_wire(Record("abcdef123456", "choice", "konbini-juminhyo", "has-card", 2.5, "yes"), "kita-1")
    assert (event.kiosk_id, event.action, event.outcome, event.seconds) == ("kita-1", "choice", "yes", 2.5)
    assert event.event_id.version == 7 and int(event.event_id.hex[:12], 16) == int(event.at.timestamp() * 1000)
    assert to_wire(Record("abcdef123456", "help-asked", value="offer:idle-long"), "k").outcome is None
    assert to_wire(Record("abcdef123456", "language", value="山田太郎"), "k").outcome is None
    assert to_wire(Record("", "session-start"), "k") is None


def test_memory_journal_take_and_return_keep_order():
    journal = MemoryJournal("kita-1", capacity=3)
    for i in range(4):
        journal.record(Record("abcdef123456", "step-shown", step_id=f"s{i}"))
    assert journal.pending() == 3  # bounded: the oldest went
    taken = journal.take(2)
    assert [e.step_id for e in taken] == ["s1", "s2"] and journal.pending() == 1
    journal.returned(taken)
    assert [e.step_id for e in journal.take()] == ["s1", "s2", "s3"]


def test_runtime_records_session_events_and_the_courier_delivers_them(driver):
    driver.touch("begin")
    driver.wait_for(lambda: driver.helpdesk.events)
    assert driver.helpdesk.events[0].action == "session-start"
    assert driver.helpdesk.events[0].kiosk_id == "test-kiosk"
    driver.wait_for(lambda: driver.kiosk.journal.pending() == 0)


def corner_touches(driver, count: int) -> None:
    from kiosk.ui.pilot import touch

    for _ in range(count):
        touch(driver.screen, pos=(20, driver.window.height - 20))


def maintenance_panel(driver):
    from kiosk.ui.maintenance import MaintenancePanel

    return next((w for w in driver.window.children if isinstance(w, MaintenancePanel)), None)


def test_corner_gesture_then_pin_opens_the_status(driver):
    from kiosk.app import open_maintenance
    from kiosk.ui.pilot import touch

    driver.screen.on_corner = lambda: open_maintenance(driver.kiosk, driver.window)
    corner_touches(driver, 4)
    assert maintenance_panel(driver) is None
    corner_touches(driver, 1)
    panel = maintenance_panel(driver)
    assert panel is not None and "test-kiosk" not in driver.texts()
    for key in "2468":
        touch(panel, f"pin-{key}")
    touch(panel, "pin-OK")
    text = driver.texts()
    assert "test-kiosk" in text and "テスト公民館" in text and "outbox" in text and "procedures" in text
    touch(panel, "maint-close")
    assert maintenance_panel(driver) is None


def test_wrong_pin_closes_the_panel(driver):
    from kiosk.app import open_maintenance
    from kiosk.ui.pilot import touch

    driver.screen.on_corner = lambda: open_maintenance(driver.kiosk, driver.window)
    corner_touches(driver, 5)
    panel = maintenance_panel(driver)
    for key in "1111":
        touch(panel, f"pin-{key}")
    touch(panel, "pin-OK")
    assert maintenance_panel(driver) is None and "test-kiosk" not in driver.texts()


def test_an_event_the_wire_would_refuse_is_dropped_not_raised():
    journal = MemoryJournal("kita-1")
    journal.record(Record("abcdef123456", "Not A Code"))
    journal.record(Record("abcdef123456", "step-shown", seconds=1e9))
    assert journal.pending() == 1 and journal.take()[0].seconds == 86_400.0
