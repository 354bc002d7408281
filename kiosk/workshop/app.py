"""`yorisoi kiosk --workshop FILE`: the Kivy app around the workshop replay (window, font, content, voice).

Built from the kiosk configuration for its content, font, theme and voice only. It builds no runtime, journal,
outbox or helpdesk client, sends no heartbeat and fetches nothing: a replay is not a resident session.
"""

from __future__ import annotations

from kiosk.config import KioskConfig

WINDOW = (1920, 1080)


def build_workshop(config: KioskConfig, export, procedures, *, speaker, size: tuple[int, int] = WINDOW):
    """The workshop screen for an already checked export (call after the Kivy window exists)."""
    from content.loader import PACKAGED
    from kiosk.fonts import find_japanese_font, register_default_font
    from kiosk.ui.theme import THEMES
    from kiosk.workshop.frames import workshop_guide
    from kiosk.workshop.window import WorkshopScreen

    register_default_font(find_japanese_font(config.font_fallback))
    guide = workshop_guide(procedures, config.guide_settings())
    pictures = (config.content_dir or PACKAGED) / "pictures"
    return WorkshopScreen(export.sessions, procedures, guide, pictures, speaker, THEMES[config.theme], size)


def workshop_speaker(config: KioskConfig, voice_on: bool):
    """The kiosk's own speaker when voice is on (configuration and command line), else a silent one."""
    import voice

    if not (voice_on and config.voice):
        return voice.NullSpeaker("disabled", "voice is off for this workshop")
    return voice.create_speaker()


def run_workshop(config: KioskConfig, export, procedures, *, voice_on: bool = True, fullscreen: bool = False) -> int:
    """Open the window in workshop mode and run until it is closed."""
    from kiosk.ui.window import configure_window, stop_on_signals

    configure_window(fullscreen, WINDOW)
    from kivy.app import App
    from kivy.config import Config
    from kivy.core.window import Window

    from kiosk.workshop.window import attach_keyboard

    Config.set("kivy", "exit_on_escape", "0")  # Esc goes back to the list; close the window to end
    holder: list = []

    class WorkshopApp(App):
        title = "Yorisoi ワークショップ(ふりかえり)"

        def build(self):
            root = build_workshop(config, export, procedures, speaker=workshop_speaker(config, voice_on))
            root.size_hint = (1, 1)
            root.bind(size=lambda *_a: root.redraw())
            root.on_quit = self.stop
            holder.append(root)
            attach_keyboard(Window, root)
            return root

        def on_start(self):
            stop_on_signals(self, [True])
            print(f"workshop: {len(export.sessions)} sessions ready", flush=True)

    try:
        WorkshopApp().run()
    finally:
        for root in holder:
            root.close()
    return 0
