"""Voice call and pointer figures on real parts, on loopback: the kiosk (offscreen window, aiortc playing 440 Hz
from a file as its microphone), the helpdesk (SQLite), the console in headless Chromium (fake microphone at 880 Hz).

- staff click 「通話する」 → audio flowing both ways (the kiosk hears 880 Hz and the page hears 440 Hz), with the
  resident touching 話す as soon as it rings: p50 / p95 / max
- one-way audio latency, estimated from WebRTC's own statistics in the browser: RTCP round trip / 2 + jitter buffer
  delay + 20 ms packetisation
- kiosk CPU and memory during a call (this process: the kiosk plus the Playwright client)
- staff click on an element of the rendered screen → ring drawn on the kiosk: p50 / p95

    env -u DISPLAY .venv/bin/python bench/call_bench.py [--calls 10] [--points 30]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the checkout

LAUNCH = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
ONE_WAY_JS = """async () => {
  const stats = await window.yorisoiCall._pc().getStats(); let rtt = null, jb = null;
  stats.forEach((s) => {
    if (s.type === 'remote-inbound-rtp' && s.kind === 'audio' && s.roundTripTime !== undefined) rtt = s.roundTripTime;
    if (s.type === 'inbound-rtp' && s.kind === 'audio' && s.jitterBufferEmittedCount)
      jb = s.jitterBufferDelay / s.jitterBufferEmittedCount;
  });
  return [rtt, jb];
}"""


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def rss_mib() -> float:
    """Resident memory of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s() -> float:
    """CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Print the call and pointer figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--points", type=int, default=30)
    parser.add_argument("--pointer-only", action="store_true", help="skip the calls")
    args = parser.parse_args()
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="yorisoi-kivy-"))
    from kiosk.ui.pilot import quiet_kivy

    quiet_kivy()
    from kiosk.app import configure_window

    configure_window(False)
    from playwright.sync_api import sync_playwright

    from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
    from kiosk.assembly import build_kiosk
    from kiosk.config import CallAudio
    from kiosk.guide import actions as a
    from kiosk.ui.pilot import frames, open_window, touch
    from tests.tones import tone_wav
    from yorisoi.demo import demo_config

    folder = Path(tempfile.mkdtemp(prefix="yorisoi-call-bench-"))
    kiosk_tone, console_tone = tone_wav(folder / "k440.wav", 440), tone_wav(folder / "c880.wav", 880)
    seed = seed_demo(folder / "helpdesk.sqlite3")
    window = open_window((1920, 1080))

    def until(predicate, seconds: float = 20.0) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if predicate():
                return True
            frames(1)
            time.sleep(0.002)
        return False

    with EmbeddedServer(demo_app(seed)) as server, sync_playwright() as playwright:
        config = demo_config(seed, server.base_url, folder)
        audio = CallAudio(microphone=str(kiosk_tone), microphone_format=None, speaker=None)
        kiosk = build_kiosk(config.model_copy(update={"call": audio}), size=tuple(window.size))
        window.add_widget(kiosk.screen)
        kiosk.runtime.start()
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=[*LAUNCH, f"--use-file-for-fake-audio-capture={console_tone}"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{server.base_url}/console/login")
        page.fill("#login", seed.staff_login)
        page.fill("#password", seed.staff_password)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/queue")
        run = kiosk.runtime
        run.dispatch(a.Begin(""))
        run.dispatch(a.StartProcedure("konbini-juminhyo"))
        run.dispatch(a.Next())
        run.dispatch(a.AskHelp("other"))
        until(lambda: run.help.escalation_id)
        page.goto(f"{server.base_url}/console/escalations/{run.help.escalation_id}")
        page.wait_for_selector("#claim-btn:enabled")
        page.click("#claim-btn")
        page.wait_for_selector("#call-btn:enabled")
        until(lambda: run.state.escalation.status == "claimed")

        setups, one_way, failures = [], [], 0
        cpu_in_call, wall_in_call, rss_peak = 0.0, 0.0, rss_mib()
        for _ in range(0 if args.pointer_only else args.calls):
            page.wait_for_selector("#call-btn:enabled")
            began, clicked = time.perf_counter(), time.monotonic()
            page.click("#call-btn")
            if not until(lambda: run.state.call is not None and run.state.call.status == "ringing"):
                failures += 1
                continue
            touch(kiosk.screen, "call-accept")

            def both_ways(since: float = clicked) -> bool:
                media = run.calls.media
                if media is None or not media.heard.first_at or media.heard.first_at < since:
                    return False  # nothing of this call heard yet
                kiosk_hears = abs(media.heard.peak_hz - 880) < 20
                return kiosk_hears and abs(page.evaluate("window.yorisoiCall.peakHz()") - 440) < 20

            if not until(both_ways):
                failures += 1
                continue
            setups.append(time.perf_counter() - began)
            c0, w0 = cpu_s(), time.monotonic()
            until(lambda: False, seconds=3.0)  # three seconds of call
            cpu_in_call += cpu_s() - c0
            wall_in_call += time.monotonic() - w0
            rss_peak = max(rss_peak, rss_mib())
            rtt, jitter = page.evaluate(ONE_WAY_JS)
            if rtt is not None and jitter is not None:
                one_way.append(rtt / 2 + jitter + 0.020)
            page.click("#hangup-btn")
            until(lambda: run.state.call is None, seconds=5)

        points, arrivals, pointed_at = [], [], []
        dispatch = run.dispatch

        def timed_dispatch(action) -> None:  # type: ignore[no-untyped-def]
            if isinstance(action, a.PointAt):
                pointed_at.append(time.perf_counter())
            dispatch(action)

        run.dispatch = timed_dispatch
        elements = ["instruction", "help", "choice-yes", "repeat"]
        run.dispatch(a.ReturnToProcedure())
        frames(2)
        for n in range(args.points):
            before = kiosk.screen.ring
            began = time.perf_counter()
            # the click event itself (page.click would add Playwright's actionability waits of a few frames)
            page.evaluate(
                f"document.querySelector('#kiosk-screen [data-element={elements[n % len(elements)]}]').click()"
            )
            if until(lambda b=before: kiosk.screen.ring is not None and kiosk.screen.ring is not b, seconds=5):
                points.append(time.perf_counter() - began)
                arrivals.append(pointed_at[-1] - began)
            touch(kiosk.screen, "repeat")  # a touch clears the ring
            frames(1)
        browser.close()
        kiosk.close()

    print(f"call setup (click → audio both ways), {len(setups)} calls, {failures} failed:")
    if setups:
        print(f"  p50 {pct(setups, 0.5):.0f} ms  p95 {pct(setups, 0.95):.0f} ms  max {max(setups) * 1000:.0f} ms")
    if one_way:
        print(
            f"one-way audio latency (RTT/2 + jitter buffer + 20 ms), p50 {pct(one_way, 0.5):.0f} ms "
            f"p95 {pct(one_way, 0.95):.0f} ms"
        )
    if wall_in_call:
        print(
            f"kiosk process during calls: CPU {100 * cpu_in_call / wall_in_call:.0f}% of one core, "
            f"peak RSS {rss_peak:.0f} MiB"
        )
    if points:
        print(
            f"pointer (staff click → ring on the kiosk), {len(points)} clicks: p50 {pct(points, 0.5):.0f} ms "
            f"p95 {pct(points, 0.95):.0f} ms  max {max(points) * 1000:.0f} ms"
        )
        print(
            f"  of which click → action on the kiosk's UI thread: p50 {pct(arrivals, 0.5):.0f} ms "
            f"p95 {pct(arrivals, 0.95):.0f} ms (the rest: the kiosk's frame)"
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
