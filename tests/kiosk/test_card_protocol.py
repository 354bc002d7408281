"""The retry-counter protocol against the emulated card's applet (no reader in between: fast), and the guard that
refuses any PIN-bearing command before it could be sent."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.card.apdu import (
    CardAnswerInvalid,
    NotMyNumberCard,
    PinBearingCommand,
    certificate_not_after,
    read_card,
    refuse_pin_bearing,
    retry_query,
    select_ap,
    tries_left,
)
from kiosk.card.reader import PcscCardReader
from tests.kiosk.card_stack import CardApplet, CardProfile, certificate_der, stack_problem

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(("auth", "text", "sign"), [(3, 3, 5), (2, 3, 5), (1, 1, 4), (0, 0, 0)])
def test_counts_are_read_for_every_pin(auth, text, sign):
    card = CardApplet(CardProfile(auth_left=auth, text_left=text, sign_left=sign))
    reading = read_card(card.transmit, TODAY)
    assert {p.pin: p.left for p in reading.pins} == {"auth": auth, "text": text, "sign": sign}
    assert {p.pin: p.limit for p in reading.pins} == {"auth": 3, "text": 3, "sign": 5}
    assert card.pin_bearing() == [] and card.counters == {"auth": auth, "text": text, "sign": sign}


def test_the_query_is_verify_without_data_on_the_selected_pin_ef():
    card = CardApplet()
    read_card(card.transmit, TODAY)
    verifies = [c for c in card.commands if c[1] == 0x20]
    assert verifies == [retry_query()] * 3 == [bytes.fromhex("00200080")] * 3
    assert card.commands[0] == select_ap(bytes.fromhex("D392F000260100000001"))


def test_expiry_of_the_user_certificate():
    fresh = CardApplet(CardProfile(not_after=dt.datetime(2031, 1, 1, tzinfo=dt.UTC)))
    old = CardApplet(CardProfile(not_after=dt.datetime(2026, 12, 1, 14, 59, tzinfo=dt.UTC)))
    assert read_card(fresh.transmit, TODAY).certificate_expired is False
    assert read_card(old.transmit, TODAY).certificate_expired is True


def test_not_after_in_both_time_encodings():
    utc = dt.datetime(2031, 3, 31, 14, 59, 59, tzinfo=dt.UTC)
    late = dt.datetime(2051, 3, 31, 14, 59, 59, tzinfo=dt.UTC)  # 2050 and later are GeneralizedTime (RFC 5280)
    assert certificate_not_after(certificate_der(utc)) == utc
    assert certificate_not_after(certificate_der(late)) == late


def test_another_card_is_not_a_my_number_card():
    card = CardApplet(CardProfile(mynumber=False))
    with pytest.raises(NotMyNumberCard):
        read_card(card.transmit, TODAY)
    assert len(card.commands) == 1


@pytest.mark.parametrize(
    "command",
    [
        bytes.fromhex("002000800431323334"),  # VERIFY with a 4-digit PIN
        bytes.fromhex("0020008000"),  # VERIFY with Lc = 0 still carries a data field
        bytes.fromhex("002401800431323334"),  # CHANGE REFERENCE DATA
        bytes.fromhex("002C0080"),  # RESET RETRY COUNTER
    ],
)
def test_pin_bearing_commands_are_refused_before_sending(command):
    with pytest.raises(PinBearingCommand):
        refuse_pin_bearing(command)


def test_the_guard_sits_in_front_of_the_transmit(monkeypatch):
    """Were the query ever changed to carry a PIN, the command is refused and the card never sees it."""
    import kiosk.card.apdu as apdu

    monkeypatch.setattr(apdu, "retry_query", lambda: bytes.fromhex("002000800431323334"))
    card = CardApplet()
    with pytest.raises(PinBearingCommand):
        read_card(card.transmit, TODAY)
    assert card.pin_bearing() == [] and card.counters["auth"] == 3


@pytest.mark.parametrize(
    ("sw", "expected"), [((0x63, 0xC2), (2, False)), ((0x69, 0x83), (0, False)), ((0x90, 0x00), (None, True))]
)
def test_status_words(sw, expected):
    assert tries_left(*sw) == expected


def test_an_answer_the_spec_does_not_allow_is_an_error():
    with pytest.raises(CardAnswerInvalid):
        tries_left(0x6A, 0x82)


def test_without_pcscd_the_reader_says_why():
    if stack_problem() and "already running" in (stack_problem() or ""):
        pytest.skip("a pcscd is running on this machine: this test needs none")
    status = PcscCardReader().status()
    assert not status.connected and status.reason
