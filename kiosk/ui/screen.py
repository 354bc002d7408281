"""Draw one `ScreenView` (attributes down) and send the action of a touched button to one callback (messages up)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.uix.floatlayout import FloatLayout

from kiosk.guide import Block, Button, ScreenView
from kiosk.ui import text
from kiosk.ui.call_panel import draw_ringing, in_call_strip
from kiosk.ui.layout import MIN_TARGET, PRIMARY_W, Box, Metrics, row, text_block_height
from kiosk.ui.overlay import draw_overlay
from kiosk.ui.pointer import PointerRing
from kiosk.ui.theme import STANDARD, Theme
from kiosk.ui.widgets import LINE_SPACING, TIGHT_SPACING, CautionIcon, Fill, KioskButton, TextBox, picture, qr_image

BUTTON_CACHE = 64
MIC: Any = object()  # the push-to-talk button's "action": handled here, not by the guide
MIC_LABEL = {"ja": "話す", "ja-easy": "はなす", "en": "Speak"}
LAST_RESORT = 0.85  # below the standard size only when even that cannot fit (small screens, long English)
STAFF_SCALES = (1.4, 1.2, 1.0)
"""Staff messages are drawn very large (title size, 1.4× the body); smaller, down to the body size, only when
space is short: the body text never gets smaller than the standard size before they do."""


BAR_SLOTS = 6
"""もどる / もういちど / 係の人を呼ぶ / 文字の大きさ / 声の設定 / 言語."""


class KioskScreen(FloatLayout):
    """The root widget: rebuilt from each view, so nothing of a previous screen lingers."""

    def __init__(self, on_action: Callable, picture_dir: Path, theme: Theme = STANDARD, **kw):
        super().__init__(**kw)
        self.on_action, self.picture_dir, self.theme = on_action, picture_dir, theme
        self.view: ScreenView | None = None
        self.qr_textures: dict = {}
        self.on_corner: Callable[[], None] | None = None
        self.on_mic: Callable[[], None] | None = None
        self.voice_input = False  # push-to-talk button only when a listener can work
        self._corner_touches: list[float] = []
        self.corner_count, self.corner_window_s = 5, 3.0
        self.fitted_px: dict[str, int] = {}
        self._buttons: dict = {}
        self.element_boxes: dict[str, Box] = {}
        self.ring: PointerRing | None = None
        self.bind(size=self._resized)

    def _resized(self, *_args) -> None:
        if self.view is not None and self.parent is not None:
            self.show(self.view)

    # --- drawing -----------------------------------------------------------------------------------------------
    def show(self, view: ScreenView, size: tuple[int, int] | None = None) -> None:
        """Replace everything on screen with `view`, laid out for `size` (default: this widget's size)."""
        self.view = view
        self.element_boxes = {}
        self.spacing, self.staff_scale = LINE_SPACING, STAFF_SCALES[0]
        width, height = size or (int(self.width), int(self.height))
        m = Metrics.of(width, height, view.text_size)
        self.clear_widgets()
        self.add_widget(Fill((0, 0, width, height), self.theme.page_bg))
        top = self._header(view, m)
        if view.call is not None and view.call.status != "ringing":
            top = in_call_strip(self, view, m, top)
        action_top = self._actions(view, m)
        self._bar(view.bar, m)
        content: Box = (m.margin, action_top + m.gap, m.inner_width, top - m.gap - action_top - m.gap)
        getattr(self, f"_content_{view.screen}", self._content_default)(view, m, content)
        if view.call is not None and view.call.status == "ringing":
            draw_ringing(self, view, m)
        elif view.overlay:
            self._overlay(view, m)
        self._pointer(view, m)

    def _pointer(self, view: ScreenView, m: Metrics) -> None:
        """The ring round the element staff point at (drawn last: above everything, taking no touches)."""
        if self.ring is not None:
            self.ring.stop()
            self.ring = None
        box = self.element_boxes.get(view.pointer or "")
        if box is not None:
            self.ring = PointerRing(box, m.scale)
            self.add_widget(self.ring)

    def wipe(self) -> None:
        """Forget the resident's screen and QR codes (the next Show draws the start screen)."""
        if self.ring is not None:
            self.ring.stop()
            self.ring = None
        self.clear_widgets()
        self.view = None
        self.qr_textures.clear()
        self._buttons.clear()
        text.forget()

    def _header(self, view: ScreenView, m: Metrics) -> float:
        top: float = m.height - m.margin
        if view.screen == "start":
            return top
        progress_w = round(320 * m.scale) if view.progress else 0
        mic_w = max(MIN_TARGET, round(140 * m.scale)) if self.voice_input and len(view.bar) == BAR_SLOTS else 0
        if mic_w:
            mic = Button("mic", MIC_LABEL.get(view.language, MIC_LABEL["ja"]), MIC, "secondary")
            self.add_button(mic, (m.width - m.margin - mic_w, top - mic_w, mic_w, mic_w), m.body)
            top_right = m.width - m.margin - mic_w - m.gap
        else:
            top_right = m.width - m.margin
        title_w = top_right - m.margin - (progress_w + m.gap if progress_w else 0)
        # a title never takes more than two lines of the standard title size: long titles at larger sizes shrink
        cap = text_block_height("あ\nあ", title_w, m.min_title, bold=True)
        h = min(text_block_height(view.title, title_w, m.title, bold=True), cap)
        title = TextBox(
            view.title, (m.margin, top - h, title_w, h), m.title, self.theme.page_text, bold=True, min_px=m.min_title
        )
        self.add_widget(title)
        if view.progress:
            box = (top_right - progress_w, top - h, progress_w, h)
            self.add_widget(TextBox(view.progress, box, m.body, self.theme.page_text, halign="right", min_px=20))
        top -= h
        if view.banner:
            text_h = text_block_height(view.banner, m.inner_width - 40, m.body, bold=True)
            bh = text_h + 20
            top -= m.gap / 2 + bh
            self.add_widget(Fill((m.margin, top, m.inner_width, bh), self.theme.banner_bg, radius=12))
            box = (m.margin + 20, top + 10, m.inner_width - 40, text_h)  # (text_h + 20) - 20 < text_h in floats
            self.add_widget(TextBox(view.banner, box, m.body, self.theme.banner_text, bold=True, min_px=20))
        return top

    def _bar(self, bar: tuple[Button, ...], m: Metrics) -> None:
        self.add_widget(Fill((0, 0, m.width, m.bar_h), self.theme.bar_bg))
        boxes = row(m.margin, (m.bar_h - m.bar_button_h) / 2, m.inner_width, m.bar_button_h, BAR_SLOTS, m.gap)
        if len(bar) < BAR_SLOTS:  # start screen: the settings at the right end, where they sit in a session
            boxes = boxes[BAR_SLOTS - len(bar) :]
        for button, box in zip(bar, boxes, strict=False):
            self.add_button(button, box, m.body)

    def _actions(self, view: ScreenView, m: Metrics) -> float:
        """The row of primary / choice / paging buttons above the bar; returns its top edge."""
        buttons = [b for b in view.buttons if view.screen != "start"]
        y = m.bar_h + m.gap
        if not buttons:
            return m.bar_h
        if len(buttons) == 1:
            w = max(PRIMARY_W, round(m.inner_width * 0.4))
            left = m.margin if buttons[0].id == "prev-page" else m.width - m.margin - w  # "back" things sit left
            boxes: list[Box] = [(left, y, w, m.action_h)]
        elif view.screen == "help":
            return self._help_buttons(buttons, m, y)
        elif len(buttons) > 4:  # more than fit a row: rows of three
            return self._button_rows(buttons, m, y)
        else:
            boxes = row(m.margin, y, m.inner_width, m.action_h, len(buttons), m.gap)
        for button, box in zip(buttons, boxes, strict=True):
            self.add_button(button, box, m.body)
        return y + m.action_h

    def _help_buttons(self, buttons: list[Button], m: Metrics, y: float) -> float:
        """Help reasons: two rows of two big buttons, half as tall again as a つぎへ button."""
        h = round(m.action_h * 1.5)
        for i, button in enumerate(buttons):
            col, line = i % 2, (len(buttons) - 1 - i) // 2
            w = (m.inner_width - m.gap) / 2
            box = (m.margin + col * (w + m.gap), y + line * (h + m.gap), w, h)
            self.add_button(button, box, m.body)
        return y + ((len(buttons) + 1) // 2) * (h + m.gap) - m.gap

    def _button_rows(self, buttons: list[Button], m: Metrics, y: float) -> float:
        """Rows of at most three equal buttons, first ones on top; returns the top edge."""
        lines = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        for depth, line in enumerate(reversed(lines)):
            boxes = row(m.margin, y + depth * (m.action_h + m.gap), m.inner_width, m.action_h, len(line), m.gap)
            for button, box in zip(line, boxes, strict=True):
                self.add_button(button, box, m.body)
        return y + len(lines) * (m.action_h + m.gap) - m.gap

    def add_button(self, button: Button, box: Box, font_px: int) -> KioskButton:
        """Draw a button in its role's style; an identical one from the previous screen is reused."""
        t = self.theme
        styles = {
            "primary": (t.primary_bg, t.primary_text, t.border, 0),
            "help": (t.help_bg, t.help_text, t.border, 2),
            "card": (t.secondary_bg, t.secondary_text, t.border, 3),
        }
        style = styles.get(button.role, (t.secondary_bg, t.secondary_text, t.border, 3))
        key = (button, tuple(box), style, font_px)
        widget = self._buttons.pop(key, None) or KioskButton(
            button.id, button.label, button.action, button.role, box, style, font_px, self._dispatch
        )
        self._buttons[key] = widget  # reused by the next screen when identical (the fixed bar, つぎへ)
        self.element_boxes[button.id] = box
        while len(self._buttons) > BUTTON_CACHE:
            self._buttons.pop(next(iter(self._buttons)))
        self.add_widget(widget)
        return widget

    def _dispatch(self, action) -> None:
        if action is MIC:
            if self.on_mic is not None:
                self.on_mic()
            return
        self.on_action(action)

    # --- content areas -----------------------------------------------------------------------------------------
    def _content_default(self, view: ScreenView, m: Metrics, box: Box) -> None:
        x, y, w, h = box
        side = bool(view.picture or view.qr_url)
        text_w = w - (m.picture_w + m.gap if side else 0)
        px = self._fit_blocks(view.blocks, text_w, h, m, m.min_body)
        if px is None and view.picture and not view.qr_url:
            side, text_w = False, w  # the text matters more than the picture: give it the whole width
            px = self._fit_blocks(view.blocks, text_w, h, m, m.min_body)
        px = px or self._fit_blocks(view.blocks, text_w, h, m, round(m.min_body * LAST_RESORT)) or m.min_body
        self._blocks(view.blocks, (x, y, text_w, h), m, px)
        if side:
            self._side(view, (x + text_w + m.gap, y, m.picture_w, h), m)

    def _fit_blocks(self, blocks: tuple[Block, ...], w: float, h: float, m: Metrics, floor: int) -> int | None:
        """Body size for the blocks at normal line spacing, else at tight spacing (sets `self.spacing`)."""
        for spacing, staff_scale in zip((LINE_SPACING, TIGHT_SPACING, TIGHT_SPACING), STAFF_SCALES, strict=True):
            self.spacing, self.staff_scale = spacing, staff_scale
            px = self._body_px(blocks, w, h, m, floor)
            if px is not None:
                return px
        return None

    def _side(self, view: ScreenView, box: Box, m: Metrics) -> None:
        x, y, w, h = box
        if view.qr_url:
            label_h = text_block_height(view.qr_label, w, m.min_body) if view.qr_label else 0
            size = min(w, h - label_h - (m.gap if label_h else 0) - (h * 0.35 if view.picture else 0))
            qy = y + h - size - (h * 0.35 + m.gap if view.picture else 0)
            self.add_widget(Fill((x + (w - size) / 2, qy, size, size), "#FFFFFF"))
            self.add_widget(qr_image(view.qr_url, (x + (w - size) / 2, qy, size, size), self.qr_textures))
            self.element_boxes["qr"] = (x + (w - size) / 2, qy, size, size)
            if view.qr_label:
                self.add_widget(
                    TextBox(view.qr_label, (x, qy - label_h - 8, w, label_h), m.min_body, self.theme.page_text)
                )
            if view.picture:
                self._picture(view.picture, (x, y + h - h * 0.35, w, h * 0.35))
        elif view.picture:
            self._picture(view.picture, (x, y + max(0, h - w), w, min(w, h)))

    def _picture(self, name: str, box: Box) -> None:
        path = self.picture_dir / name
        self.element_boxes.setdefault("picture", box)
        if path.exists():
            self.add_widget(picture(str(path), box))

    def _body_px(self, blocks: tuple[Block, ...], w: float, h: float, m: Metrics, floor: int) -> int | None:
        """The largest body size from the chosen one down to `floor` at which the blocks fit (None: none does)."""
        px = m.body
        while True:
            needed = sum(self._block_height(b, w, px, m) for b in blocks) + m.gap * max(0, len(blocks) - 1)
            if needed <= h:
                return px
            if px <= floor:
                return None
            px = max(floor, int(px * 0.94))

    def _blocks(self, blocks: tuple[Block, ...], box: Box, m: Metrics, px: int | None = None) -> None:
        """Stack text blocks from the top at `px` (default: the chosen size, shrunk only as far as needed)."""
        x, y, w, h = box
        px = px or self._body_px(blocks, w, h, m, m.min_body) or m.min_body
        self.fitted_px["body"] = px
        top = y + h
        for block in blocks:
            bh = self._block_height(block, w, px, m)
            top -= bh
            self._block(block, (x, top, w, bh), px, m)
            self.element_boxes.setdefault("instruction", (x, top, w, bh))
            top -= m.gap

    def _block_height(self, block: Block, w: float, px: int, m: Metrics) -> float:
        if block.kind == "caution":
            icon = px * 1.6
            return max(icon, text_block_height(block.text, w - icon - 3 * 20, px, bold=True, spacing=self.spacing)) + 40
        if block.kind == "staff":
            return text_block_height(block.text, w - 40, round(px * self.staff_scale), spacing=self.spacing) + 40
        return text_block_height(block.text, w, px, bold=block.kind == "question", spacing=self.spacing)

    def _block(self, block: Block, box: Box, px: int, m: Metrics) -> None:
        x, y, w, h = box
        t = self.theme
        if block.kind == "caution":
            icon = px * 1.6
            self.add_widget(Fill(box, t.caution_bg, t.caution_border, 4, radius=12))
            self.add_widget(CautionIcon((x + 20, y + h - 20 - icon, icon, icon * 0.9), t.caution_border, t.caution_bg))
            text_box = (x + icon + 40, y + 20, w - icon - 60, h - 40)
            self.add_widget(TextBox(block.text, text_box, px, t.caution_text, bold=True, spacing=self.spacing))
        elif block.kind == "staff":
            self.add_widget(Fill(box, t.staff_bg, t.border, 3, radius=12))
            box = (x + 20, y + 20, w - 40, h - 40)
            self.add_widget(TextBox(block.text, box, round(px * self.staff_scale), t.staff_text, spacing=self.spacing))
        else:
            bold = block.kind == "question"
            self.add_widget(TextBox(block.text, box, px, t.page_text, bold=bold, spacing=self.spacing))

    def _content_start(self, view: ScreenView, m: Metrics, box: Box) -> None:
        x, y, w, h = box
        extra = view.buttons[1:]  # the card check, when a reader is connected: one row under the text
        if extra:
            for button, cell in zip(extra, row(x, y, w, m.action_h, len(extra), m.gap), strict=True):
                self.add_button(button, cell, m.body)
            y, h = y + m.action_h + m.gap, h - m.action_h - m.gap
        text_h = sum(text_block_height(b.text, w, m.body) for b in view.blocks) + m.gap * len(view.blocks)
        begin = view.buttons[0]
        self.add_button(begin, (x, y + text_h + m.gap, w, h - text_h - m.gap), round(m.title * 1.4))
        self._blocks(view.blocks, (x, y, w, text_h), m)

    def _content_catalog(self, view: ScreenView, m: Metrics, box: Box) -> None:
        x, y, w, h = box
        cols = 3
        rows = 2
        cw, ch = (w - (cols - 1) * m.gap) / cols, (h - (rows - 1) * m.gap) / rows
        for i, card in enumerate(view.cards):
            cx, cy = x + (i % cols) * (cw + m.gap), y + h - (i // cols + 1) * ch - (i // cols) * m.gap
            button = Button(f"card-{card.procedure_id}", "", card.action, "card")
            self.add_button(button, (cx, cy, cw, ch), m.body)
            icon_h = card_icon_height(card.title, card.icon is not None, cw - 32, ch, m)
            if icon_h and card.icon:
                self._picture(card.icon, (cx + 10, cy + ch - icon_h - 10, cw - 20, icon_h))
            text_box = (cx + 16, cy + 12, cw - 32, ch - icon_h - 34)
            title = TextBox(card.title, text_box, m.body, self.theme.secondary_text, bold=True, min_px=m.min_body)
            self.add_widget(title)

    def _overlay(self, view: ScreenView, m: Metrics) -> None:
        draw_overlay(self, view, m)

    # --- staff-only corner gesture -----------------------------------------------------------------------------
    def on_touch_down(self, touch) -> bool:
        """Count touches in the top-left corner for the maintenance gesture; everything else goes to the buttons."""
        corner = max(96, 120 * min(self.width / 1920, self.height / 1080))
        if touch.x <= corner and touch.y >= self.height - corner:
            now = time.monotonic()
            self._corner_touches = [t for t in self._corner_touches if now - t <= self.corner_window_s] + [now]
            if len(self._corner_touches) >= self.corner_count and self.on_corner:
                self._corner_touches.clear()
                self.on_corner()
                return True
        return super().on_touch_down(touch)


def card_icon_height(title: str, has_icon: bool, text_w: float, card_h: float, m: Metrics) -> float:
    """A catalog card's picture height: the title comes first (never below the standard body size); the picture
    takes what is left, and is left out when that is too little to recognise."""
    if not has_icon:
        return 0
    wanted = card_h * 0.5 * m.min_body / m.body  # larger text, smaller picture
    left = card_h - 34 - text_block_height(title, text_w, m.body, bold=True)
    icon_h = min(wanted, left)
    return icon_h if icon_h >= card_h * 0.2 else 0
