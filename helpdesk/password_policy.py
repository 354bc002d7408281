"""The staff password policy (OWASP ASVS 5, V6.2): at least 12 characters, up to 128 (never a limit below 64),
any characters, and not one of the common passwords shipped in `helpdesk/data/common-passwords.txt.gz`.

The list is the 20,000 most common passwords compiled by Royce Williams, as shipped by Django (BSD-3 licence, see
`helpdesk/data/COMMON-PASSWORDS-LICENSE`). A password is also refused when it is a listed one with digits or
punctuation added around it (`password1234`, `!qwertyuiop2026`) or repeated (`dragondragon`), which is how people
stretch a common password to a required length.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from importlib import resources

MIN_LENGTH = 12
MAX_LENGTH = 128
_PADDING = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    raw = resources.files("helpdesk.data").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip().lower() for line in gzip.decompress(raw).decode("utf-8").splitlines() if line)


def is_common(password: str) -> bool:
    """True for a common password, also padded with digits or punctuation, or repeated."""
    folded = unicodedata.normalize("NFKC", password).strip().lower()
    listed = common_passwords()
    if folded in listed:
        return True
    core = _PADDING.match(folded).group(1)  # type: ignore[union-attr]
    if len(core) >= 4 and core in listed:
        return True
    half = len(folded) // 2
    return len(folded) % 2 == 0 and folded[:half] == folded[half:] and folded[:half] in listed


def weakness(password: str) -> str | None:
    """Why the password may not be used (a sentence for the member), or None when it is fine."""
    length = len(password)
    if length < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters (a few words make a good one)"
    if length > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if len(set(password)) < 5:
        return "a password needs more different characters"
    if is_common(password):
        return "this password is on the list of common passwords; choose another (a few unrelated words)"
    return None
