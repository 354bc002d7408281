"""The inactivity warning drawn over the current screen: a dimming shield, the countdown and one つづける button."""

from __future__ import annotations

from kiosk.guide import ScreenView
from kiosk.ui.layout import PRIMARY_W, Metrics, text_block_height
from kiosk.ui.widgets import Fill, TextBox


class Shield(Fill):
    """Dims the screen under a modal panel and swallows touches that miss the panel's button."""

    def __init__(self, box, colour: str):
        super().__init__(box, colour)
        self.canvas.opacity = 0.7

    def on_touch_down(self, touch) -> bool:
        """Stop touches reaching the screen underneath."""
        return True


def draw_overlay(screen, view: ScreenView, m: Metrics) -> None:
    """Add the warning panel to `screen` (its `add_button` draws the つづける button like every other button)."""
    overlay = view.overlay
    assert overlay is not None
    t = screen.theme
    screen.add_widget(Shield((0, 0, m.width, m.height), "#000000"))
    w, h = min(m.inner_width, round(1400 * m.scale)), min(m.height - 2 * m.margin, round(860 * m.scale))
    x, y = (m.width - w) / 2, (m.height - h) / 2
    screen.add_widget(Fill((x, y, w, h), t.overlay_bg, t.border, 4, radius=20))
    pad = m.gap
    title_h = text_block_height(overlay.title, w - 2 * pad, m.title, bold=True)
    top = y + h - pad - title_h
    title_box = (x + pad, top, w - 2 * pad, title_h)
    screen.add_widget(TextBox(overlay.title, title_box, m.title, t.overlay_text, bold=True, halign="center"))
    count_px = round(m.title * 2.2)
    count_h = text_block_height(str(overlay.seconds_left), w, count_px, bold=True)
    top -= count_h
    count_box = (x, top, w, count_h)
    screen.add_widget(
        TextBox(str(overlay.seconds_left), count_box, count_px, t.overlay_text, bold=True, halign="center")
    )
    button_w = max(PRIMARY_W, round(700 * m.scale))
    button_y = y + pad
    screen.add_button(overlay.button, ((m.width - button_w) / 2, button_y, button_w, m.action_h), m.title)
    text_top, text_bottom = top - pad / 2, button_y + m.action_h + pad / 2
    box = (x + pad, text_bottom, w - 2 * pad, text_top - text_bottom)
    screen.add_widget(TextBox(overlay.text, box, m.body, t.overlay_text, halign="center", min_px=m.min_body))
