"""Workshop mode on the kiosk window: a trainer picks an anonymised session and steps through what the resident saw.

The resident's screen is the real `KioskScreen` drawing the guide's own views, scaled onto a stage that ignores
touches; the trainer's strip (position, time on screen, what the resident did) and controls sit apart from it.
Nothing here records, escalates or talks to a helpdesk: there is no runtime, journal or client at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from kivy.clock import Clock
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.scatter import Scatter

from content.schema import Procedure
from helpdesk.wire import ReplaySession
from kiosk.guide import Guide
from kiosk.ui.layout import MIN_GAP, text_block_height
from kiosk.ui.screen import KioskScreen
from kiosk.ui.theme import STANDARD, Theme
from kiosk.ui.widgets import Fill, KioskButton, TextBox
from kiosk.workshop.frames import Screen, auto_delay, screens, summary

log = logging.getLogger(__name__)
STRIP_BG, STRIP_TEXT = "#0B1F3A", "#FFFFFF"
"""The trainer's strip: dark, unlike any kiosk screen, so the audience never mistakes it for the resident's."""
NEXT_STYLE = ("#FFE500", "#000000", "#FFFFFF", 3)
CONTROL_STYLE = ("#FFFFFF", "#1A1A1A", "#FFFFFF", 0)
ROWS_PER_PAGE = 3  # three sessions a page: large enough to read from the back of a room
SPEEDS: tuple[float | None, ...] = (None, 1.0, 4.0)
SPEED_LABELS = {None: "自動再生: 止", 1.0: "自動再生: 等速", 4.0: "自動再生: ×4"}
REFERENCE = (1920, 1080)
STRIP_H = 290  # at 1920×1080: one line of caption and a row of 130 px buttons

KEYS = {
    275: "next",  # →
    281: "next",  # Page Down (presenter clickers)
    32: "next",  # space
    13: "open",  # Enter
    276: "previous",  # ←
    280: "previous",  # Page Up
    8: "previous",  # Backspace
    273: "up",  # ↑
    274: "down",  # ↓
    27: "list",  # Esc
    278: "list",  # Home
    112: "auto",  # p
    113: "quit",  # q (a full-screen window has no close button)
}


class Stage(Scatter):
    """The resident's screen, scaled; it shows and never reacts (touches on it do nothing)."""

    def on_touch_down(self, touch) -> bool:
        """Ignore: a replayed screen is a picture of what the resident saw."""
        return False

    def on_touch_move(self, touch) -> bool:
        """Ignore."""
        return False

    def on_touch_up(self, touch) -> bool:
        """Ignore."""
        return False


class WorkshopScreen(FloatLayout):
    """The picker and the replay, drawn for the window's size; driven by touches, keys and the auto-play clock."""

    def __init__(
        self,
        sessions: Sequence[ReplaySession],
        procedures: Mapping[str, Procedure],
        guide: Guide,
        picture_dir: Path,
        speaker,
        theme: Theme = STANDARD,
        size: tuple[int, int] = REFERENCE,
    ):
        super().__init__(size=size, size_hint=(None, None))
        self.sessions, self.procedures, self.guide = list(sessions), procedures, guide
        self.speaker, self.theme = speaker, theme
        self.resident = KioskScreen(lambda _action: None, picture_dir, theme, size=REFERENCE, size_hint=(None, None))
        self.stage = Stage(
            do_rotation=False, do_scale=False, do_translation=False, size=REFERENCE, size_hint=(None, None)
        )
        self.summaries = [summary(s, procedures) for s in self.sessions]
        self.mode = "list"
        self.selected = 0
        self.session_index: int | None = None
        self.frames: tuple[Screen, ...] = ()
        self.index = 0
        self.speed: float | None = None
        self._auto = None
        self._controls: dict = {}
        self.on_quit: Callable[[], None] | None = None
        self.show_list()

    # --- picker --------------------------------------------------------------------------------------------------
    def show_list(self) -> None:
        """The list of sessions, the selected one's page."""
        self._stop_auto()
        self._quiet()
        self.mode, self.session_index = "list", None
        w, h = self.size
        s = min(w / REFERENCE[0], h / REFERENCE[1])
        margin, gap = round(60 * s), max(MIN_GAP, round(28 * s))
        self.clear_widgets()
        self.add_widget(Fill((0, 0, w, h), self.theme.page_bg))
        top = h - margin
        title = "ふりかえり: セッションを選んでください"
        title_px = round(64 * s)
        th = text_block_height(title, w - 2 * margin, title_px, bold=True)
        top -= th
        self.add_widget(TextBox(title, (margin, top, w - 2 * margin, th), title_px, self.theme.page_text, bold=True))
        hint = f"{len(self.sessions)}件 · ↑↓ で選び、スペースか Enter で開きます(住民の記録は仮名です)"
        hint_px = round(40 * s)
        hh = text_block_height(hint, w - 2 * margin, hint_px)
        top -= hh + gap / 2
        self.add_widget(TextBox(hint, (margin, top, w - 2 * margin, hh), hint_px, self.theme.page_text, min_px=24))
        nav_h = max(120, round(130 * s))
        bottom = margin + nav_h + gap
        pages = max(1, -(-len(self.sessions) // ROWS_PER_PAGE))
        page = self.selected // ROWS_PER_PAGE
        row_h = (top - gap - bottom - (ROWS_PER_PAGE - 1) * gap) / ROWS_PER_PAGE
        for slot in range(ROWS_PER_PAGE):
            i = page * ROWS_PER_PAGE + slot
            if i >= len(self.sessions):
                break
            self._session_row(i, (margin, top - gap - (slot + 1) * row_h - slot * gap, w - 2 * margin, row_h), s)
        third = (w - 2 * margin - 2 * gap) / 3
        if page > 0:
            self._control("workshop-prev-page", "まえのページ", "prev-page", (margin, margin, third, nav_h), s)
        self.add_widget(
            TextBox(
                f"ページ {page + 1} / {pages}",
                (margin + third + gap, margin, third, nav_h),
                round(44 * s),
                self.theme.page_text,
                halign="center",
            )
        )
        if page + 1 < pages:
            box = (margin + 2 * (third + gap), margin, third, nav_h)
            self._control("workshop-next-page", "つぎのページ", "next-page", box, s)

    def _session_row(self, i: int, box, s: float) -> None:
        x, y, w, h = box
        chosen = i == self.selected
        t = self.theme
        style = (
            (t.primary_bg, t.primary_text, t.border, 6) if chosen else (t.secondary_bg, t.secondary_text, t.border, 3)
        )
        self.add_widget(KioskButton(f"session-{i}", "", ("open", i), "card", box, style, 40, self._on_control))
        colour = style[1]
        pad = round(20 * s)
        entry = self.summaries[i]
        marker = "▶ " if chosen else "   "  # the choice is marked by shape too, not by colour alone
        title_px, detail_px = round(60 * s), round(48 * s)
        half = (h - 2 * pad) / 2
        self.add_widget(
            TextBox(
                f"{marker}{i + 1}. {entry.title}",
                (x + pad, y + pad + half, w - 2 * pad, half),
                title_px,
                colour,
                bold=True,
                min_px=round(36 * s),
            )
        )
        self.add_widget(
            TextBox(entry.details(), (x + pad * 3, y + pad, w - 4 * pad, half), detail_px, colour, min_px=28)
        )

    # --- replay --------------------------------------------------------------------------------------------------
    def open_session(self, i: int) -> None:
        """Replay session `i` from its first screen."""
        self.selected, self.session_index = i, i
        self.frames = screens(self.sessions[i], self.guide)
        self.mode = "replay"
        self.show_frame(0)

    def redraw(self) -> None:
        """Draw the current view again for a new window size (without speaking it again)."""
        if self.mode == "list":
            self.show_list()
        else:
            self.show_frame(self.index, speak=False)

    def show_frame(self, index: int, *, speak: bool = True) -> None:
        """Draw screen `index` of the open session with its strip, and speak it."""
        self.index = max(0, min(index, len(self.frames) - 1))
        frame = self.frames[self.index]
        w, h = self.size
        s = min(w / REFERENCE[0], h / REFERENCE[1])
        strip_h = round(STRIP_H * s)
        k = (h - strip_h) / REFERENCE[1]
        self.clear_widgets()
        self.add_widget(Fill((0, 0, w, h), STRIP_BG))
        self.stage.remove_widget(self.resident)  # drawn outside the scaled stage: Scatter recomputes less
        self.resident.show(frame.view, REFERENCE)
        self.stage.add_widget(self.resident)
        self.stage.scale, self.stage.pos = k, (0, strip_h)
        self.add_widget(self.stage)
        self._side((REFERENCE[0] * k, strip_h, w - REFERENCE[0] * k, h - strip_h), frame, s)
        self._strip((0, 0, w, strip_h), frame, s)
        if speak:
            self._speak(frame)
            self._schedule_auto()

    def _side(self, box, frame: Screen, s: float) -> None:
        x, y, w, h = box
        pad = round(24 * s)
        x, w = x + pad, w - 2 * pad
        top = y + h - pad
        entry = self.summaries[self.session_index or 0]
        head = f"{entry.title}\n{entry.language} · {entry.day} · {entry.ending}"
        head_px = round(34 * s)
        hh = min(text_block_height(head, w, head_px, bold=True), h * 0.4)
        top -= hh
        self.add_widget(TextBox(head, (x, top, w, hh), head_px, STRIP_TEXT, bold=True, min_px=22))
        caption = frame.caption
        lines = [f"【{caption.step_title}】", caption.at, "この画面で:"]
        lines += list(caption.events) or ["(操作なし)"]
        text = "\n".join(lines)
        body_px = round(36 * s)
        top -= 2 * pad
        room = top - y - pad
        bh = min(text_block_height(text, w, body_px), room)  # from the top down; shrinks only when it must
        self.events_box = TextBox(text, (x, top - bh, w, bh), body_px, STRIP_TEXT, min_px=22)
        self.add_widget(self.events_box)

    def _strip(self, box, frame: Screen, s: float) -> None:
        x, y, w, h = box
        margin, gap = round(40 * s), max(MIN_GAP, round(24 * s))
        button_h = max(120, round(130 * s))
        line_h = h - button_h - 3 * gap / 2
        line_box = (x + margin, y + button_h + gap, w - 2 * margin, line_h)
        self.add_widget(Fill((x, y + h - 4, w, 4), "#FFFFFF"))  # the line between the resident's screen and ours
        self.caption_box = TextBox(frame.caption.line(), line_box, round(48 * s), STRIP_TEXT, bold=True, min_px=26)
        self.add_widget(self.caption_box)
        bw = (w - 2 * margin - 3 * gap) / 4
        controls = [
            ("workshop-previous", "◀ まえの画面", "previous", CONTROL_STYLE),
            ("workshop-next", "つぎの画面 ▶", "next", NEXT_STYLE),
            ("workshop-auto", SPEED_LABELS[self.speed], "auto", CONTROL_STYLE),
            ("workshop-list", "一覧にもどる", "list", CONTROL_STYLE),
        ]
        ends = {"previous": (self.index == 0, "最初の画面"), "next": (self.index + 1 >= len(self.frames), "最後の画面")}
        for i, (button_id, label, action, style) in enumerate(controls):
            box = (x + margin + i * (bw + gap), y + gap / 2, bw, button_h)
            at_end, note = ends.get(action, (False, ""))
            if at_end:  # no dead button: say why there is nothing to press
                self.add_widget(TextBox(note, box, round(44 * s), STRIP_TEXT, halign="center"))
            else:
                self._control(button_id, label, action, box, s, style)

    # --- controls ------------------------------------------------------------------------------------------------
    def _control(self, button_id: str, label: str, action, box, s: float, style=None) -> KioskButton:
        t = self.theme
        style = style or (t.secondary_bg, t.secondary_text, t.border, 3)
        key = (button_id, label, action, tuple(box), style, round(44 * s))
        button = self._controls.get(key)  # the same control on the next screen is reused, not rebuilt
        if button is None:
            button = KioskButton(button_id, label, action, "secondary", box, style, round(44 * s), self._on_control)
            self._controls[key] = button
        self.add_widget(button)
        return button

    def _on_control(self, action) -> None:
        if isinstance(action, tuple) and action[0] == "open":
            self.open_session(action[1])
        else:
            self.command(action)

    def command(self, name: str) -> None:
        """One trainer command: next, previous, open, up, down, list, auto, next-page, prev-page, quit."""
        if name == "quit":
            if self.on_quit is not None:
                self.on_quit()
        elif self.mode == "list":
            self._list_command(name)
        elif name == "next":
            if self.index + 1 < len(self.frames):
                self.show_frame(self.index + 1)
        elif name == "previous":
            if self.index > 0:
                self.show_frame(self.index - 1)
        elif name == "list":
            self.show_list()
        elif name == "auto":
            self.speed = SPEEDS[(SPEEDS.index(self.speed) + 1) % len(SPEEDS)]
            self.show_frame(self.index, speak=False)
            self._schedule_auto()

    def _list_command(self, name: str) -> None:
        if not self.sessions:
            return
        moves = {
            "down": 1,
            "next": 1,
            "up": -1,
            "previous": -1,
            "next-page": ROWS_PER_PAGE,
            "prev-page": -ROWS_PER_PAGE,
        }
        if name in moves:
            target = self.selected + moves[name]
            if name.endswith("-page"):
                target = (target // ROWS_PER_PAGE) * ROWS_PER_PAGE
            self.selected = max(0, min(len(self.sessions) - 1, target))
            self.show_list()
        elif name == "open":
            self.open_session(self.selected)

    def on_key(self, _window, key: int, *_args) -> bool:
        """Keyboard and presenter clicker: arrows, Page Up/Down, space, Enter, Esc/Home (list), p (auto-play), q."""
        name = KEYS.get(key)
        if name is None:
            return False
        if self.mode == "list" and name == "next" and key == 32:
            name = "open"  # space opens the chosen session, as a clicker's main button should
        if self.mode == "replay" and name in ("down", "up"):
            name = "next" if name == "down" else "previous"
        self.command(name)
        return True

    # --- time and voice ------------------------------------------------------------------------------------------
    def _schedule_auto(self) -> None:
        self._stop_auto()
        if self.speed is None or self.index + 1 >= len(self.frames):
            return
        delay = auto_delay(self.frames[self.index].seconds, self.speed)
        self._auto = Clock.schedule_once(lambda _dt: self.command("next"), delay)

    def _stop_auto(self) -> None:
        if self._auto is not None:
            self._auto.cancel()
            self._auto = None

    def _speak(self, frame: Screen) -> None:
        self._quiet()
        _safely(lambda: self.speaker.speak(frame.speech, reading=frame.reading, lang=frame.view.language))

    def _quiet(self) -> None:
        _safely(self.speaker.stop)

    def close(self) -> None:
        """Stop the clock and the voice."""
        self._stop_auto()
        self._quiet()
        _safely(self.speaker.close)


def _safely(call) -> None:
    """Speech failing never stops the replay (the text is on screen)."""
    try:
        call()
    except Exception as exc:
        log.warning("speech call failed: %s", type(exc).__name__)


def attach_keyboard(window, root: WorkshopScreen):
    """Route the window's keys to the workshop; returns the function that detaches them."""
    window.bind(on_key_down=root.on_key)
    return lambda: window.unbind(on_key_down=root.on_key)
