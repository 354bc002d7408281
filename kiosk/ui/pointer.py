"""The staff pointer on the kiosk: a thick ring that pulses round the element staff pointed at, drawn over the
screen without taking touches (the resident presses the element through it)."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.graphics import Color, Line
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget

from kiosk.ui.theme import rgba

RING_COLOUR = "#C8102E"
"""A strong red, unlike every other colour on screen; the ring's shape and 「ここを押してください」 carry it too."""
HALO_COLOUR = "#FFFFFF"


class PointerRing(Widget):
    """A ring `pad` px outside `box`, growing and shrinking by `swing` px once a second."""

    pulse = NumericProperty(0.0)

    def __init__(self, box, scale: float = 1.0, **kw):
        super().__init__(size_hint=(None, None), pos=(0, 0), size=(0, 0), **kw)
        self.box = box
        self.pad, self.swing, self.thickness = 18 * scale + 6, 22 * scale + 6, max(6.0, 12 * scale)
        with self.canvas:
            Color(*rgba(HALO_COLOUR))
            self._halo = Line(width=self.thickness + 4)
            Color(*rgba(RING_COLOUR))
            self._ring = Line(width=self.thickness)
        self.bind(pulse=self._draw)
        self._draw()
        self._animation = Animation(pulse=1.0, d=0.5, t="out_sine") + Animation(pulse=0.0, d=0.5, t="in_sine")
        self._animation.repeat = True
        self._animation.start(self)

    def _draw(self, *_args) -> None:
        x, y, w, h = self.box
        grow = self.pad + self.swing * self.pulse
        shape = (x - grow, y - grow, w + 2 * grow, h + 2 * grow, 24)
        self._halo.rounded_rectangle = shape
        self._ring.rounded_rectangle = shape

    def stop(self) -> None:
        """Stop pulsing (the screen is being rebuilt)."""
        self._animation.cancel(self)

    def on_touch_down(self, touch) -> bool:
        """Never take a touch: the element underneath answers it."""
        return False
