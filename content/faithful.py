"""Do the やさしい日本語 and English texts say what the Japanese says? Easier words are fine; less is not.

A resident reading ja-easy or en must not lose a number (3 tries, 14 days, 15歳), a date, or an alternative the
Japanese offers (窓口, 郵送, コンビニ, パソコン ...). Numbers are compared as numbers. Everything else is compared as
concepts: each row of `CONCEPTS` names a thing in its Japanese spellings and in the words a faithful ja-easy and en
text would use for it. A concept the ja text mentions must be mentioned by the translation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from content.schema import SITE_PLACEHOLDER


@dataclass(frozen=True)
class Concept:
    """One thing a text can mention, with how each language names it (regular expressions, case-insensitive)."""

    name: str
    ja: str
    easy: str
    en: str


CONCEPTS: tuple[Concept, ...] = (
    # places and ways to do a procedure: the alternatives a resident must not lose
    Concept("counter", r"窓口", r"まどぐち|窓口", r"counter|desk"),
    Concept("post", r"郵送|郵便", r"ゆうびん", r"\bpost\b|\bmail\b|by post"),
    Concept("convenience store", r"コンビニ", r"コンビニ", r"convenience store|\bstore\b"),
    Concept("computer", r"パソコン", r"パソコン", r"computer|\bPC\b"),
    Concept("telephone", r"電話(?!番号)", r"でんわ|電話", r"\bphone\b|\bcall"),
    Concept("bank", r"金融機関|(?<!セブン)銀行(?!ATM|の ?ATM)", r"ぎんこう", r"\bbank"),
    Concept("ATM", r"ATM", r"ATM", r"ATM"),
    Concept("photo booth", r"証明写真機", r"しゃしんの きかい", r"photo booth"),
    Concept("clinic", r"病院|医療機関", r"びょういん", r"clinic|hospital|doctor"),
    Concept("pharmacy", r"薬局", r"やっきょく", r"pharmac"),
    Concept("library desk", r"カウンター", r"図書館|カウンター", r"desk|counter"),
    Concept("family", r"家族", r"かぞく", r"family"),
    Concept("shop", r"(?<!コンビニの)店(?!員)", r"みせ", r"shop|store"),
    # what is asked for or changes
    Concept("name", r"名前|氏名", r"なまえ", r"\bname"),
    Concept("address", r"住所", r"じゅうしょ", r"address"),
    Concept("identity documents", r"本人確認書類", r"ほんにんを たしかめる|保険証", r"identity"),
    Concept("plain background", r"無地", r"もようの ない", r"plain"),
    Concept("tax type", r"税の種類", r"しゅるい", r"tax type"),
    Concept("moving in", r"転入", r"てんにゅう", r"moving[- ]in|move in"),
    Concept("moving out", r"転出(?!証明書)", r"てんしゅつ|ひっこしの とどけ|とどけ", r"moving[- ]out|move[- ]out"),
    Concept("moving-out certificate", r"転出証明書", r"転出証明書", r"moving-out certificate"),
    Concept("electronic certificate", r"電子証明書", r"証明書", r"certificate"),
    Concept("face authentication", r"顔認証", r"顔認証|かお", r"face"),
    Concept("notification card", r"通知カード", r"通知カード", r"notification card"),
    Concept("Juki card", r"住基カード|住民基本台帳カード", r"住基カード", r"Juki"),
    Concept("notice postcard", r"交付通知書", r"交付通知書|はがき", r"postcard|notice"),
    Concept("spam folder", r"迷惑メール", r"迷惑メール", r"spam"),
    Concept("PIN", r"暗証番号", r"暗証番号|ばんごう", r"\bPIN"),
    Concept("lock", r"ロック", r"つかえなく|ロック", r"lock"),
    Concept("due date", r"納期限", r"しめきり", r"due date"),
    Concept("receipt", r"領収証", r"領収証", r"receipt"),
    Concept("shield the PIN", r"かくし", r"かくし", r"shield"),
    Concept("fingerprint", r"指紋", r"ゆびの もん", r"fingerprint"),
    Concept("balance", r"残高", r"おかねが たりない", r"balance"),
    Concept("fee", r"手数料", r"おかね|てすうりょう", r"\bfee"),
)

_EN_NUMBERS = {
    "once": "1", "one": "1", "twice": "2", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")  # fmt: skip
_MONTHS = re.compile(rf"\b({'|'.join(_MONTH_NAMES)})\b")
_DIGITS = re.compile(r"\d+")
_WORDS = re.compile(r"[a-z]+")
_COMPILED = [
    (c, re.compile(c.ja, re.I), {"ja-easy": re.compile(c.easy, re.I), "en": re.compile(c.en, re.I)}) for c in CONCEPTS
]


def _plain(text: str) -> str:
    """Full-width digits and letters as ASCII, site placeholders removed (their values are the same in every
    language)."""
    return unicodedata.normalize("NFKC", SITE_PLACEHOLDER.sub(" ", text))


def numbers(text: str, language: str) -> list[str]:
    """Every number a text states, in order (English number words count as their digits)."""
    plain = _plain(text)
    found = [n.lstrip("0") or "0" for n in _DIGITS.findall(plain)]
    if language == "en":
        lower = plain.lower()
        found += [_EN_NUMBERS[w] for w in _WORDS.findall(lower) if w in _EN_NUMBERS]
        for month in _MONTHS.finditer(lower):  # "31 July", "July 31": a month beside a day is a date, not "may"
            near = lower[max(0, month.start() - 4) : month.end() + 4]
            if _DIGITS.search(near):
                found.append(str(_MONTH_NAMES.index(month.group(1)) + 1))
    return found


def dropped(ja: str, translation: str, language: str) -> list[str]:
    """What `translation` (ja-easy or en) leaves out of `ja`: numbers, then concepts, each in words for the editor."""
    missing: list[str] = []
    have = numbers(translation, language)
    for number in dict.fromkeys(numbers(ja, "ja")):
        if numbers(ja, "ja").count(number) > have.count(number):
            missing.append(f"the number {number}")
    ja_plain, target = _plain(ja), _plain(translation)
    for concept, in_ja, in_translation in _COMPILED:
        if in_ja.search(ja_plain) and not in_translation[language].search(target):
            missing.append(f"'{concept.name}' ({concept.ja.split('|')[0]})")
    return missing
