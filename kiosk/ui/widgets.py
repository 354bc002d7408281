"""The few widgets the kiosk draws with: text boxes, buttons, the caution icon, pictures and QR codes."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from kivy.graphics import Color, Line, Rectangle, RoundedRectangle, Triangle
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from content.limits import LINE_HEIGHT
from kiosk.ui.text import fit, measure, text_height
from kiosk.ui.theme import rgba

LINE_SPACING = LINE_HEIGHT  # one line height for the screen and the content linter
TIGHT_SPACING = 1.15  # before any text is drawn smaller than the standard size, lines move closer


def render_text(text: str, font_px: int, colour: str, *, bold: bool, halign: str, spacing: float = 0.0):
    """A texture of already-wrapped lines, never re-wrapped by Kivy (its core text provider: cheaper than a Label)."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(
        text=text,
        font_size=font_px,
        bold=bold,
        text_size=(None, None),
        halign=halign,
        valign="top",
        line_height=spacing or LINE_SPACING,
        color=rgba(colour),
    )
    core.refresh()
    return core.texture


class TextBox(Widget):
    """Text wrapped at phrase boundaries to its box and drawn centred vertically in it; `fits()` checks the result."""

    def __init__(self, text: str, box: tuple[float, float, float, float], font_px: int, colour: str, **kw):
        x, y, w, h = box
        self.halign = kw.pop("halign", "left")
        self.bold = kw.pop("bold", False)
        self.spacing = kw.pop("spacing", LINE_SPACING)
        min_px = kw.pop("min_px", font_px)
        self.text, self.font_size = fit(text, w, h, font_px, min_px, bold=self.bold, spacing=self.spacing)
        super().__init__(pos=(x, y), size=(w, h), size_hint=(None, None), **kw)
        texture = render_text(
            self.text, self.font_size, colour, bold=self.bold, halign=self.halign, spacing=self.spacing
        )
        self.texture_size = tuple(texture.size)
        left = {"left": x, "center": x + (w - texture.width) / 2, "right": x + w - texture.width}[self.halign]
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=texture, pos=(left, y + (h - texture.height) / 2), size=texture.size)

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


def fit_label(label: str, inner: tuple[float, float], font_px: int) -> tuple[str, int, float]:
    """A button label's wrapped text, size and line spacing: lines move closer (two-line labels in the fixed bar)
    before the text gets any smaller, and it shrinks only as a last resort."""
    floor = max(18, int(font_px * 0.6))
    for spacing in (LINE_SPACING, TIGHT_SPACING):
        text, px = fit(label, *inner, font_px, font_px, bold=True, spacing=spacing)
        if text_height(text.count("\n") + 1, measure(px, True), spacing) <= inner[1]:
            return text, px, spacing
    text, px = fit(label, *inner, font_px, floor, bold=True, spacing=TIGHT_SPACING)
    return text, px, TIGHT_SPACING


class KioskButton(ButtonBehavior, Widget):
    """A touch target carrying the guide action it dispatches; the label is fitted inside its padding."""

    def __init__(self, button_id: str, label: str, action, role: str, box, style, font_px: int, on_action: Callable):
        x, y, w, h = box
        bg, fg, border, border_px = style
        pad = max(8, int(min(w, h) * 0.08))
        self.inner = (w - 2 * pad, h - 2 * pad)
        self.text, self.font_size, self.spacing = fit_label(label, self.inner, font_px)
        super().__init__(pos=(x, y), size=(w, h), size_hint=(None, None))
        self.button_id, self.action, self.role = button_id, action, role
        self._on_action = on_action
        radius = min(18, h / 6)
        with self.canvas:
            Color(*rgba(bg))
            RoundedRectangle(pos=(x, y), size=(w, h), radius=[radius])
            if border_px:
                Color(*rgba(border))
                Line(rounded_rectangle=(x, y, w, h, radius), width=border_px)
            self.texture_size = (0, 0)
            if self.text:
                texture = render_text(self.text, self.font_size, fg, bold=True, halign="center", spacing=self.spacing)
                self.texture_size = tuple(texture.size)
                Color(1, 1, 1, 1)
                Rectangle(
                    texture=texture, pos=(x + (w - texture.width) / 2, y + (h - texture.height) / 2), size=texture.size
                )

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


_PICTURES: dict[str, object] = {}


def picture(source: str, box) -> Image:
    """A content picture scaled into its box, keeping its proportions (textures shared: pictures are content)."""
    from kivy.core.image import Image as CoreImage

    if source not in _PICTURES:
        _PICTURES[source] = CoreImage(source).texture
    x, y, w, h = box
    image = Image(pos=(x, y), size=(w, h), size_hint=(None, None), fit_mode="contain")
    image.texture = _PICTURES[source]
    return image


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
