"""The reading table against Open JTalk: the text it is given (written Japanese, made sayable) must come out as the
same words a Japanese listener expects; and the known misreadings (係の方, 8階, 何番) are fixed."""

from __future__ import annotations

import pytest

from voice.openjtalk_text import morae, prepare, user_dictionary_csv

from .test_reading import HARD_CASES

OPEN_JTALK_CASES = [
    ("月〜金は10:30から", "ゲツヨービカラキンヨービワジュージサンジュップンカラ"),
    ("手数料は1,500円です", "テスーリョーワセンゴヒャクエンデス"),
]


def same_sound(kana: str) -> str:
    """Open JTalk writes the particle を as ヲ and keeps ヅ; both sound as the table writes them."""
    kana = kana.replace("ヲ", "オ").replace("ヅ", "ズ").replace("ヂ", "ジ").replace("？", "?")
    return "".join(ch for ch in kana if ch not in " 、。’")


@pytest.mark.parametrize(("text", "expected"), HARD_CASES + OPEN_JTALK_CASES)
def test_open_jtalk_reads_the_table(open_jtalk, text: str, expected: str) -> None:
    assert same_sound(open_jtalk.reading(text)) == same_sound(expected)


def test_written_words_stay_written() -> None:
    # Kana input collapses Open JTalk's accent phrases: the kanji must reach it.
    assert prepare("本人確認書類をご用意ください。") == "本人確認書類をご用意ください。"
    assert prepare("受付は9:00〜17:00、2F窓口") == "受付は9時から17時、2階窓口"
    assert prepare("電話 03-1234-5678") == "電話 ゼロサンノイチニーサンヨンノゴーロクナナハチ"
    assert prepare("QRコード") == "キューアールコード"
    assert prepare("ー") == ""


def test_user_dictionary_rows() -> None:
    rows = user_dictionary_csv({"窓口": "うけつけ", "Web": "ウェブ", "bad": "not kana"}).splitlines()
    assert "係の方,,,1,名詞,一般,*,*,*,*,係の方,カカリノカタ,カカリノカタ,1/6,*" in rows
    assert "窓口,,,1,名詞,一般,*,*,*,*,窓口,ウケツケ,ウケツケ,0/4,*" in rows
    assert any(row.startswith("Ｗｅｂ,") for row in rows)  # Open JTalk looks words up in full width
    assert not any(row.startswith("ｂａｄ,") for row in rows)
    assert morae("キョーシツ") == 4


def test_content_overrides_reach_open_jtalk_through_the_user_dictionary() -> None:
    from voice.openjtalk import OpenJTalkSynthesizer

    # A second instance replaces the process's user dictionary: put the standard one back afterwards.
    engine = OpenJTalkSynthesizer({"窓口": "ウケツケ"})
    try:
        assert engine.wait_ready()
        assert same_sound(engine.reading("窓口へどうぞ")) == "ウケツケエドーゾ"
        assert same_sound(engine.reading("係の方")) == "カカリノカタ"
    finally:
        OpenJTalkSynthesizer().wait_ready()
