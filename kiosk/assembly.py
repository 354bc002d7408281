"""Put one kiosk together from its configuration: content, guide, screen, speech, helpdesk client, journal, runtime.

Call after the Kivy window exists (textures need a GL context). Used by the app, the demo, the tests and the bench.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from content.loader import PACKAGED, Catalog, load_catalog
from kiosk.config import KioskConfig
from kiosk.fonts import KioskFont, find_japanese_font, register_default_font
from kiosk.guide import Guide
from kiosk.link.client import Helpdesk, HelpdeskClient
from kiosk.link.courier import Courier
from kiosk.link.journal import Journal, MemoryJournal
from kiosk.runtime import KioskRuntime
from kiosk.ui.screen import KioskScreen
from kiosk.ui.theme import THEMES
from kiosk.updater.switch import boot_content, site_values_for
from kiosk.updater.updater import Updater


@dataclass
class Kiosk:
    """Everything one running kiosk is made of."""

    config: KioskConfig
    catalog: Catalog
    font: KioskFont
    guide: Guide
    screen: KioskScreen
    runtime: KioskRuntime
    journal: Journal
    content_version: str
    courier: Courier | None = None
    updater: Updater | None = None

    def close(self) -> None:
        """Stop delivering (what is undelivered stays in the outbox file for the next start), any call, and reading
        cards."""
        calls = self.runtime.calls
        if calls is not None and calls.media is not None:
            calls.media.shutdown()
        self.runtime.stop()
        if self.courier is not None:
            self.courier.stop()


def content_version(catalog: Catalog) -> str:
    """A short fingerprint of the loaded procedures and their versions."""
    ids = ",".join(f"{p.id}@{p.version}" for p in sorted(catalog.procedures.values(), key=lambda p: p.id))
    return f"{len(catalog.procedures)} procedures #{hashlib.sha256(ids.encode()).hexdigest()[:10]}"


def kivy_post(fn: Callable[[], None]) -> None:
    """Run `fn` on the Kivy thread at the next frame (safe to call from any thread)."""
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: fn(), 0)


def default_helpdesk(config: KioskConfig) -> Helpdesk | None:
    """The HTTP client when a key file is configured, else None (help falls back to the counter and phone)."""
    key = config.kiosk_key()
    return HelpdeskClient(config.helpdesk_url, key, ca_file=config.ca_file) if key else None


def build_kiosk(
    config: KioskConfig,
    *,
    helpdesk: Helpdesk | str | None = "default",
    speaker: Any = None,
    listener: Any = None,
    post: Callable[[Callable[[], None]], None] = kivy_post,
    size: tuple[int, int] | None = None,
    card_reader: Any = "default",
) -> Kiosk:
    """Assemble a kiosk; `helpdesk="default"` builds the HTTP client from the configuration."""
    font = find_japanese_font(config.font_fallback)
    register_default_font(font)
    if isinstance(helpdesk, str):  # "default": the one the configuration names
        helpdesk = default_helpdesk(config)
    updater, loaded = boot_content(config, helpdesk)  # the last verified pack: guides with no network
    content_dir = loaded.folder if loaded else config.content_dir
    catalog = load_catalog(content_dir / "procedures") if content_dir else load_catalog()
    settings = replace(config.guide_settings(), site_values=site_values_for(config, updater))
    guide = Guide(catalog.procedures, settings)
    pictures = (content_dir or PACKAGED) / "pictures"
    screen = KioskScreen(lambda action: runtime.dispatch(action), Path(pictures), THEMES[config.theme])
    if size:
        screen.size = size
    screen.corner_count, screen.corner_window_s = config.maintenance.touches, config.maintenance.within_s
    courier = Courier(config.outbox_path(), helpdesk, config.kiosk_id) if helpdesk is not None else None
    journal: Journal = courier or MemoryJournal(config.kiosk_id)
    if courier is not None:
        courier.on_heartbeat_answer = updater.offer_answer if updater else None
        courier.content_version = loaded.version if loaded else None
        courier.outbox.forget_delivered()
        courier.cancel_leftovers()  # a crash left a help request open: nobody is waiting for it any more
        courier.start()
    speaker = speaker or _speaker(config)
    listener = listener or _listener(config)
    runtime = KioskRuntime(
        guide,
        screen,
        speaker=speaker,
        listener=listener,
        helpdesk=helpdesk,
        journal=journal,
        post=post,
        courier=courier,
        card_reader=card_reader if card_reader != "default" else _card_reader(config),
    )
    if helpdesk is not None:
        runtime.attach_calls(call_line(config, helpdesk, runtime))
    screen.voice_input = runtime.voice_input_available()
    screen.on_mic = runtime.listen_once
    version = loaded.version if loaded else content_version(catalog)
    return Kiosk(config, catalog, font, guide, screen, runtime, journal, version, courier, updater)


def call_line(config: KioskConfig, helpdesk: Helpdesk, runtime: KioskRuntime):
    """The kiosk's call line: media only when the readiness check passes (the reason goes in the heartbeat)."""
    from kiosk.call.line import CallLine
    from voice.call_readiness import check

    c = config.call
    ready = check(enabled=c.enabled, microphone=c.microphone, microphone_format=c.microphone_format, speaker=c.speaker)

    def media(on_state):
        from kiosk.call.media import AudioDevices, CallMedia

        devices = AudioDevices(c.microphone, c.microphone_format, c.speaker, c.speaker_format)
        return CallMedia(devices, on_state=on_state)

    post = lambda action: runtime.post_action(action)  # noqa: E731
    return CallLine(helpdesk, post, None if ready.reason else media, ready.reason)


def _card_reader(config: KioskConfig):
    """The PC/SC reader when the configuration allows one (the check is offered only while pcscd lists a reader)."""
    if not config.card_reader:
        return None
    from kiosk.card import PcscCardReader

    return PcscCardReader(config.card_reader_name)


def _speaker(config: KioskConfig):
    import voice

    if not config.voice:
        return voice.NullSpeaker("disabled", "voice is off in the kiosk configuration")
    return voice.create_speaker()


def _listener(config: KioskConfig):
    import voice

    if not (config.voice and config.voice_input):
        return voice.NullListener("disabled", "voice input is off in the kiosk configuration")
    return voice.create_listener()
