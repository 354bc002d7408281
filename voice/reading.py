"""Japanese text → katakana reading for espeak-ng (which reads every kanji as "Chinese letter").

fugashi + unidic-lite give the spoken form (`pron`: 今日は → キョーワ); numbers, times, dates, phone numbers,
ー and Latin words, which unidic leaves without a reading, are read by `voice.numbers`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, NamedTuple

from voice import numbers

# Patterns fugashi would split apart; read before morphological analysis, longest first.
PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}|0[5789]0\d{8}|0120\d{6}|0\d{9}")
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
DECIMAL = re.compile(r"(?P<integer>\d+)\.(?P<fraction>\d+)")
RANGE = re.compile(r"(?<=[\d時分日月年円])\s*[~〜ー]\s*(?=\d)|(?<=[時分])\s*-\s*(?=\d)|\s*[~〜]\s*")
FLOOR = re.compile(r"(\d+)F(?![A-Za-z])")  # 2F: the second floor
NUMBER_SIGN = re.compile(r"\bNo\.\s*(?=\d)")
WEEKDAY = "月火水木金土日"
# 月〜金 and (月) in notices are weekdays: 月曜日から金曜日, ゲツヨービ.
WEEKDAY_RANGE = re.compile(rf"([{WEEKDAY}])(?:曜日?)?\s*[~〜ー-]\s*([{WEEKDAY}])(?:曜日?)?")
WEEKDAY_IN_PARENS = re.compile(rf"\(([{WEEKDAY}])\)")
LATIN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
PROTECTED = re.compile(rf"(?P<phone>{PHONE.pattern})|(?P<decimal>{DECIMAL.pattern})|(?P<latin>{LATIN.pattern})")

# Words both dictionaries misread in kiosk sentences (係の方 → カカリノホー); content's overrides come on top.
KNOWN_READINGS = {"係の方": "カカリノカタ", "何番": "ナンバン", "何番目": "ナンバンメ"}

SPOKEN_PUNCTUATION = {"、": "、", "。": "。", ",": "、", ".": "。", "?": "?", "!": "!", "？": "?", "！": "!"}
GLUED = {"助詞", "助動詞", "補助記号", "記号", "接尾辞"}
LONG_MARKS = {"ー", "-", "−", "―", "‐"}


class KanaReader:
    """Turns Japanese text into a katakana reading; `overrides` map words to content-given readings."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        import fugashi  # heavy: loads the unidic-lite dictionary

        self._tagger = fugashi.Tagger()
        self._overrides = {**KNOWN_READINGS, **(overrides or {})}

    def read(self, text: str) -> str:
        """Return the katakana reading of `text`, punctuation kept as pauses."""
        text = normalize(text)
        for word, reading in sorted(self._overrides.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(word, f"\0{reading}\0")
        parts: list[str] = []
        for i, chunk in enumerate(text.split("\0")):
            parts.append(chunk if i % 2 else self._read_plain(chunk))
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def _read_plain(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        for match in PROTECTED.finditer(text):
            out.append(self._read_tokens(text[pos : match.start()]))
            if match.group("phone"):
                groups = re.split(r"-", match.group("phone"))
                out.append("ノ".join(numbers.read_digits(g) for g in groups))
            elif match.group("latin"):
                out.append(numbers.read_latin(match.group("latin")))
            else:
                out.append(numbers.read_decimal(match.group("integer"), match.group("fraction")))
            pos = match.end()
        out.append(self._read_tokens(text[pos:]))
        return "".join(out)

    def _read_tokens(self, text: str) -> str:
        if not text.strip():
            return text
        tokens = [Token(w.surface, _pron(w), w.feature.pos1) for w in self._tagger(text)]
        return "".join(_spoken(tokens))


def normalize(text: str) -> str:
    """NFKC (full-width Latin/digits, half-width kana), then rewrite clock times, slash dates, 1,500, ranges."""
    text = unicodedata.normalize("NFKC", text)
    text = SLASH_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)
    text = CLOCK.sub(lambda m: f"{int(m[1])}時" + (f"{int(m[2])}分" if int(m[2]) else ""), text)
    text = GROUPED.sub(lambda m: m[0].replace(",", ""), text)
    text = FLOOR.sub(r"\1階", NUMBER_SIGN.sub("ナンバー", text))
    text = WEEKDAY_RANGE.sub(lambda m: f"{m[1]}曜日から{m[2]}曜日", text)
    text = WEEKDAY_IN_PARENS.sub(lambda m: f" {m[1]}曜日 ", text)
    return RANGE.sub("から", text)


class Token(NamedTuple):
    """One morpheme: what is written, its spoken form (None if unidic has none), its part of speech."""

    surface: str
    pron: str | None
    pos: str


_KANA = re.compile(r"[ぁ-ゖァ-ヺ][ぁ-ゖァ-ヺー]*")


def _to_katakana(text: str) -> str:
    """Hiragana → katakana (katakana and ー unchanged)."""
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


def _pron(word: Any) -> str | None:
    pron = getattr(word.feature, "pron", None)
    return None if pron in (None, "*", "") else pron


def _spoken(tokens: list[Token]) -> list[str]:
    """Walk tokens: numbers take their counter, Latin words get katakana, stray ー becomes a pause."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        surface, pron, pos = tokens[i]
        if surface.isdigit():
            reading, used = _number_with_counter(tokens, i)
            out.append(reading)
            i += used
            continue
        if surface == "日" and i and tokens[i - 1].surface.endswith("曜"):
            out.append("ビ")  # unidic reads 金曜日 as キンヨー + ヒ
        elif pron is not None and surface not in LONG_MARKS:
            out.append(pron)
            if pos == "助詞" and i + 1 < len(tokens) and tokens[i + 1].pos not in GLUED:
                out.append(" ")  # a phrase boundary after a particle helps espeak-ng's prosody
        elif pron is None and _KANA.fullmatch(surface):
            out.append(_to_katakana(surface))  # unknown to the dictionary (スマホ): kana reads as written
        elif surface in SPOKEN_PUNCTUATION:
            out.append(SPOKEN_PUNCTUATION[surface])
        elif surface == "%":
            out.append("パーセント")
        elif surface.isspace() or surface in LONG_MARKS:
            out.append(" ")
        i += 1
    return out


def _number_with_counter(tokens: list[Token], i: int) -> tuple[str, int]:
    n = int(tokens[i][0])
    if i + 1 < len(tokens):
        counter = tokens[i + 1][0]
        after_month = i >= 1 and tokens[i - 1][0] == "月"
        reading = numbers.read_counted(n, counter, after_month=after_month)
        if reading is not None:
            return reading, 2
    if len(tokens[i][0]) > 1 and tokens[i][0].startswith("0"):
        return numbers.read_digits(tokens[i][0]), 1  # codes like 0012 are read digit by digit
    return numbers.read_number(n), 1
