"""How much text fits on one kiosk screen at the largest text size: the budget the linter checks content against.

The kiosk screen is laid out in these same proportions (1920×1080 reference, scaled to the window), so a step that
fits here fits on the kiosk. The kiosk's layout tests measure real rendered text; this is the editor's early warning.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from yorisoi.vocabulary import TextSize

FONT_PX: dict[str, tuple[int, int]] = {"standard": (40, 56), "large": (50, 68), "largest": (60, 80)}
"""Text size → (body px, title px) at 1920×1080."""

SCREEN_W, SCREEN_H = 1920, 1080
MARGIN = 60
FIXED_BAR_H = 150  # もどる / もういちど / 係の人を呼ぶ / 文字の大きさ / 言語
NAV_H = 170  # つぎへ / choices row
PICTURE_W = 560  # picture column beside the text, when the step has one
LINE_HEIGHT = 1.35


@dataclass(frozen=True)
class Fit:
    """Result of fitting a step's text into the screen: the heights in px and whether it fits."""

    needed: int
    available: int

    @property
    def fits(self) -> bool:
        """True when the text needs no more height than the screen gives it."""
        return self.needed <= self.available


def em_width(text: str) -> float:
    """Width of a text in em: full-width characters 1 em, Latin letters and digits about half."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 1.0
        elif ch == " ":
            width += 0.3
        else:
            width += 0.56
    return width


def lines_needed(text: str, width_px: float, font_px: float) -> int:
    """Lines a text wraps into (paragraph breaks kept; words kept whole for spaced text)."""
    per_line = width_px / font_px
    total = 0
    for paragraph in text.split("\n"):
        line, lines = 0.0, 1
        for token in _tokens(paragraph):
            w = em_width(token)
            if line + w > per_line and line > 0:
                lines += 1
                line = em_width(token.lstrip())
            else:
                line += w
        total += lines
    return total


def _tokens(paragraph: str) -> list[str]:
    """Break points: after every full-width character, and at spaces for Latin text."""
    tokens: list[str] = []
    current = ""
    for ch in paragraph:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            if current:
                tokens.append(current)
                current = ""
            tokens.append(ch)
        elif ch == " " and current:
            tokens.append(current)
            current = " "
        else:
            current += ch
    if current:
        tokens.append(current)
    return tokens


def step_fit(title: str, blocks: list[str], *, has_picture: bool, size: TextSize = "largest") -> Fit:
    """Fit a title and body blocks (instruction, caution, question) on one step screen at a text size."""
    body_px, title_px = FONT_PX[size]
    text_w = SCREEN_W - 2 * MARGIN - (PICTURE_W + MARGIN if has_picture else 0)
    title_h = lines_needed(title, SCREEN_W - 2 * MARGIN - 300, title_px) * title_px * LINE_HEIGHT
    body_h = sum(lines_needed(b, text_w - 40, body_px) * body_px * LINE_HEIGHT + 40 for b in blocks)
    available = SCREEN_H - FIXED_BAR_H - NAV_H - 2 * MARGIN
    return Fit(needed=int(title_h + body_h), available=available)
