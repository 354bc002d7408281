"""The kiosk's window as a resident's machine needs it: no border, no way out but a signal."""

from __future__ import annotations


def configure_window(fullscreen: bool, size: tuple[int, int] = (1920, 1080)) -> None:
    """Window settings that must be made before the window opens: kiosk mode has no border and ignores Esc."""
    import os

    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")  # SIGTERM (systemd stop) reaches Python, not a refused close
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0" if fullscreen else "1")
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    if fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("input", "mouse", "mouse,disable_multitouch")


def lock_down(window, stopping: list[bool]) -> None:
    """No way out for residents: the window refuses to close and swallows every keyboard shortcut.

    Only a signal (systemd stop, Ctrl-C in a terminal) ends the kiosk: it sets `stopping[0]` first.
    """
    window.bind(on_request_close=lambda *_args, **_kw: not stopping[0])
    window.bind(on_keyboard=lambda *_args: True)


def stop_on_signals(app, stopping: list[bool]) -> None:
    """SIGTERM and SIGINT stop the app cleanly (the next start wipes anyway)."""
    import signal

    def stop(_signum, _frame) -> None:
        stopping[0] = True
        app.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
