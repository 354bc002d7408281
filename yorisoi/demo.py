"""`yorisoi demo`: an embedded helpdesk on a temporary SQLite database with a demo site, kiosk and staff account,
and the kiosk connected to it. `--headless --screenshots DIR` walks a scripted resident through a procedure,
including a real help request and a staff reply, and writes a PNG of every screen."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from yorisoi.vocabulary import LANGUAGES


def register(subparsers, name: str, help_text: str) -> None:
    """Add the `demo` subcommand."""
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--headless", action="store_true", help="no display: SDL offscreen, scripted resident")
    p.add_argument("--screenshots", metavar="DIR", help="write a PNG of every screen here (with --headless)")
    p.add_argument("--procedure", default="konbini-juminhyo", help="procedure the scripted resident follows")
    p.add_argument("--language", default="ja", choices=LANGUAGES, help="language of the walk")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Start the helpdesk, then the kiosk (interactive, or the scripted walk when headless)."""
    if args.screenshots and not args.headless:
        print("yorisoi demo: --screenshots needs --headless", file=sys.stderr)
        return 2
    if args.headless:
        for variable in ("DISPLAY", "WAYLAND_DISPLAY"):  # SDL then falls back to its offscreen driver
            os.environ.pop(variable, None)
        from kiosk.ui.pilot import quiet_kivy

        quiet_kivy()
    from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo

    with tempfile.TemporaryDirectory(prefix="yorisoi-demo-") as tmp:
        seed = seed_demo(Path(tmp) / "helpdesk.sqlite3")
        with EmbeddedServer(demo_app(seed)) as server:
            config = demo_config(seed, server.base_url, Path(tmp), voice=not args.headless)
            print(f"staff console: {server.base_url}/console/  (helpdesk API: {server.base_url}/api/v1)")
            print(f"demo staff login: {seed.staff_login}  password: {seed.staff_password}")
            print(f"demo kiosk: {seed.kiosk_id} at site {seed.site_id}", flush=True)  # before the window, even piped
            if not args.headless:
                from kiosk.app import run_kiosk

                return run_kiosk(config)
            from yorisoi.demo_walk import walk_resident

            shots = Path(args.screenshots) if args.screenshots else None
            return walk_resident(config, seed, server.base_url, shots, args.procedure, args.language)


def demo_config(seed, base_url: str, folder: Path, *, voice: bool = False):
    """The kiosk configuration for the demo kiosk (speech on when a sound device is there; off when headless)."""
    from kiosk.config import hash_pin, parse_config

    key_file = folder / "kiosk.key"
    key_file.write_text(seed.kiosk_key, encoding="utf-8")
    key_file.chmod(0o600)
    return parse_config(
        {
            "site": seed.site_id,
            "kiosk_id": seed.kiosk_id,
            "helpdesk_url": base_url,
            "key_file": str(key_file),
            "fallback_phone": "0120-000-000",
            "voice": voice,
            "outbox_file": str(folder / "outbox.sqlite3"),
            "timeouts": {"help_fallback_after_s": 120},
            "site_values": {
                "konbini_juminhyo_fee": "1通200円",
                "konbini_hours": "毎日6時30分から23時まで",
                "counter_hours": "平日8時30分から17時15分まで",
                "facility_reservation_url": "https://yoyaku.city.example.jp/",
                "library_url": "https://library.city.example.jp/",
            },
            "maintenance": {"pin_sha256": hash_pin("0000")},
        },
        "demo configuration",
    )
