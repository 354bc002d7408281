"""The card reader through PC/SC (pcscd + pyscard): is a reader there, wait for a card, read its retry counters.

Runs on a worker thread (every call blocks for at most `poll_s`). Nothing read from the card is logged or kept:
log lines carry only status codes, and the result holds counts and an expiry flag.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.card.apdu import CardAnswerInvalid, CardReading, NotMyNumberCard, read_card

log = logging.getLogger(__name__)

CONTEXT_ATTEMPTS = 3
REMOVAL_GRACE_MS = 1000
"""After a failed command, how long the reader may take to report the card gone (pcscd polls every 400 ms)."""

OUTCOMES = ("read", "not-mynumber", "no-answer", "removed", "reader-error", "cancelled")
"""How one card check ended: its counts were read, or why not (stable codes the guide engine knows)."""


@dataclass(frozen=True)
class ReaderStatus:
    """Whether a reader is connected, and why not (for the maintenance screen and the heartbeat)."""

    state: str  # connected | absent | error
    name: str = ""
    reason: str = ""

    @property
    def connected(self) -> bool:
        """True when a reader can be used."""
        return self.state == "connected"


@dataclass(frozen=True)
class CardOutcome:
    """One card check's end: an outcome code and, when read, the counts."""

    outcome: str
    reading: CardReading | None = None


class PcscCardReader:
    """The first PC/SC reader whose name contains `name_contains` (empty: any reader)."""

    def __init__(self, name_contains: str = "", poll_s: float = 0.2):
        self.name_contains, self.poll_s = name_contains, poll_s

    def status(self) -> ReaderStatus:
        """Ask pcscd which readers are connected (a few milliseconds; never raises)."""
        try:
            from smartcard import scard
        except ImportError:
            return ReaderStatus("error", reason="pyscard is not installed")
        try:
            with _Context(scard) as ctx:
                name = self._reader(scard, ctx)
        except _PcscError as exc:
            return ReaderStatus("error", reason=exc.reason)
        return ReaderStatus("connected", name) if name else ReaderStatus("absent", reason="no reader connected")

    def check(self, today: dt.date, cancelled: Callable[[], bool], on_card: Callable[[], None]) -> CardOutcome:
        """Wait until a card is placed (or `cancelled()`), tell `on_card`, read it, and say how it went."""
        from smartcard import scard

        try:
            with _Context(scard) as ctx:
                name = self._reader(scard, ctx)
                if not name:
                    return CardOutcome("reader-error")
                if not self._wait(scard, ctx, name, present=True, cancelled=cancelled):
                    return CardOutcome("cancelled")
                on_card()
                return self._read(scard, ctx, name, today)
        except _PcscError as exc:
            log.warning("card reader: %s", exc.reason)
            return CardOutcome("reader-error")

    def wait_removed(self, cancelled: Callable[[], bool]) -> bool:
        """Block until the card is taken away (True) or `cancelled()` (False)."""
        from smartcard import scard

        try:
            with _Context(scard) as ctx:
                name = self._reader(scard, ctx)
                return bool(name) and self._wait(scard, ctx, name, present=False, cancelled=cancelled)
        except _PcscError:
            return True

    # --- PC/SC -------------------------------------------------------------------------------------------------
    def _reader(self, scard, ctx) -> str:
        hresult, readers = scard.SCardListReaders(ctx, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE or (hresult == scard.SCARD_S_SUCCESS and not readers):
            return ""
        _check(scard, hresult, "list readers")
        return next((r for r in readers if self.name_contains in r), "")

    def _wait(self, scard, ctx, name: str, *, present: bool, cancelled: Callable[[], bool]) -> bool:
        state = scard.SCARD_STATE_UNAWARE
        while not cancelled():
            hresult, states = scard.SCardGetStatusChange(ctx, int(self.poll_s * 1000), [(name, state)])
            if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
                _check(scard, hresult, "watch the reader")
            _, state, _atr = states[0]
            if state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                raise _PcscError("the reader went away")
            if bool(state & scard.SCARD_STATE_PRESENT) == present:
                return True
            state &= ~scard.SCARD_STATE_CHANGED
        return False

    def _present(self, scard, ctx, name: str) -> bool:
        # a card pulled away mid-read makes the driver fail the command first and report the card gone a poll later
        present = scard.SCARD_STATE_PRESENT
        hresult, states = scard.SCardGetStatusChange(ctx, REMOVAL_GRACE_MS, [(name, present)])
        return hresult != scard.SCARD_S_SUCCESS or bool(states[0][1] & present)

    def _read(self, scard, ctx, name: str, today: dt.date) -> CardOutcome:
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        hresult, card, protocol = scard.SCardConnect(ctx, name, scard.SCARD_SHARE_EXCLUSIVE, protocols)
        if hresult in _removed_codes(scard):
            return CardOutcome("removed")
        if hresult != scard.SCARD_S_SUCCESS:
            log.info("card check: connect failed (%s)", _code(scard, hresult))
            return CardOutcome("no-answer")

        def transmit(command: bytes) -> tuple[bytes, int, int]:
            hresult, response = scard.SCardTransmit(card, protocol, list(command))
            if hresult != scard.SCARD_S_SUCCESS:
                raise _TransmitFailed(hresult)
            if len(response) < 2:
                raise CardAnswerInvalid("answer shorter than a status word")
            return bytes(response[:-2]), response[-2], response[-1]

        try:
            return CardOutcome("read", read_card(transmit, today))
        except NotMyNumberCard:
            return CardOutcome("not-mynumber")
        except (CardAnswerInvalid, _TransmitFailed) as exc:
            hresult = exc.hresult if isinstance(exc, _TransmitFailed) else scard.SCARD_S_SUCCESS
            log.info("card check: no valid answer (%s)", _code(scard, hresult))
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
            card = None
            removed = hresult in _removed_codes(scard) or not self._present(scard, ctx, name)
            return CardOutcome("removed" if removed else "no-answer")
        finally:
            if card is not None:
                scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def _removed_codes(scard) -> tuple[int, ...]:
    return (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD)


class _PcscError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _TransmitFailed(Exception):
    def __init__(self, hresult: int):
        super().__init__(hresult)
        self.hresult = hresult


def _code(scard, hresult: int) -> str:
    return f"0x{hresult & 0xFFFFFFFF:08X} {scard.SCardGetErrorMessage(hresult)}"


def _check(scard, hresult: int, doing: str) -> None:
    if hresult != scard.SCARD_S_SUCCESS:
        raise _PcscError(f"{doing}: {_code(scard, hresult)}")


class _Context:
    """One PC/SC context, released on exit (pcscd not running → _PcscError)."""

    def __init__(self, scard):
        self.scard = scard

    def __enter__(self):
        for attempt in range(CONTEXT_ATTEMPTS):
            # a connect to pcscd's socket that a signal interrupts fails as "service not available": try again
            hresult, self.ctx = self.scard.SCardEstablishContext(self.scard.SCARD_SCOPE_USER)
            if hresult == self.scard.SCARD_S_SUCCESS:
                return self.ctx
            time.sleep(0.05 * (attempt + 1))
        raise _PcscError(f"pcscd is not answering: {_code(self.scard, hresult)}")

    def __exit__(self, *_exc) -> None:
        self.scard.SCardReleaseContext(self.ctx)
