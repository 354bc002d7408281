"""The few widgets the kiosk draws with: text boxes, buttons, the caution icon, pictures and QR codes."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from kivy.graphics import Color, Line, Rectangle, RoundedRectangle, Triangle
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui.text import fit
from kiosk.ui.theme import rgba

LINE_SPACING = 1.15


class TextBox(Label):
    """A label whose text is already wrapped to its box; `fits()` says whether the rendered text stays inside."""

    def __init__(self, text: str, box: tuple[float, float, float, float], font_px: int, colour: str, **kw):
        x, y, w, h = box
        align = kw.pop("halign", "left")
        wrapped, px = fit(text, w, h, font_px, kw.pop("min_px", font_px), bold=kw.get("bold", False))
        super().__init__(
            text=wrapped,
            font_size=px,
            color=rgba(colour),
            pos=(x, y),
            size=(w, h),
            size_hint=(None, None),
            text_size=(w, None),
            halign=align,
            valign="middle",
            line_height=LINE_SPACING,
            **kw,
        )
        self.texture_update()

    def fits(self) -> bool:
        """True when the rendered text is no wider and no taller than the box."""
        tw, th = self.texture_size
        return tw <= self.width + 0.5 and th <= self.height + 0.5


class Fill(Widget):
    """A coloured rectangle (with an optional border) behind other widgets."""

    def __init__(self, box, colour: str, border: str | None = None, border_px: float = 0, radius: float = 0, **kw):
        x, y, w, h = box
        super().__init__(pos=(x, y), size=(w, h), size_hint=(None, None), **kw)
        with self.canvas:
            Color(*rgba(colour))
            RoundedRectangle(pos=(x, y), size=(w, h), radius=[radius])
            if border and border_px:
                Color(*rgba(border))
                Line(rounded_rectangle=(x, y, w, h, radius or 1), width=border_px)


class KioskButton(ButtonBehavior, Label):
    """A touch target carrying the guide action it dispatches; the label is fitted to the button."""

    def __init__(self, button_id: str, label: str, action, role: str, box, style, font_px: int, on_action: Callable):
        x, y, w, h = box
        bg, fg, border, border_px = style
        pad = max(8, int(min(w, h) * 0.08))
        wrapped, px = fit(label, w - 2 * pad, h - 2 * pad, font_px, max(18, int(font_px * 0.6)), bold=True)
        super().__init__(
            text=wrapped,
            font_size=px,
            bold=True,
            color=rgba(fg),
            pos=(x, y),
            size=(w, h),
            size_hint=(None, None),
            text_size=(w - 2 * pad, None),
            halign="center",
            valign="middle",
            line_height=LINE_SPACING,
        )
        self.button_id, self.action, self.role = button_id, action, role
        self.inner = (w - 2 * pad, h - 2 * pad)
        self._on_action = on_action
        with self.canvas.before:
            Color(*rgba(bg))
            RoundedRectangle(pos=(x, y), size=(w, h), radius=[min(18, h / 6)])
            if border_px:
                Color(*rgba(border))
                Line(rounded_rectangle=(x, y, w, h, min(18, h / 6)), width=border_px)
        self.texture_update()

    def on_release(self) -> None:
        """Send the button's action up (messages up)."""
        self._on_action(self.action)

    def fits(self) -> bool:
        """True when the label's rendered text stays inside the button's padding."""
        tw, th = self.texture_size
        return tw <= self.inner[0] + 0.5 and th <= self.inner[1] + 0.5


class CautionIcon(Widget):
    """A warning triangle with "!": the caution box is marked by shape and border, not by colour alone."""

    def __init__(self, box, colour: str, background: str, **kw):
        x, y, w, h = box
        super().__init__(pos=(x, y), size=(w, h), size_hint=(None, None), **kw)
        with self.canvas:
            Color(*rgba(colour))
            Triangle(points=[x, y, x + w, y, x + w / 2, y + h])
            Color(*rgba(background))
            Rectangle(pos=(x + w * 0.45, y + h * 0.35), size=(w * 0.1, h * 0.38))
            Rectangle(pos=(x + w * 0.45, y + h * 0.12), size=(w * 0.1, h * 0.12))


def picture(source: str, box) -> Image:
    """A content picture scaled into its box, keeping its proportions."""
    x, y, w, h = box
    return Image(source=source, pos=(x, y), size=(w, h), size_hint=(None, None), fit_mode="contain")


def qr_png(url: str) -> bytes:
    """The QR code of a URL as PNG bytes (high error correction, a generous quiet zone for phone cameras)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def qr_image(url: str, box, textures: dict) -> Image:
    """A QR code widget; its texture is kept in `textures` so a wipe can drop it."""
    from kivy.core.image import Image as CoreImage

    if url not in textures:
        textures[url] = CoreImage(BytesIO(qr_png(url)), ext="png").texture
        textures[url].mag_filter = "nearest"
    x, y, w, h = box
    image = Image(pos=(x, y), size=(w, h), size_hint=(None, None), fit_mode="contain")
    image.texture = textures[url]
    image.qr_url = url
    return image
