"""The two colour themes (standard, high contrast); every text colour pair meets 7:1 (WCAG AAA)."""

from __future__ import annotations

from dataclasses import dataclass, fields

MIN_CONTRAST = 7.0


@dataclass(frozen=True)
class Theme:
    """Colours as #RRGGBB; `*_text` is always drawn on the matching `*_bg`."""

    name: str
    page_bg: str
    page_text: str
    primary_bg: str
    primary_text: str
    secondary_bg: str
    secondary_text: str
    border: str
    help_bg: str
    help_text: str
    bar_bg: str
    caution_bg: str
    caution_text: str
    caution_border: str
    staff_bg: str
    staff_text: str
    banner_bg: str
    banner_text: str
    overlay_bg: str
    overlay_text: str

    def text_pairs(self) -> list[tuple[str, str, str]]:
        """(name, text colour, background colour) for every kind of text the kiosk draws."""
        names = [f.name for f in fields(self)]
        pairs = []
        for name in names:
            if name.endswith("_text"):
                base = name.removesuffix("_text")
                pairs.append((base, getattr(self, name), getattr(self, f"{base}_bg")))
        # bar buttons are secondary buttons; the progress and titles sit on the page
        return pairs


STANDARD = Theme(
    name="standard",
    page_bg="#F7F5EF",
    page_text="#1A1A1A",
    primary_bg="#0A3A7A",
    primary_text="#FFFFFF",
    secondary_bg="#FFFFFF",
    secondary_text="#1A1A1A",
    border="#1A1A1A",
    help_bg="#7A2508",
    help_text="#FFFFFF",
    bar_bg="#DEDAD0",
    caution_bg="#FFF1B8",
    caution_text="#1A1A1A",
    caution_border="#6B4E00",
    staff_bg="#E3EEFF",
    staff_text="#0A1A3A",
    banner_bg="#0A3A7A",
    banner_text="#FFFFFF",
    overlay_bg="#FFFFFF",
    overlay_text="#1A1A1A",
)

HIGH_CONTRAST = Theme(
    name="high-contrast",
    page_bg="#000000",
    page_text="#FFFFFF",
    primary_bg="#FFE500",
    primary_text="#000000",
    secondary_bg="#000000",
    secondary_text="#FFFFFF",
    border="#FFFFFF",
    help_bg="#00E5FF",
    help_text="#000000",
    bar_bg="#1A1A1A",
    caution_bg="#000000",
    caution_text="#FFE500",
    caution_border="#FFE500",
    staff_bg="#000000",
    staff_text="#FFFFFF",
    banner_bg="#FFFFFF",
    banner_text="#000000",
    overlay_bg="#000000",
    overlay_text="#FFFFFF",
)

THEMES = {t.name: t for t in (STANDARD, HIGH_CONTRAST)}


def rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """#RRGGBB → Kivy's (r, g, b, a) floats."""
    value = colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgba(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
