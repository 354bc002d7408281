"""Screen free text before it is stored: mask マイナンバー-like 12-digit numbers, phone numbers and e-mail addresses.

People write numbers every way: full-width (０-９), grouped by spaces, hyphens, slashes, commas or dots, with line
breaks inside, landlines with the area code in parentheses `(03) 5512-8841`. Everything is first NFKC-normalised
(full-width digits and punctuation become ASCII); a digit may then be followed by up to three separator characters
before the next one. Masking keeps the text readable ("[番号]" / "[電話番号]" / "[メール]") so staff see that something
was removed. Better a false positive (a long date or order number) than a leaked number.

Identifier fields refuse such values instead (`helpdesk.wire.not_personal`).
"""

from __future__ import annotations

import re
import unicodedata

_SEP = r"[\s\-‐‑‒–—―−ー・.,、/()\[\]_]{0,3}"
_OPEN = r"(?:\(\s?)?"  # a landline's area code in parentheses: "(03) 5512-8841"
# Twelve digits, however grouped (4-4-4 is how the card prints it); check digit valid or not.
_TWELVE = re.compile(r"(?<!\d)" + _OPEN + r"\d(?:" + _SEP + r"\d){11}(?!\d)")
# Japanese phone numbers: 0 then 9-10 more digits, however grouped; +81 forms first (they can have 12 digits).
_INTERNATIONAL = re.compile(r"\+\s?81" + _SEP + r"\d(?:" + _SEP + r"\d){7,9}(?!\d)")
_PHONE = re.compile(r"(?<!\d)" + _OPEN + r"0\d(?:" + _SEP + r"\d){7,9}(?!\d)")
# Any other long run of digits (≥ 10) is masked too.
_LONG = re.compile(r"(?<!\d)" + _OPEN + r"\d(?:" + _SEP + r"\d){9,}(?!\d)")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+\s?@\s?[\w-]+(?:\s?\.\s?[\w-]+)+", re.ASCII | re.IGNORECASE)

NUMBER_MASK = "[番号]"
PHONE_MASK = "[電話番号]"
EMAIL_MASK = "[メール]"


def screen_text(text: str) -> str:
    """Return `text` with 12-digit numbers, phone numbers and e-mail addresses masked; full-width counts too."""
    normalized = unicodedata.normalize("NFKC", text)
    masked = _EMAIL.sub(EMAIL_MASK, normalized)
    masked = _INTERNATIONAL.sub(PHONE_MASK, masked)
    masked = _TWELVE.sub(NUMBER_MASK, masked)
    masked = _PHONE.sub(PHONE_MASK, masked)
    return _LONG.sub(NUMBER_MASK, masked)
