"""Test-wide setup: Kivy must be configured before anything imports it (see ../shared/PLATFORM.md)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_USE_DEFAULTCONFIG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="yorisoi-kivy-"))
# Never let vosk or anything else reach for a network model.
os.environ.pop("VOSK_MODEL_PATH", None) if os.environ.get("VOSK_MODEL_PATH") == "" else None
