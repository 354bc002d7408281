"""`import voice` must stay cheap: the kiosk imports it before any engine is wanted."""

from __future__ import annotations

import subprocess
import sys

import voice


def test_import_loads_no_engine() -> None:
    code = (
        "import sys, voice; heavy = [m for m in ('pyttsx3', 'fugashi', 'vosk', 'sounddevice', 'pyopenjtalk', 'numpy') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_public_names() -> None:
    for name in voice.__all__:
        assert getattr(voice, name) is not None
