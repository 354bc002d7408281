"""Japanese readings (katakana) of numbers, counters, digit strings and Latin letters, for espeak-ng."""

from __future__ import annotations

DIGITS = ("ゼロ", "イチ", "ニ", "サン", "ヨン", "ゴ", "ロク", "ナナ", "ハチ", "キュー")
# Digit-by-digit as Japanese read phone numbers aloud: 2 and 5 lengthened, 0 as ゼロ.
PHONE_DIGITS = ("ゼロ", "イチ", "ニー", "サン", "ヨン", "ゴー", "ロク", "ナナ", "ハチ", "キュー")
HUNDREDS = {1: "ヒャク", 3: "サンビャク", 6: "ロッピャク", 8: "ハッピャク"}
THOUSANDS = {1: "セン", 3: "サンゼン", 8: "ハッセン"}
LARGE_UNITS = ((10**12, "チョー"), (10**8, "オク"), (10**4, "マン"))

MONTHS = {4: "シガツ", 7: "シチガツ", 9: "クガツ"}
DAYS = {
    1: "ツイタチ", 2: "フツカ", 3: "ミッカ", 4: "ヨッカ", 5: "イツカ", 6: "ムイカ", 7: "ナノカ",
    8: "ヨーカ", 9: "ココノカ", 10: "トーカ", 14: "ジューヨッカ", 20: "ハツカ", 24: "ニジューヨッカ",
}  # fmt: skip
PEOPLE = {1: "ヒトリ", 2: "フタリ"}
THINGS = {
    1: "ヒトツ", 2: "フタツ", 3: "ミッツ", 4: "ヨッツ", 5: "イツツ", 6: "ムッツ", 7: "ナナツ", 8: "ヤッツ",
    9: "ココノツ", 10: "トー",
}  # fmt: skip
# Counters whose first sound changes after 1, 6, 8, 10 (small っ) and after 3 (voiced).
GEMINATE = {
    "回": ("カイ", "カイ"), "階": ("カイ", "ガイ"), "個": ("コ", "コ"), "週": ("シュー", "シュー"),
    "週間": ("シューカン", "シューカン"), "ヶ月": ("カゲツ", "カゲツ"), "か月": ("カゲツ", "カゲツ"),
    "カ月": ("カゲツ", "カゲツ"), "ヵ月": ("カゲツ", "カゲツ"), "件": ("ケン", "ケン"),
}  # fmt: skip
PLAIN_COUNTERS = {"円": "エン", "年": "ネン", "枚": "マイ", "番": "バン", "秒": "ビョー", "%": "パーセント"}

LETTERS = {
    "a": "エー", "b": "ビー", "c": "シー", "d": "ディー", "e": "イー", "f": "エフ", "g": "ジー", "h": "エイチ",
    "i": "アイ", "j": "ジェー", "k": "ケー", "l": "エル", "m": "エム", "n": "エヌ", "o": "オー", "p": "ピー",
    "q": "キュー", "r": "アール", "s": "エス", "t": "ティー", "u": "ユー", "v": "ブイ", "w": "ダブリュー",
    "x": "エックス", "y": "ワイ", "z": "ゼット",
}  # fmt: skip
# Loanwords residents meet on municipal procedures; anything else is spelled letter by letter.
LATIN_WORDS = {
    "ok": "オーケー", "web": "ウェブ", "wifi": "ワイファイ", "wi-fi": "ワイファイ", "email": "イーメール",
    "mail": "メール", "line": "ライン", "app": "アプリ", "pin": "ピン", "online": "オンライン",
    "smartphone": "スマートフォン", "android": "アンドロイド", "iphone": "アイフォーン", "google": "グーグル",
    "yes": "イエス", "no": "ノー", "home": "ホーム", "ng": "エヌジー", "net": "ネット", "e-tax": "イータックス",
    "mynaportal": "マイナポータル", "pdf": "ピーディーエフ",
}  # fmt: skip


def read_number(n: int) -> str:
    """Read a non-negative integer as Japanese katakana (1500 → センゴヒャク)."""
    if n == 0:
        return "ゼロ"
    parts: list[str] = []
    for unit_value, unit_name in LARGE_UNITS:
        if n >= unit_value:
            parts.append(_under_10000(n // unit_value) + unit_name)
            n %= unit_value
    if n:
        parts.append(_under_10000(n))
    return "".join(parts)


def _under_10000(n: int) -> str:
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    tens, ones = divmod(rest, 10)
    out = THOUSANDS.get(thousands, DIGITS[thousands] + "セン") if thousands else ""
    out += HUNDREDS.get(hundreds, DIGITS[hundreds] + "ヒャク") if hundreds else ""
    out += ("" if tens == 1 else DIGITS[tens]) + "ジュー" if tens else ""
    return out + (DIGITS[ones] if ones else "")


def read_digits(digits: str) -> str:
    """Read a digit string one digit at a time, as for phone numbers (03 → ゼロサン)."""
    return "".join(PHONE_DIGITS[int(d)] for d in digits if d.isdigit())


def read_decimal(integer: str, fraction: str) -> str:
    """Read a decimal number: 3.5 → サンテンゴ (fraction digit by digit)."""
    return read_number(int(integer)) + "テン" + "".join(DIGITS[int(d)] for d in fraction)


def read_counted(n: int, counter: str, *, after_month: bool = False) -> str | None:
    """Read a number followed by a counter, with its sound changes; None if the counter is unknown."""
    if counter == "月":
        return MONTHS.get(n, read_number(n) + "ガツ") if 1 <= n <= 12 else read_number(n) + "ツキ"
    if counter in ("日", "日間"):
        suffix = "カン" if counter == "日間" else ""
        if n == 1 and not after_month:
            return "イチニチ" + suffix
        return DAYS.get(n, read_number(n) + "ニチ") + suffix
    if counter == "時":
        return _by_last_digit(n, {4: "ヨジ", 7: "シチジ", 9: "クジ"}, "ジ")
    if counter == "分":
        return _minutes(n)
    if counter == "人":
        return PEOPLE[n] if n in (1, 2) else _by_last_digit(n, {4: "ヨニン"}, "ニン")
    if counter == "つ" and n in THINGS:
        return THINGS[n]
    if counter in GEMINATE:
        return _geminate(n, *GEMINATE[counter])
    if counter in ("円", "年"):
        return _by_last_digit(n, {4: "ヨ" + PLAIN_COUNTERS[counter]}, PLAIN_COUNTERS[counter])
    if counter in PLAIN_COUNTERS:
        return read_number(n) + PLAIN_COUNTERS[counter]
    return None


def _by_last_digit(n: int, special: dict[int, str], suffix: str) -> str:
    """Numbers whose last digit changes its sound before a counter (4時 → ヨジ, 14時 → ジューヨジ)."""
    ones = n % 10
    if ones in special:
        return (read_number(n - ones) if n > 9 else "") + special[ones]
    return read_number(n) + suffix


def _minutes(n: int) -> str:
    ones = n % 10
    if n == 0:
        return "レイフン"
    if ones == 0 and n < 100:
        return read_number(n)[: -len("ジュー")] + "ジュップン"
    head = read_number(n - ones) if n > 9 else ""
    if ones in (1, 6, 8):
        return head + {1: "イッ", 6: "ロッ", 8: "ハッ"}[ones] + "プン"
    if ones in (3, 4):
        return head + DIGITS[ones] + "プン"
    return head + DIGITS[ones] + "フン"


def _geminate(n: int, sound: str, after_three: str) -> str:
    ones = n % 10
    if n == 10 or (n > 10 and ones == 0 and n < 100):
        return read_number(n)[: -len("ジュー")] + "ジュッ" + sound
    head = read_number(n - ones) if n > 9 else ""
    if ones in (1, 6, 8):
        return head + {1: "イッ", 6: "ロッ", 8: "ハッ"}[ones] + sound
    if ones == 3:
        return head + "サン" + after_three
    return read_number(n) + sound


def read_latin(word: str) -> str:
    """Read a Latin-letter word: a known loanword, else letter by letter (QR → キューアール)."""
    key = word.lower()
    if key in LATIN_WORDS:
        return LATIN_WORDS[key]
    return "".join(LETTERS.get(ch, "") for ch in key)
