"""Headless Debian Chromium for the browser tests, driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium(extra_args: list[str] | None = None) -> Iterator[Any]:
    """A launched browser for one test module at a time: Playwright's sync API holds an event loop on this thread
    while it runs, so two must not overlap (PDF reports start their own). Skips without Chromium or Playwright."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (scripts/setup.sh --test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        args = [*LAUNCH_ARGS, *(extra_args or [])]
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()
