"""Screen free text before it is stored: mask マイナンバー-like 12-digit numbers and phone numbers.

Digits may be full-width (０-９) or separated by spaces / hyphens; masking keeps the text readable
("[番号]" / "[電話番号]") so staff see that something was removed.
"""

from __future__ import annotations

import re
import unicodedata

_SEP = r"[\s\-‐‑‒–—―−－ー・.]?"
# Twelve digits, optionally grouped (4-4-4 is how the card prints it); check digit valid or not.
_TWELVE = re.compile(r"(?<!\d)\d(?:" + _SEP + r"\d){11}(?!\d)")
# Japanese phone numbers: 0 then 9-10 more digits, optionally grouped; also +81 forms.
_PHONE = re.compile(r"(?<!\d)(?:\+81" + _SEP + r"|0)\d(?:" + _SEP + r"\d){7,9}(?!\d)")
# Any other long run of digits (≥ 10) is masked too: better a false positive than a leaked number.
_LONG = re.compile(r"(?<!\d)\d(?:" + _SEP + r"\d){9,}(?!\d)")

NUMBER_MASK = "[番号]"
PHONE_MASK = "[電話番号]"


def screen_text(text: str) -> str:
    """Return `text` with 12-digit numbers and phone numbers masked; full-width digits count too."""
    normalized = unicodedata.normalize("NFKC", text)
    masked = _TWELVE.sub(NUMBER_MASK, normalized)
    masked = _PHONE.sub(PHONE_MASK, masked)
    return _LONG.sub(NUMBER_MASK, masked)
