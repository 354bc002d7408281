"""Wrap text at phrase boundaries (BudouX for Japanese, spaces for Latin) to a pixel width, measured with the font.

Kivy would break Japanese anywhere once a line is full; we decide the breaks ourselves and hand Kivy finished lines.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from content.limits import LINE_HEIGHT

_SPACED = re.compile(r"\S+\s*|\s+")


@lru_cache(maxsize=1)
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


def _is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


@lru_cache(maxsize=4096)
def phrases(paragraph: str) -> tuple[str, ...]:
    """The pieces a line may break between: words at spaces, and BudouX phrases inside Japanese runs."""
    pieces: list[str] = []
    for token in _SPACED.findall(paragraph):
        if _is_wide(token):
            pieces += _parser().parse(token)
        else:
            pieces.append(token)
    return tuple(p for p in pieces if p)


class Measure:
    """Pixel width of text in one font at one size (Kivy's text provider, cached)."""

    def __init__(self, font_px: int, bold: bool = False):
        from kivy.core.text import Label as CoreLabel

        self._label = CoreLabel(font_size=font_px, bold=bold)
        self._cache: dict[str, float] = {}
        self.line_height = self._label.get_extents("あAg")[1]

    def width(self, text: str) -> float:
        """Width in px of one line of text."""
        if text not in self._cache:
            self._cache[text] = self._label.get_extents(text)[0] if text else 0.0
        return self._cache[text]


_MEASURES: dict[tuple[int, bool], Measure] = {}


def measure(font_px: int, bold: bool = False) -> Measure:
    """A shared Measure for a font size."""
    key = (font_px, bold)
    if key not in _MEASURES:
        _MEASURES[key] = Measure(font_px, bold)
    return _MEASURES[key]


def wrap(text: str, width_px: float, m: Measure) -> list[str]:
    """Lines of `text` no wider than `width_px`, broken between phrases (characters only if one phrase is too wide)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in phrases(paragraph):
            candidate = line + piece
            if m.width(candidate.rstrip()) <= width_px or not line.strip():
                line = candidate
            else:
                lines.append(line.rstrip())
                line = piece.lstrip()
            while m.width(line.rstrip()) > width_px and len(line) > 1:
                head = _longest_prefix(line, width_px, m)
                lines.append(head.rstrip())
                line = line[len(head) :].lstrip()
        lines.append(line.rstrip())
    return lines


def _longest_prefix(text: str, width_px: float, m: Measure) -> str:
    for end in range(len(text) - 1, 0, -1):
        if m.width(text[:end].rstrip()) <= width_px:
            return text[:end]
    return text[:1]


def text_height(lines: int, m: Measure, line_spacing: float) -> float:
    """Height in px of `lines` lines as Kivy lays them out with `line_height=line_spacing`."""
    return lines * m.line_height * line_spacing + 2


def fit(
    text: str,
    width_px: float,
    height_px: float,
    font_px: int,
    min_px: int,
    *,
    bold: bool = False,
    spacing: float = LINE_HEIGHT,
) -> tuple[str, int]:
    """Wrapped text and the largest size from `font_px` down to `min_px` at which it fits the box."""
    px = font_px
    while True:
        m = measure(px, bold)
        lines = wrap(text, width_px, m)
        if text_height(len(lines), m, spacing) <= height_px or px <= min_px:
            return "\n".join(lines), px
        px = max(min_px, int(px * 0.92))


def forget() -> None:
    """Drop every cached phrase split and width (they may hold a staff message: a wipe must leave none)."""
    phrases.cache_clear()
    for cached in _MEASURES.values():
        cached._cache.clear()
