"""The マイナンバーカード retry-counter query as plain bytes: which applications and PIN files to select, and what the
status words mean. Pure: the reader room hands in a `transmit` function; nothing here touches PC/SC.

Where each constant comes from (public sources):
- JPKI AP `D3 92 F0 00 26 01 00 00 00 01`, its 利用者証明用 PIN EF `00 18` (3 tries), 署名用 PIN EF `00 1B` (5 tries),
  利用者証明用 certificate EF `00 0A`: OpenSC `src/libopensc/jpki.h` (AID_JPKI, JPKI_AUTH_PIN, JPKI_SIGN_PIN and
  their MAX_TRIES) and jpki/myna `libmyna/api.go` (GetJPKIAuthCert reads EF 00 0A with no PIN; GetJPKISignCert
  needs the 署名用 password).
- 券面事項入力補助AP `D3 92 10 00 31 00 01 01 04 08` and its PIN EF `00 11` (4 digits): jpki/myna
  `libmyna/reader.go` (SelectCardAP) and `libmyna/card_input_helper_ap.go` (LookupPin, EF 00 11).
- The query itself, VERIFY `00 20 00 80` with no data field (P2 0x80: the PIN EF just selected), answered with
  SW 63Cx (x tries left): jpki/myna `libmyna/reader.go` LookupPin; ISO/IEC 7816-4 §7.5.6 (VERIFY with an absent
  data field returns the retry counter; 6983 = blocked, 9000 = already verified).
- Tries before a lock (利用者証明用 / 券面事項入力補助 4 digits: 3, 署名用 6–16 characters: 5): J-LIS and municipal
  guidance, e.g. https://www.city.ebetsu.hokkaido.jp/soshiki/shimin/34588.html
  (「3回連続で入力を誤るとロックがかかります」 for 利用者証明用, 5 for 署名用).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

JPKI_AP = bytes.fromhex("D392F000260100000001")
TEXT_HELPER_AP = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
AUTH_PIN_EF = bytes.fromhex("0018")  # 利用者証明用 (4 digits)
SIGN_PIN_EF = bytes.fromhex("001B")  # 署名用 (6–16 characters)
TEXT_PIN_EF = bytes.fromhex("0011")  # 券面事項入力補助用 (4 digits)
AUTH_CERT_EF = bytes.fromhex("000A")  # 利用者証明用 certificate: readable without a PIN

INS_VERIFY = 0x20
SW_OK = (0x90, 0x00)
SW_BLOCKED = (0x69, 0x83)

Transmit = Callable[[bytes], tuple[bytes, int, int]]
"""Send one command APDU, get back (data, SW1, SW2)."""


class PinBearingCommand(RuntimeError):
    """Something tried to send a VERIFY with a data field: that would spend one of the resident's tries."""

    code = "card-pin-bearing-command"


class NotMyNumberCard(RuntimeError):
    """The card answers but has no JPKI application (another IC card, a 住基カード...)."""

    code = "card-not-mynumber"


class CardAnswerInvalid(RuntimeError):
    """The card answered with something the specification does not allow (a damaged or unknown chip)."""

    code = "card-answer-invalid"


@dataclass(frozen=True)
class PinCount:
    """Tries left for one PIN (None: the card did not say); `limit` is how many it allows before a lock."""

    pin: str  # auth | text | sign
    left: int | None
    limit: int
    verified: bool = False


@dataclass(frozen=True)
class CardReading:
    """What the kiosk learns from one card: counts and an expiry flag only, never a name or a number."""

    pins: tuple[PinCount, ...]
    certificate_expired: bool | None = None


LIMITS = {"auth": 3, "text": 3, "sign": 5}


def select_ap(aid: bytes) -> bytes:
    """SELECT an application by its AID (P1 04: by DF name; P2 0C: no FCI wanted)."""
    return bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid


def select_ef(fid: bytes) -> bytes:
    """SELECT an elementary file of the current application by its 2-byte id (P1 02, no FCI)."""
    return bytes([0x00, 0xA4, 0x02, 0x0C, len(fid)]) + fid


def retry_query() -> bytes:
    """VERIFY without data for the PIN EF just selected: the card answers with its retry counter."""
    return bytes([0x00, INS_VERIFY, 0x00, 0x80])


def read_binary(offset: int, length: int) -> bytes:
    """READ BINARY of the selected EF (length 0 means 256)."""
    return bytes([0x00, 0xB0, (offset >> 8) & 0x7F, offset & 0xFF, length & 0xFF])


def refuse_pin_bearing(command: bytes) -> None:
    """Raise before anything sends a VERIFY that carries data (a PIN) or any other PIN-changing command."""
    if len(command) >= 4 and command[1] in (0x20, 0x24, 0x2C) and (command[1] != INS_VERIFY or len(command) > 4):
        raise PinBearingCommand(f"refused to send INS {command[1]:02X} with {len(command) - 4} bytes after the header")


def tries_left(sw1: int, sw2: int) -> tuple[int | None, bool]:
    """(tries left, already verified) from a retry query's status word; raises on an answer the spec does not allow."""
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return sw2 & 0x0F, False
    if (sw1, sw2) == SW_BLOCKED:
        return 0, False
    if (sw1, sw2) == SW_OK:
        return None, True
    raise CardAnswerInvalid(f"retry query answered {sw1:02X}{sw2:02X}")


def read_card(transmit: Transmit, today: dt.date) -> CardReading:
    """Ask a My Number card for its retry counters (and the 利用者証明用 certificate's expiry): never a PIN."""

    def send(command: bytes) -> tuple[bytes, int, int]:
        refuse_pin_bearing(command)
        return transmit(command)

    _, sw1, sw2 = send(select_ap(JPKI_AP))
    if (sw1, sw2) != SW_OK:
        raise NotMyNumberCard(f"SELECT JPKI AP answered {sw1:02X}{sw2:02X}")
    pins = [_count(send, "auth", AUTH_PIN_EF), _count(send, "sign", SIGN_PIN_EF)]
    expired = _certificate_expired(send, today)
    _, sw1, sw2 = send(select_ap(TEXT_HELPER_AP))
    if (sw1, sw2) == SW_OK:
        pins.insert(1, _count(send, "text", TEXT_PIN_EF))
    return CardReading(tuple(pins), expired)


def _count(send: Transmit, pin: str, ef: bytes) -> PinCount:
    _, sw1, sw2 = send(select_ef(ef))
    if (sw1, sw2) != SW_OK:
        return PinCount(pin, None, LIMITS[pin])
    _, sw1, sw2 = send(retry_query())
    left, verified = tries_left(sw1, sw2)
    return PinCount(pin, left, LIMITS[pin], verified)


def _certificate_expired(send: Transmit, today: dt.date) -> bool | None:
    """Read only as far as the certificate's validity and compare it with today; the bytes are dropped at once."""
    _, sw1, sw2 = send(select_ef(AUTH_CERT_EF))
    if (sw1, sw2) != SW_OK:
        return None
    head, sw1, sw2 = send(read_binary(0, 4))
    if (sw1, sw2) != SW_OK or len(head) < 4 or head[0] != 0x30:
        return None
    total = der_length(head)
    data = bytearray()
    while len(data) < min(total, 4096):  # the validity sits in the first few hundred bytes
        chunk, sw1, sw2 = send(read_binary(len(data), min(0xFF, total - len(data))))
        if (sw1, sw2) != SW_OK or not chunk:
            return None
        data += chunk
    try:
        not_after = certificate_not_after(bytes(data))
    except (IndexError, ValueError):
        return None
    return not_after.date() < today


def der_length(head: bytes) -> int:
    """The whole length (header included) of the DER element starting at `head` (tag + length octets)."""
    first = head[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    return 2 + count + int.from_bytes(head[2 : 2 + count], "big")


def _element(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `at`."""
    tag, first = data[at], data[at + 1]
    if first < 0x80:
        return tag, at + 2, at + 2 + first
    count = first & 0x7F
    length = int.from_bytes(data[at + 2 : at + 2 + count], "big")
    return tag, at + 2 + count, at + 2 + count + length


def certificate_not_after(der: bytes) -> dt.datetime:
    """notAfter of an X.509 certificate (RFC 5280 §4.1.2.5), walking only as far as the validity."""
    _, cert, _ = _element(der, 0)
    _, tbs, _ = _element(der, cert)
    at = tbs
    if der[at] == 0xA0:  # explicit version
        at = _element(der, at)[2]
    for _ in range(3):  # serialNumber, signature, issuer
        at = _element(der, at)[2]
    _, validity, _ = _element(der, at)
    not_before_end = _element(der, validity)[2]
    tag, start, end = _element(der, not_before_end)
    text = der[start:end].decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ: 50–99 are 19xx (RFC 5280)
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:
        raise ValueError(f"notAfter has tag {tag:02X}")
    return dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
