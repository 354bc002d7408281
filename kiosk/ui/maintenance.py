"""The staff-only maintenance panel: a PIN pad (opened by the corner gesture), then the kiosk's status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kivy.uix.floatlayout import FloatLayout

from kiosk.ui.layout import Metrics, row
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Fill, KioskButton, TextBox

PIN_MAX = 8


@dataclass(frozen=True)
class PadKey:
    """A key of the maintenance panel: what `press` receives is its `key` (a digit, 消す, OK, close), not a guide
    action, since the panel is no part of a resident's session."""

    id: str
    label: str
    key: str
    role: str = "secondary"


class MaintenancePanel(FloatLayout):
    """Covers the whole screen; residents never see it without the gesture and the PIN."""

    def __init__(
        self,
        theme: Theme,
        size: tuple[int, int],
        check_pin: Callable[[str], bool],
        status: Callable[[], dict[str, str]],
        on_close: Callable[[], None],
    ):
        super().__init__(size=size, size_hint=(None, None), pos=(0, 0))
        self.theme, self.check_pin, self.status, self.on_close = theme, check_pin, status, on_close
        self.pin = ""
        self.unlocked = False
        self.draw()

    def draw(self) -> None:
        """Draw the PIN pad or, once unlocked, the status lines."""
        self.clear_widgets()
        w, h = int(self.width), int(self.height)
        m = Metrics.of(w, h, "standard")
        self.add_widget(Fill((0, 0, w, h), self.theme.page_bg))
        title = "メンテナンス" if self.unlocked else "係員用: 暗証番号"
        self.add_widget(
            TextBox(
                title,
                (m.margin, h - m.margin - m.title * 1.4, m.inner_width, m.title * 1.4),
                m.title,
                self.theme.page_text,
                bold=True,
            )
        )
        self._button(
            PadKey("maint-close", "とじる", "close", "primary"), (w - m.margin - 320, m.margin, 320, m.action_h), m
        )
        if self.unlocked:
            lines = "\n".join(f"{k}: {v}" for k, v in self.status().items())
            box = (
                m.margin,
                m.margin + m.action_h + m.gap,
                m.inner_width,
                h - 3 * m.margin - m.action_h - m.title * 1.4,
            )
            self.add_widget(TextBox(lines, box, m.body, self.theme.page_text, min_px=20))
            return
        shown = "●" * len(self.pin) or " "
        self.add_widget(
            TextBox(shown, (m.margin, h - m.margin - m.title * 2.8, 600, m.title * 1.3), m.title, self.theme.page_text)
        )
        size = max(96, round(130 * m.scale))
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "消す", "0", "OK"]
        left = (w - 3 * size - 2 * m.gap) / 2
        for i, key in enumerate(keys):
            line = i // 3
            y = h - m.margin - m.title * 3.2 - (line + 1) * size - line * m.gap
            key_box = row(left, y, 3 * size + 2 * m.gap, size, 3, m.gap)[i % 3]
            self._button(PadKey(f"pin-{key}", key, key, "secondary"), key_box, m)

    def _button(self, button: PadKey, box: tuple[float, float, float, float], m: Metrics) -> None:
        t = self.theme
        style = (
            (t.primary_bg, t.primary_text, t.border, 0)
            if button.role == "primary"
            else (t.secondary_bg, t.secondary_text, t.border, 3)
        )
        self.add_widget(KioskButton(button.id, button.label, button.key, button.role, box, style, m.body, self.press))

    def press(self, key: str) -> None:
        """A key of the pad (digits, 消す, OK) or とじる."""
        if key == "close":
            self.pin = ""
            self.on_close()
            return
        if key == "消す":
            self.pin = ""
        elif key == "OK":
            self.unlocked = self.check_pin(self.pin)
            self.pin = ""
            if not self.unlocked:
                self.on_close()
                return
        elif len(self.pin) < PIN_MAX:
            self.pin += key
        self.draw()
