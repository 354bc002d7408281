"""Japanese number readings; expected values are standard readings from a Japanese dictionary, not program output."""

from __future__ import annotations

import pytest

from voice import numbers


@pytest.mark.parametrize(
    ("n", "reading"),
    [
        (0, "ゼロ"),
        (7, "ナナ"),
        (10, "ジュー"),
        (11, "ジューイチ"),
        (300, "サンビャク"),
        (600, "ロッピャク"),
        (800, "ハッピャク"),
        (1000, "セン"),
        (1500, "センゴヒャク"),
        (3000, "サンゼン"),
        (8000, "ハッセン"),
        (2024, "ニセンニジューヨン"),
        (10000, "イチマン"),
        (12345, "イチマンニセンサンビャクヨンジューゴ"),
        (100000000, "イチオク"),
    ],
)
def test_plain_numbers(n: int, reading: str) -> None:
    assert numbers.read_number(n) == reading


@pytest.mark.parametrize(
    ("n", "counter", "reading"),
    [
        (4, "月", "シガツ"),
        (7, "月", "シチガツ"),
        (9, "月", "クガツ"),
        (11, "月", "ジューイチガツ"),
        (2, "日", "フツカ"),
        (14, "日", "ジューヨッカ"),
        (20, "日", "ハツカ"),
        (21, "日", "ニジューイチニチ"),
        (1, "日", "イチニチ"),
        (4, "時", "ヨジ"),
        (14, "時", "ジューヨジ"),
        (9, "時", "クジ"),
        (17, "時", "ジューシチジ"),
        (1, "分", "イップン"),
        (3, "分", "サンプン"),
        (5, "分", "ゴフン"),
        (10, "分", "ジュップン"),
        (30, "分", "サンジュップン"),
        (45, "分", "ヨンジューゴフン"),
        (1, "人", "ヒトリ"),
        (2, "人", "フタリ"),
        (4, "人", "ヨニン"),
        (4, "円", "ヨエン"),
        (2024, "年", "ニセンニジューヨネン"),
        (1, "回", "イッカイ"),
        (3, "階", "サンガイ"),
        (6, "階", "ロッカイ"),
        (10, "回", "ジュッカイ"),
        (3, "つ", "ミッツ"),
    ],
)
def test_counters_change_the_sound(n: int, counter: str, reading: str) -> None:
    assert numbers.read_counted(n, counter) == reading


def test_first_day_of_a_month_is_tsuitachi() -> None:
    assert numbers.read_counted(1, "日", after_month=True) == "ツイタチ"


def test_unknown_counter_is_left_to_the_caller() -> None:
    assert numbers.read_counted(3, "匹") is None


def test_digits_and_decimals() -> None:
    assert numbers.read_digits("0120") == "ゼロイチニーゼロ"
    assert numbers.read_decimal("3", "14") == "サンテンイチヨン"


@pytest.mark.parametrize(("word", "reading"), [("QR", "キューアール"), ("OK", "オーケー"), ("Wi-Fi", "ワイファイ")])
def test_latin_words(word: str, reading: str) -> None:
    assert numbers.read_latin(word) == reading
