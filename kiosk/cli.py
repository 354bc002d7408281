"""`yorisoi kiosk [--config FILE] [--fullscreen]`: run the resident kiosk (import-light: Kivy loads in the handler).

`yorisoi kiosk --workshop FILE`: a trainer replays exported sessions on the kiosk window (nothing is recorded or sent).
"""

from __future__ import annotations

import argparse
import os
import sys

DEV_CONFIG = {"site": "development", "kiosk_id": "dev-kiosk", "helpdesk_url": "http://127.0.0.1:8000", "voice": False}


def register(subparsers, name: str, help_text: str) -> None:
    """Add the `kiosk` subcommand."""
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--config", metavar="FILE", help="kiosk configuration (.toml/.yaml); default $YORISOI_KIOSK_CONFIG")
    p.add_argument("--fullscreen", action="store_true", help="kiosk mode: full screen, no close button, Esc disabled")
    p.add_argument("--check", action="store_true", help="validate the configuration and font, then exit")
    p.add_argument(
        "--workshop",
        metavar="FILE",
        help="workshop mode: replay the sessions in FILE (from `yorisoi replay`); nothing is recorded or sent",
    )
    p.add_argument("--no-voice", action="store_true", help="workshop mode: do not speak the screens")
    p.set_defaults(handler=run)


def load(path: str | None):
    """The configuration from a file, or a windowed development configuration when none is given."""
    from kiosk.config import load_config, parse_config

    path = path or os.environ.get("YORISOI_KIOSK_CONFIG")
    if path:
        return load_config(path)
    print("yorisoi kiosk: no --config given; using a development configuration (voice off, no helpdesk key)")
    return parse_config(DEV_CONFIG, "development defaults")


def run(args: argparse.Namespace) -> int:
    """Validate the configuration and the font, then open the kiosk."""
    from kiosk.config import ConfigError
    from kiosk.fonts import FontMissing, find_japanese_font

    if args.workshop:
        return run_workshop(args)
    try:
        config = load(args.config)
        font = find_japanese_font(config.font_fallback)
        config.kiosk_key()
    except (ConfigError, FontMissing) as exc:
        print(f"yorisoi kiosk: cannot start [{exc.code}]\n{exc}", file=sys.stderr)
        return 2
    if args.check:
        print(f"configuration OK: kiosk {config.kiosk_id} at {config.site}; font {font.regular}")
        return 0
    from kiosk.app import run_kiosk

    return run_kiosk(config, fullscreen=args.fullscreen)


def run_workshop(args: argparse.Namespace) -> int:
    """Check the workshop file against the content, then open the replay (no helpdesk key needed or read)."""
    from content.loader import load_catalog
    from kiosk.config import ConfigError, parse_config
    from kiosk.fonts import FontMissing, find_japanese_font
    from kiosk.workshop.frames import WorkshopError, check_content, read_export

    try:
        path = args.config or os.environ.get("YORISOI_KIOSK_CONFIG")
        config = load(path) if path else parse_config({**DEV_CONFIG, "voice": True}, "workshop defaults")
        find_japanese_font(config.font_fallback)
        export = read_export(args.workshop)
        catalog = load_catalog(config.content_dir / "procedures") if config.content_dir else load_catalog()
        check_content(export, catalog.procedures)
    except (ConfigError, FontMissing, WorkshopError) as exc:
        print(f"yorisoi kiosk --workshop: cannot start [{exc.code}]\n{exc}", file=sys.stderr)
        return 2
    if args.check:
        print(f"workshop file OK: {len(export.sessions)} sessions")
        return 0
    from kiosk.workshop.app import run_workshop as run_window

    return run_window(config, export, catalog.procedures, voice_on=not args.no_voice, fullscreen=args.fullscreen)
