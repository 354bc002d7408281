"""Every screen of every shipped procedure × language × text size fits at 1920×1080 and 1366×768: text inside its
box, touch targets big enough and far enough apart, every character in the font, theme contrast ≥ 7:1."""

from __future__ import annotations

import pytest

from kiosk.guide import TEXT_SIZES
from kiosk.ui.theme import MIN_CONTRAST, THEMES, contrast_ratio
from tests.kiosk.screen_sweep import covered, layout_problems, overlay_state, screen_states

RESOLUTIONS = [(1920, 1080), (1366, 768)]


@pytest.mark.parametrize("language", ["ja", "ja-easy", "en"])
def test_every_screen_fits_at_every_size_and_resolution(driver, language):
    guide, screen = driver.kiosk.guide, driver.screen
    problems, count = [], 0
    for size in TEXT_SIZES:
        for name, state in screen_states(guide, language, size):
            for resolution in RESOLUTIONS:
                count += 1
                for problem in layout_problems(screen, guide.view(state), resolution):
                    problems.append(f"{name} [{size} {resolution[0]}×{resolution[1]}]: {problem}")
            if name.endswith("/before") or name in ("waiting", "start"):
                for resolution in RESOLUTIONS:
                    view = guide.view(overlay_state(state))
                    for problem in layout_problems(screen, view, resolution):
                        problems.append(f"{name}+overlay [{size} {resolution[0]}×{resolution[1]}]: {problem}")
    assert count > 100
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:25])


def test_every_character_of_every_screen_is_in_the_font(driver):
    guide, font = driver.kiosk.guide, str(driver.kiosk.font.regular)
    chars: set[str] = set()
    for language in ("ja", "ja-easy", "en"):
        for _, state in screen_states(guide, language, "standard"):
            chars |= set(guide.view(overlay_state(state)).all_text())
    missing = sorted(c for c in chars if not covered(font, c))
    assert len(chars) > 200
    assert not missing, f"no glyph for {[f'U+{ord(c):04X} {c}' for c in missing]}"


def test_coverage_check_notices_a_missing_glyph(driver):
    font = str(driver.kiosk.font.regular)
    assert covered(font, "画") and not covered(font, "\U0001fae8")


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_text_colour_pair_has_contrast_7_to_1(theme):
    pairs = THEMES[theme].text_pairs()
    assert len(pairs) >= 8
    weak = [(name, round(contrast_ratio(fg, bg), 2)) for name, fg, bg in pairs if contrast_ratio(fg, bg) < MIN_CONTRAST]
    assert not weak


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
