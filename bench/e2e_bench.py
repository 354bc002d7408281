"""End-to-end figures on real parts (offscreen kiosk window, helpdesk on loopback, staff console in headless Chromium):
help touch → escalation visible in the open console, and staff reply → shown on the kiosk (p50 / p95 / p99 / max).

The helpdesk runs in its own process (`yorisoi helpdesk serve`), as deployed: in the bench's process it shared one
GIL with the kiosk's window rendering and the measuring loop, and its tail was theirs. The console's moment is when
the row entered the page (a MutationObserver's timestamp in the browser, same clock), not when a polling loop
happened to look; the kiosk's is the first frame whose state shows the reply.

    env -u DISPLAY .venv/bin/python bench/e2e_bench.py [--rounds 20] [--embedded]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the checkout


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def summary(values: list[float]) -> str:
    """n, p50, p95, p99 and max in ms."""
    return (
        f"n={len(values)} p50={statistics.median(values) * 1000:.0f} ms p95={pct(values, 0.95):.0f} ms "
        f"p99={pct(values, 0.99):.0f} ms max={max(values) * 1000:.0f} ms"
    )


WATCH_ROWS = """() => { window.__rows = {}; new MutationObserver(() => {
  for (const row of document.querySelectorAll('tr[data-id]')) {
    if (!(row.dataset.id in window.__rows)) window.__rows[row.dataset.id] = performance.timeOrigin + performance.now();
  } }).observe(document.body, {subtree: true, childList: true}); }"""


@contextlib.contextmanager
def helpdesk_process(database_url: str) -> Iterator[str]:
    """`yorisoi helpdesk serve` on the demo database in its own process; yields its base URL."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "YORISOI_DATABASE_URL": database_url, "YORISOI_COOKIE_SECURE": "false"}
    command = [sys.executable, "-m", "yorisoi.cli", "helpdesk", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(20)


def main() -> None:
    """Print the two latencies over `--rounds` help requests."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--embedded", action="store_true", help="the helpdesk in this process (the old setup)")
    args = parser.parse_args()
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="yorisoi-kivy-"))  # never write ~/.kivy
    from kiosk.ui.pilot import quiet_kivy

    quiet_kivy()
    from kiosk.ui.window import configure_window

    configure_window(False)
    from playwright.sync_api import sync_playwright

    from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
    from kiosk.assembly import build_kiosk
    from kiosk.guide import actions as a
    from kiosk.ui.pilot import frames, open_window, touch
    from yorisoi.demo import demo_config

    folder = Path(tempfile.mkdtemp(prefix="yorisoi-e2e-bench-"))
    seed = seed_demo(folder / "helpdesk.sqlite3")
    window = open_window((1920, 1080))
    embedded = EmbeddedServer(demo_app(seed)) if args.embedded else None
    with embedded or helpdesk_process(seed.database_url) as running, sync_playwright() as playwright:
        base_url = running.base_url if embedded else running
        config = demo_config(seed, base_url, folder)
        kiosk = build_kiosk(config, size=tuple(window.size))
        window.add_widget(kiosk.screen)
        kiosk.runtime.start()
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{base_url}/console/login")
        page.fill("#login", seed.staff_login)
        page.fill("#password", seed.staff_password)
        page.click("button[type=submit]")
        page.wait_for_selector("#live.on", timeout=10_000)
        to_console, to_kiosk = [], []
        for n in range(args.rounds):
            kiosk.runtime.dispatch(a.Begin(""))
            kiosk.runtime.dispatch(a.StartProcedure("konbini-juminhyo"))
            kiosk.runtime.dispatch(a.Next())
            frames(1)
            page.evaluate(WATCH_ROWS)
            seen = set(page.evaluate("() => Object.keys(window.__rows)"))
            started = time.time()
            touch(kiosk.screen, "help")
            touch(kiosk.screen, "reason-other")
            new = None
            while new is None and time.time() < started + 20:
                frames(1)  # the kiosk's thread posts results through the Kivy clock
                new = next(iter(set(page.evaluate("() => Object.keys(window.__rows)")) - seen), None)
                time.sleep(0.02)
            appeared_ms = page.evaluate("(id) => window.__rows[id]", new)
            to_console.append(appeared_ms / 1000 - started)
            page.goto(f"{base_url}/console/escalations/{new}")
            page.click("#claim-btn")
            page.wait_for_selector("#holder:has-text('デモ係員')")
            text = f"ベンチ返信 {n}"
            page.fill("#reply-text", text)
            started = time.perf_counter()
            page.click("#reply-form button[type=submit]")
            while not any(text in m for m in (kiosk.runtime.state.escalation.messages or ())):
                frames(1)
                if time.perf_counter() - started > 20:
                    break
            to_kiosk.append(time.perf_counter() - started)
            page.select_option("#outcome-select", "solved")
            page.click("#resolve-form button")
            kiosk.runtime.dispatch(a.GoHome())
            page.goto(f"{base_url}/console/queue")
            page.wait_for_selector("#live.on", timeout=10_000)
        browser.close()
        kiosk.close()
    print(f"help touch -> visible in console: {summary(to_console)}")
    print(f"staff reply -> shown on kiosk:    {summary(to_kiosk)}")


if __name__ == "__main__":
    main()
