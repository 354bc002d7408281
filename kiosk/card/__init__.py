"""The card reader room: PC/SC access (pyscard) and the pure retry-counter protocol of the マイナンバーカード.

Imports nothing else of the project: the runtime turns what it reports into guide actions.
"""

from kiosk.card.apdu import CardReading, PinBearingCommand, PinCount
from kiosk.card.reader import OUTCOMES, CardOutcome, PcscCardReader, ReaderStatus

__all__ = ["OUTCOMES", "CardOutcome", "CardReading", "PcscCardReader", "PinBearingCommand", "PinCount", "ReaderStatus"]
