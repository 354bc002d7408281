"""Worker threads around the reader: one card check session while the card screen is open, and a monitor that says
when a reader is plugged in or out. Callbacks run on the worker thread: the runtime posts them to the UI thread."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from kiosk.card.reader import CardOutcome, ReaderStatus

log = logging.getLogger(__name__)

MONITOR_S = 2.0
"""How often the monitor asks pcscd for its readers (a local socket call of a few milliseconds)."""


class CardReader(Protocol):
    """What the watchers need of a reader (`PcscCardReader`)."""

    def status(self) -> ReaderStatus: ...
    def check(self, today: dt.date, cancelled: Callable[[], bool], on_card: Callable[[], None]) -> CardOutcome: ...
    def wait_removed(self, cancelled: Callable[[], bool]) -> bool: ...


class CardWatch:
    """Reads every card placed on the reader until `stop()`; between cards, waits for the last one to be taken away."""

    def __init__(
        self,
        reader: CardReader,
        on_placed: Callable[[], None],
        on_outcome: Callable[[CardOutcome], None],
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ):
        self.reader, self.on_placed, self.on_outcome, self.today = reader, on_placed, on_outcome, today
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="card-watch")

    def start(self) -> CardWatch:
        """Begin watching (returns self)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop soon (within the reader's poll interval); nothing more is reported."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        """True once stop() was called."""
        return self._stopped.is_set()

    def _run(self) -> None:
        try:
            while not self.stopped:
                outcome = self.reader.check(self.today(), self._stopped.is_set, self._placed)
                if self.stopped or outcome.outcome == "cancelled":
                    return
                self.on_outcome(outcome)
                del outcome  # the counts go to the screen only: nothing of the card stays in this thread
                if not self.reader.wait_removed(self._stopped.is_set):
                    return
        except Exception as exc:  # a reader failure must never take the kiosk down
            log.warning("card watch stopped: %s", type(exc).__name__)
            if not self.stopped:
                self.on_outcome(CardOutcome("reader-error"))

    def _placed(self) -> None:
        if not self.stopped:
            self.on_placed()


class ReaderMonitor:
    """Polls the reader's status and calls `on_change(status)` when it changes (and once at the start)."""

    def __init__(self, reader: CardReader, on_change: Callable[[ReaderStatus], None], every_s: float = MONITOR_S):
        self.reader, self.on_change, self.every_s = reader, on_change, every_s
        self.status: ReaderStatus | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="card-reader-monitor")

    def start(self) -> ReaderMonitor:
        """Begin polling (returns self)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling."""
        self._stopped.set()

    def poll(self) -> ReaderStatus:
        """Ask once now; report a change."""
        status = self.reader.status()
        if status != self.status:
            self.status = status
            self.on_change(status)
        return status

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.poll()
            except Exception as exc:
                log.warning("card reader status failed: %s", type(exc).__name__)
            self._stopped.wait(self.every_s)
