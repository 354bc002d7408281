"""Drive the real kiosk window without a person: frames, touches at button centres, screenshots.

Used by the tests, the headless demo and the benchmark. With DISPLAY unset SDL renders offscreen (PLATFORM.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kivy.uix.widget import Widget


def quiet_kivy(home: str | None = None) -> None:
    """Keep Kivy from reading the command line, logging to the console, or writing ~/.kivy (call before import)."""
    import tempfile

    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy leaves stderr alone: tracebacks stay visible
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_USE_DEFAULTCONFIG", "1")
    os.environ.setdefault("KIVY_HOME", home or tempfile.mkdtemp(prefix="yorisoi-kivy-"))


def open_window(size: tuple[int, int]):
    """The one Kivy window of this process, at `size` (Kivy cannot make a second one)."""
    import logging

    from kivy.config import Config

    logging.getLogger("kivy").setLevel(logging.WARNING)  # headless runs print only what matters
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "0")
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    frames(2)
    return Window


def frames(count: int = 1) -> None:
    """Advance the event loop `count` frames (clock callbacks, layout, drawing)."""
    from kivy.base import EventLoop

    for _ in range(count):
        EventLoop.idle()


def walk(widget: Widget):
    """Every widget in a tree, depth first."""
    yield widget
    for child in widget.children:
        yield from walk(child)


def find_button(root: Widget, button_id: str):
    """The kiosk button with this id on screen (the topmost when several)."""
    for widget in walk(root):
        if getattr(widget, "button_id", None) == button_id:
            return widget
    raise LookupError(f"no button '{button_id}' on screen")


def touch(root: Widget, button_id: str | None = None, pos: tuple[float, float] | None = None) -> None:
    """Touch down and up at a button's centre (or at `pos`), as a finger would, advancing frames."""
    from kivy.base import EventLoop
    from kivy.input.motionevent import MotionEvent

    # Our own one-finger event, not kivy.tests.common's (that module imports pytest, which a user install lacks).
    class FingerTouch(MotionEvent):
        def depack(self, args: dict[str, float]) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

    if button_id:
        x, y = find_button(root, button_id).center
    elif pos is not None:
        x, y = pos
    else:
        raise ValueError("touch() needs a button id or a position")
    window = EventLoop.window
    finger = FingerTouch(
        "pilot", 99, {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}, is_touch=True, type_id="touch"
    )
    finger.profile = ["pos"]
    EventLoop.post_dispatch_input("begin", finger)
    EventLoop.idle()
    EventLoop.post_dispatch_input("end", finger)
    EventLoop.idle()


def screenshot(path: Path) -> Path:
    """Write the next drawn frame to `path` as PNG (from on_flip: reads from a Clock callback can come out black)."""
    from kivy.core.window import Window

    written: list[str] = []

    def grab(*_args):
        if not written:
            written.append(Window.screenshot(name=str(path)))

    Window.bind(on_flip=grab)
    try:
        Window.canvas.ask_update()
        for _ in range(5):
            frames(1)
            if written:
                break
    finally:
        Window.unbind(on_flip=grab)
    if not written or not written[0]:
        raise RuntimeError("the window drew no frame to capture")
    Path(written[0]).replace(path)
    return path
