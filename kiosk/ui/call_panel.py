"""The call over the current screen: ringing is a modal panel (係の人と話しますか, 話す / 話さない) over a dimmed
step; during a call a strip under the title says 通話中 beside a large 通話をおわる, and the step stays usable."""

from __future__ import annotations

from kiosk.guide import ScreenView
from kiosk.ui.layout import PRIMARY_W, Metrics, row, text_block_height
from kiosk.ui.overlay import Shield
from kiosk.ui.widgets import Fill, TextBox


def draw_ringing(screen, view: ScreenView, m: Metrics) -> None:
    """The modal ringing panel with its two big buttons."""
    call = view.call
    assert call is not None
    t = screen.theme
    screen.add_widget(Shield((0, 0, m.width, m.height), "#000000"))
    w, h = min(m.inner_width, round(1500 * m.scale)), min(m.height - 2 * m.margin, round(880 * m.scale))
    x, y = (m.width - w) / 2, (m.height - h) / 2
    screen.add_widget(Fill((x, y, w, h), t.overlay_bg, t.border, 4, radius=20))
    pad = m.gap
    title_h = text_block_height(call.title, w - 2 * pad, m.title, bold=True)
    top = y + h - pad - title_h
    screen.add_widget(
        TextBox(call.title, (x + pad, top, w - 2 * pad, title_h), m.title, t.overlay_text, bold=True, halign="center")
    )
    button_h = round(m.action_h * 1.4)
    boxes = row(x + pad, y + pad, w - 2 * pad, button_h, len(call.buttons), m.gap)
    for button, box in zip(call.buttons, boxes, strict=True):
        screen.add_button(button, box, m.title)
    text_top, text_bottom = top - pad / 2, y + pad + button_h + pad / 2
    box = (x + pad, text_bottom, w - 2 * pad, text_top - text_bottom)
    screen.add_widget(TextBox(call.text, box, m.body, t.overlay_text, halign="center", min_px=m.min_body))


def in_call_strip(screen, view: ScreenView, m: Metrics, top: float) -> float:
    """Draw 通話中 and 通話をおわる under the header; returns the new top of the content area."""
    call = view.call
    assert call is not None
    t = screen.theme
    h = m.action_h
    y = top - m.gap / 2 - h
    button = call.buttons[0]
    bw = max(PRIMARY_W, round(560 * m.scale))
    # the staff colours, not the banner's: the 通話をおわる button (primary) must stand out against the strip
    screen.add_widget(Fill((m.margin, y, m.inner_width, h), t.staff_bg, t.border, 3, radius=12))
    label_box = (m.margin + 20, y + 10, m.inner_width - bw - m.gap - 40, h - 20)
    screen.add_widget(TextBox(call.text, label_box, m.body, t.staff_text, bold=True, min_px=m.min_body))
    screen.add_button(button, (m.width - m.margin - bw, y, bw, h), m.title)
    return y
