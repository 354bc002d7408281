"""Sizes of the kiosk screen, in the proportions of `content.limits` at 1920×1080, scaled to the window."""

from __future__ import annotations

from dataclasses import dataclass

from content.limits import FIXED_BAR_H, FONT_PX, MARGIN, NAV_H, PICTURE_W, SCREEN_H, SCREEN_W
from kiosk.ui.text import measure, text_height, wrap
from kiosk.ui.widgets import LINE_SPACING

MIN_TARGET = 96
PRIMARY_W, PRIMARY_H = 300, 120
MIN_GAP = 24

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one window size and text size."""

    width: int
    height: int
    scale: float
    body: int
    title: int
    min_body: int
    min_title: int
    margin: int
    gap: int
    bar_button_h: int
    bar_h: int
    action_h: int
    picture_w: int

    @classmethod
    def of(cls, width: int, height: int, text_size: str) -> Metrics:
        """Metrics for a window of `width`×`height` px at a text size (standard, large, largest)."""
        s = min(width / SCREEN_W, height / SCREEN_H)
        body, title = FONT_PX[text_size]
        bar_button_h = max(MIN_TARGET, round((FIXED_BAR_H - 30) * s))
        pad = max(12, round(15 * s))
        return cls(
            width=width,
            height=height,
            scale=s,
            body=round(body * s),
            title=round(title * s),
            min_body=round(FONT_PX["standard"][0] * s),
            min_title=round(FONT_PX["standard"][1] * s),
            margin=max(MIN_GAP, round(MARGIN * s)),
            gap=max(MIN_GAP, round(32 * s)),
            bar_button_h=bar_button_h,
            bar_h=bar_button_h + 2 * pad,
            action_h=max(PRIMARY_H, round((NAV_H - 30) * s)),
            picture_w=round(PICTURE_W * s),
        )

    @property
    def inner_width(self) -> int:
        """Width between the side margins."""
        return self.width - 2 * self.margin


def text_block_height(
    text: str, width: float, font_px: int, *, bold: bool = False, spacing: float = LINE_SPACING
) -> float:
    """Height of text wrapped at phrase boundaries to `width` at `font_px`."""
    m = measure(font_px, bold)
    return text_height(len(wrap(text, width, m)), m, spacing)


def row(x: float, y: float, width: float, height: float, count: int, gap: float) -> list[Box]:
    """`count` equal boxes side by side filling `width` with `gap` between them."""
    if count <= 0:
        return []
    w = (width - gap * (count - 1)) / count
    return [(x + i * (w + gap), y, w, height) for i in range(count)]
