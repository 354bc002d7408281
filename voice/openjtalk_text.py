"""The written sentence Open JTalk should read, and the user dictionary that fixes its known misreadings.

Open JTalk wants kanji, not kana (kana input collapses its accent phrases), so the text keeps its words and only
what a Japanese speaker would say differently from what is printed is rewritten: clock times, ranges, slash dates,
weekday abbreviations (shared with the espeak-ng path in `voice.reading.normalize`), phone numbers digit by digit,
Latin words as katakana, and the few number + counter pairs Open JTalk gets wrong. No pyopenjtalk import here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from voice import numbers
from voice.reading import KNOWN_READINGS, LATIN, LONG_MARKS, PHONE, normalize

# Misreadings seen with Open JTalk 1.11 + naist-jdic (pyopenjtalk-plus 0.4.1): 係の方 → カカリノホー, 何番 → ナニバン.
# Their accent nucleus for the user dictionary: 0 flat, n = the pitch falls after mora n (か↘かり, な↘んばん).
ACCENTS = {"係の方": 1, "何番": 1, "何番目": 1}
FIXED_READINGS: dict[str, tuple[str, int]] = {w: (kana, ACCENTS.get(w, 0)) for w, kana in KNOWN_READINGS.items()}
# 8階, 8回, 8個, 8件 come out as ハチカイ, ハチコ: the counter's sound change after 8 is missed.
EIGHT_BEFORE_COUNTER = re.compile(r"(?<![\d.])(\d*8)(階|回|個|件)")
STRAY_LONG_MARK = re.compile(rf"(?<![ぁ-ゖァ-ヺー])(?:{'|'.join(map(re.escape, sorted(LONG_MARKS)))})+")
SMALL_KANA = set("ァィゥェォャュョヮッ")


def prepare(text: str) -> str:
    """The sentence as Open JTalk should receive it: still written Japanese, with numbers and codes made sayable."""
    text = normalize(text)
    text = PHONE.sub(lambda m: "ノ".join(numbers.read_digits(g) for g in m[0].split("-")), text)
    text = EIGHT_BEFORE_COUNTER.sub(lambda m: numbers.read_counted(int(m[1]), m[2]) or m[0], text)
    text = LATIN.sub(lambda m: numbers.read_latin(m[0]), text)
    text = STRAY_LONG_MARK.sub(" ", text)  # a lone ー is a dash, not a long vowel
    return re.sub(r"\s+", " ", text).strip()


def to_katakana(reading: str) -> str:
    """Hiragana → katakana, other characters unchanged."""
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in reading)


def morae(katakana: str) -> int:
    """Number of morae: every kana counts except the small ones that glide onto the previous (ャ, ュ, ョ, ァ...)."""
    return sum(1 for ch in katakana if ch not in SMALL_KANA or ch == "ッ")


def user_dictionary_csv(overrides: Mapping[str, str] | None = None) -> str:
    """naist-jdic CSV rows for the fixed readings plus content's word → reading overrides (content wins)."""
    entries = dict(FIXED_READINGS)
    for word, reading in (overrides or {}).items():
        kana = to_katakana(unicodedata.normalize("NFKC", reading)).replace(" ", "")
        if word.strip() and re.fullmatch(r"[ァ-ヺー]+", kana):
            entries[word.strip()] = (kana, 0)
    rows = []
    for word, (kana, accent) in entries.items():
        surface = _full_width(unicodedata.normalize("NFKC", word))  # Open JTalk looks words up in full width
        if "," in surface or '"' in surface:
            continue
        rows.append(f"{surface},,,1,名詞,一般,*,*,*,*,{surface},{kana},{kana},{accent}/{morae(kana)},*")
    return "\n".join(rows) + "\n"


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)
