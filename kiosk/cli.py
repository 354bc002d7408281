"""`yorisoi kiosk [--config FILE] [--fullscreen]`: run the resident kiosk (import-light: Kivy loads in the handler)."""

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
