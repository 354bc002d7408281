"""Free text is screened before storage: 12-digit numbers and phone numbers never reach the database."""

from __future__ import annotations

import pytest

from helpdesk.screening import NUMBER_MASK, PHONE_MASK, screen_text


@pytest.mark.parametrize(
    "number",
    ["123456789012", "1234 5678 9012", "1234-5678-9012", "１２３４５６７８９０１２", "1234　5678　9018"],
)
def test_twelve_digit_numbers_are_masked(number: str) -> None:
    screened = screen_text(f"カードの番号は{number}です")
    assert screened == f"カードの番号は{NUMBER_MASK}です"


@pytest.mark.parametrize(
    "phone", ["090-1234-5678", "03-1234-5678", "0312345678", "+81 90 1234 5678", "０３−１２３４−５６７８"]
)
def test_phone_numbers_are_masked(phone: str) -> None:
    screened = screen_text(f"電話 {phone} へ")
    assert PHONE_MASK in screened or NUMBER_MASK in screened
    assert not any(ch.isdigit() for ch in screened)


def test_ordinary_text_and_short_numbers_stay() -> None:
    text = "3番の窓口へどうぞ。2026年4月1日、10時30分です。"
    assert screen_text(text) == text
