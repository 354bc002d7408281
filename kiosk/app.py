"""The Kivy application: window, clock ticks, kiosk lockdown, the maintenance panel and housekeeping."""

from __future__ import annotations

import logging
import threading
from typing import Any

from kiosk.config import KioskConfig
from kiosk.ui.window import configure_window, lock_down, stop_on_signals

log = logging.getLogger(__name__)
THRESHOLDS_S = 3600.0  # per-step stuck thresholds change slowly: refresh hourly

TICK_S = 0.5


def kiosk_status(kiosk) -> dict[str, str]:
    """What the maintenance panel shows (no resident data)."""
    runtime = kiosk.runtime
    reach = runtime.help.reachable if runtime.help else None
    speaker = runtime.speaker.status()
    listener = runtime.listener.status()
    voices: dict[str, Any] = getattr(runtime.speaker, "voices", dict)()  # which engine speaks what, and credits owed
    return {
        "kiosk": kiosk.config.kiosk_id,
        "site": kiosk.config.site,
        "helpdesk": f"{kiosk.config.helpdesk_url} ({_reach_word(reach, runtime.help is not None)})",
        "outbox": f"{kiosk.journal.pending()} undelivered"
        + ("" if kiosk.courier else " (no helpdesk: kept in memory only)"),
        "content": kiosk.content_version
        + (f", {len(kiosk.catalog.problems)} problems" if kiosk.catalog.problems else ""),
        "content update": kiosk.updater.status_line() if kiosk.updater else "off (no content_public_key)",
        "voice out": ("available" if speaker.available else f"off ({speaker.reason})") + _engines(voices),
        "voice in": "available" if listener.available else f"off ({listener.reason})",
        "font": str(kiosk.font.regular),
        **({"voice credits": " ".join(voices["credits"])} if voices.get("credits") else {}),
        "card reader": _card_reader_words(runtime.card_reader_status()),
    }


def _engines(voices: dict) -> str:
    by_lang = voices.get("languages") or {}
    return (" — " + ", ".join(f"{lang}: {v['engine']}" for lang, v in by_lang.items())) if by_lang else ""


def _card_reader_words(status) -> str:
    if status is None:
        return "off (card_reader: false in the configuration)"
    if status.connected:
        return f"connected ({status.name})"
    return f"{'none connected' if status.state == 'absent' else 'ERROR'} ({status.reason})"


def _reach_word(reach: bool | None, configured: bool) -> str:
    if not configured:
        return "no key file: not connected"
    return {True: "reachable", False: "UNREACHABLE", None: "not contacted yet"}[reach]


def open_maintenance(kiosk, window) -> None:
    """Show the PIN pad over everything (only when a PIN hash is configured)."""
    from kiosk.ui.maintenance import MaintenancePanel

    if not kiosk.config.maintenance.pin_sha256:
        return
    panel: list = []

    def close() -> None:
        if panel:
            window.remove_widget(panel[0])

    panel.append(
        MaintenancePanel(
            kiosk.screen.theme,
            tuple(window.size),
            kiosk.config.maintenance.pin_matches,
            lambda: kiosk_status(kiosk),
            close,
        )
    )
    window.add_widget(panel[0])


def housekeeping(kiosk, kiosk_version: str = "0.1.0") -> None:
    """Queue a heartbeat (the courier's sender delivers it, with the session events, off the UI thread)."""
    if kiosk.courier is None:
        return
    try:
        voice_ok = bool(kiosk.runtime.speaker.status().available)
    except Exception:
        voice_ok = False
    kiosk.courier.heartbeat(
        kiosk_version=kiosk_version,
        content_version=kiosk.content_version,
        voice_available=voice_ok,
        content_errors=[str(p)[:200] for p in kiosk.catalog.problems[:50]],
        call_unavailable=kiosk.runtime.calls.unavailable if kiosk.runtime.calls else "no-helpdesk",
        content=kiosk.updater.report().model_dump(mode="json") if kiosk.updater else None,
        card_reader=reader.state if (reader := kiosk.runtime.card_reader_status()) else None,
    )


def switch_content(kiosk) -> None:
    """At the start screen, move to a staged content pack and report it at once. Returns None on purpose: a Kivy
    interval callback that returns False is unscheduled, and "nothing to switch" is the usual answer."""
    from kiosk.updater.switch import switch_at_start

    if switch_at_start(kiosk):
        housekeeping(kiosk)


def fetch_step_thresholds(kiosk, post) -> None:
    """Ask the helpdesk for per-step stuck thresholds, off the UI thread; apply them on it (kept on failure)."""
    helpdesk = kiosk.runtime.helpdesk
    if helpdesk is None:
        return

    def work() -> None:
        from kiosk.link.client import HelpdeskCallFailed

        try:
            served = helpdesk.step_thresholds().step_seconds
        except HelpdeskCallFailed as exc:
            log.info("step thresholds: %s", exc.code)
            return
        post(lambda: kiosk.runtime.use_step_thresholds(served))

    threading.Thread(target=work, daemon=True, name="kiosk-thresholds").start()


def run_kiosk(config: KioskConfig, *, fullscreen: bool = False, helpdesk="default") -> int:
    """Open the kiosk window and run until it is closed (never, in kiosk mode)."""
    configure_window(fullscreen)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.assembly import build_kiosk, kivy_post

    kiosk = build_kiosk(config, helpdesk=helpdesk)
    stopping = [False]

    class KioskApp(App):
        title = "Yorisoi"

        def build(self):
            if fullscreen:
                lock_down(Window, stopping)
            kiosk.screen.on_corner = lambda: open_maintenance(kiosk, Window)
            return kiosk.screen

        def on_start(self):
            stop_on_signals(self, stopping)
            kiosk.runtime.start()
            Clock.schedule_interval(lambda dt: kiosk.runtime.tick(dt), TICK_S)
            Clock.schedule_interval(lambda _dt: switch_content(kiosk), TICK_S)
            Clock.schedule_interval(lambda _dt: housekeeping(kiosk), config.heartbeat_s)
            housekeeping(kiosk)
            fetch_step_thresholds(kiosk, kivy_post)
            Clock.schedule_interval(lambda _dt: fetch_step_thresholds(kiosk, kivy_post), THRESHOLDS_S)
            print(f"kiosk {config.kiosk_id}: running", flush=True)  # for the journal (and tests): the window is up

    try:
        KioskApp().run()
    finally:
        kiosk.close()  # undelivered items stay in the outbox file for the next start
    print(f"kiosk {config.kiosk_id}: stopped ({'signal' if stopping[0] else 'window closed'})", flush=True)
    return 0
