"""Find a Japanese font (BIZ UDPゴシック first) and make it Kivy's default; refuse to start with none."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

KNOWN_PATHS = (
    "/usr/share/fonts/truetype/bizud-gothic/BIZUDPGothic-Regular.ttf",
    "/usr/share/fonts/opentype/bizud-gothic/BIZUDPGothic-Regular.ttf",
    "/usr/local/share/fonts/BIZUDPGothic-Regular.ttf",
)
FC_FAMILIES = ("BIZ UDPGothic", "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoPGothic")
JAPANESE_PROBE = "画面にさわってください"


class FontMissing(Exception):
    """No font that covers Japanese was found: the kiosk must not start and draw boxes."""

    code = "font-missing"


@dataclass(frozen=True)
class KioskFont:
    """The font files the kiosk draws with."""

    name: str
    regular: Path
    bold: Path | None


def _bold_beside(regular: Path) -> Path | None:
    candidate = regular.with_name(regular.name.replace("Regular", "Bold"))
    return candidate if candidate != regular and candidate.exists() else None


def _fc_match(family: str) -> Path | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{file}\n%{family}", f"{family}:lang=ja"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, families = out.partition("\n")
    wanted = family.lower().replace(" ", "")
    if file and wanted in families.lower().replace(" ", "") and Path(file).exists():
        return Path(file)
    return None


def find_japanese_font(fallback: Path | None = None) -> KioskFont:
    """BIZ UDPゴシック when installed, else the configured fallback, else another Japanese font fontconfig knows."""
    for known in KNOWN_PATHS:
        if Path(known).exists():
            return KioskFont("BIZ UDPGothic", Path(known), _bold_beside(Path(known)))
    found = _fc_match("BIZ UDPGothic")
    if found:
        return KioskFont("BIZ UDPGothic", found, _bold_beside(found))
    if fallback is not None:
        if not fallback.exists():
            raise FontMissing(f"font_fallback: {fallback} does not exist")
        return KioskFont(fallback.stem, fallback, _bold_beside(fallback))
    for family in FC_FAMILIES[1:]:
        found = _fc_match(family)
        if found:
            return KioskFont(family, found, _bold_beside(found))
    raise FontMissing(
        "No Japanese font found. Install BIZ UDPゴシック (Debian: apt-get install fonts-morisawa-bizud-gothic) "
        "or set font_fallback in the kiosk configuration to a Japanese .ttf/.otf file."
    )


def register_default_font(font: KioskFont) -> None:
    """Make `font` Kivy's DEFAULT_FONT so every label uses it."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, fn_regular=str(font.regular), fn_bold=str(font.bold or font.regular))
