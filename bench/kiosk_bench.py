"""Kiosk figures on this machine, offscreen (DISPLAY unset): start → interactive start screen (voice off, and voice
on with Open JTalk loading in the background), touch → next step drawn (p50/p95), step shown → Say issued, step
shown → real speech starts (the chosen engines, silent player), and memory (RSS).

    .venv/bin/python bench/kiosk_bench.py [--touches 120] [--starts 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open("/proc/self/status", encoding="ascii") as status:
        now = next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:")), 0.0)
    return now, peak


def child_start(with_voice: bool = False) -> None:
    """Run in a fresh process: print seconds from interpreter start to the start screen drawn and touchable."""
    t0 = time.perf_counter()
    from kiosk.ui.pilot import quiet_kivy

    quiet_kivy()
    from kiosk.ui.window import configure_window

    configure_window(False)
    from kiosk.assembly import build_kiosk
    from kiosk.config import parse_config
    from kiosk.ui.pilot import frames, open_window

    window = open_window((1920, 1080))
    config = parse_config(
        {"site": "bench", "kiosk_id": "bench", "helpdesk_url": "http://127.0.0.1:9", "voice": with_voice}
    )
    speaker = None
    if with_voice:  # as the app's own create_speaker() does, with the silent player (no sound card here)
        import voice

        speaker = voice.create_speaker(player="silent")
    kiosk = build_kiosk(config, helpdesk=None, size=tuple(window.size), speaker=speaker)
    window.add_widget(kiosk.screen)
    kiosk.runtime.start()
    flipped: list[float] = []
    window.bind(on_flip=lambda *_: flipped.append(time.perf_counter()))
    while not flipped:
        frames(1)
    print(f"{flipped[0] - t0:.4f}")


def measure_starts(runs: int, with_voice: bool = False) -> list[tuple[float, float]]:
    """Whole-process start times (interpreter launch included)."""
    times = []
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child-start", *(["--voice"] if with_voice else [])],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        inner = float(out.stdout.strip().splitlines()[-1])
        times.append((time.perf_counter() - t0, inner))
    return times


def measure_touches(touches: int) -> tuple[list[float], list[float], list[float], str]:
    """touch → next step drawn, step shown → Say issued, step shown → real speech started (seconds), engines."""
    from kiosk.ui.pilot import quiet_kivy

    quiet_kivy()
    from kivy.tests.common import UnitTestTouch

    from kiosk.ui.pilot import find_button, frames

    started: list[float] = []
    speaker = _real_speaker(started)
    window, kiosk = _kiosk_on_a_step(speaker)
    flips: list[float] = []
    window.bind(on_flip=lambda *_: flips.append(time.perf_counter()))
    drawn, said, speech = [], [], []
    for i in range(touches):
        target = "next" if "next" in _ids(kiosk) and i % 2 == 0 else "back"
        x, y = find_button(kiosk.screen, target).center
        flips.clear()
        started.clear()
        t = UnitTestTouch(x, y)
        t0 = time.perf_counter()
        t.touch_down()
        t.touch_up()
        while not flips:
            frames(1)
        drawn.append(flips[0] - t0)
        said.append(kiosk.runtime.timings.last_say - kiosk.runtime.timings.last_show)
        if speaker is not None:
            deadline = time.perf_counter() + 3
            while not started and time.perf_counter() < deadline:
                time.sleep(0.002)
            if started:
                speech.append(started[0] - kiosk.runtime.timings.last_show)
    by_lang = getattr(speaker, "voices", dict)().get("languages", {})
    engines = ", ".join(f"{lang}: {v['engine']}" for lang, v in by_lang.items()) or "no speech"
    return drawn, said, speech, engines


def _kiosk_on_a_step(speaker):
    """The kiosk on the first step of a procedure that starts with つぎへ."""
    from kiosk.assembly import build_kiosk
    from kiosk.config import parse_config
    from kiosk.ui.pilot import frames, open_window, touch

    window = open_window((1920, 1080))
    config = parse_config({"site": "bench", "kiosk_id": "bench", "helpdesk_url": "http://127.0.0.1:9"})
    kiosk = build_kiosk(config, helpdesk=None, size=tuple(window.size), speaker=speaker)
    window.add_widget(kiosk.screen)
    kiosk.runtime.start()
    frames(2)
    touch(kiosk.screen, "begin")
    pid = _longest_linear(kiosk)
    while f"card-{pid}" not in _ids(kiosk):
        touch(kiosk.screen, "next-page")
    touch(kiosk.screen, f"card-{pid}")
    touch(kiosk.screen, "next")
    return window, kiosk


def _real_speaker(started: list[float]):
    try:
        import voice

        speaker = voice.create_speaker(player="silent", on_started=lambda _text: started.append(time.perf_counter()))
    except Exception as exc:  # voice extra missing: report without the speech figure
        print(f"speech: not measured ({type(exc).__name__})")
        return None
    if not speaker.status().available:
        return None
    speaker.wait_ready()  # Open JTalk loads in the background at start; measure the warm kiosk
    return speaker


def _ids(kiosk) -> set[str]:
    return {getattr(w, "button_id", None) for w in kiosk.screen.children}


def _longest_linear(kiosk) -> str:
    """The procedure whose first steps go つぎへ, つぎへ (so touches alternate next/back on real step screens)."""
    for pid, p in sorted(kiosk.guide.procedures.items()):
        if p.steps[0].next:
            return pid
    return sorted(kiosk.guide.procedures)[0]


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touches", type=int, default=120)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--child-start", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--voice", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if "KIVY_HOME" not in os.environ:  # never write ~/.kivy; the start-up children inherit it
        import tempfile

        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="yorisoi-kivy-")
    if args.child_start:
        child_start(args.voice)
        return 0
    os.environ.pop("DISPLAY", None)
    starts = measure_starts(args.starts)
    whole = [w for w, _ in starts]
    inner = [i for _, i in starts]
    print(
        f"start → interactive start screen: median {statistics.median(whole):.2f} s with interpreter launch "
        f"({statistics.median(inner):.2f} s in-process), {args.starts} runs (target < 2 s)"
    )
    voiced = measure_starts(args.starts, with_voice=True)
    print(
        f"start with voice on (Open JTalk loading in the background): median "
        f"{statistics.median(w for w, _ in voiced):.2f} s with interpreter launch "
        f"({statistics.median(i for _, i in voiced):.2f} s in-process) (target < 2 s)"
    )
    drawn, said, speech, engines = measure_touches(args.touches)
    print(
        f"touch → next screen drawn: p50 {pct(drawn, 0.5):.1f} ms, p95 {pct(drawn, 0.95):.1f} ms "
        f"over {len(drawn)} touches (target p95 < 100 ms)"
    )
    print(f"step shown → Say issued: p50 {pct(said, 0.5):.2f} ms, p95 {pct(said, 0.95):.2f} ms")
    if speech:
        print(
            f"step shown → speech starts ({engines}, silent player, next screens rendered ahead): "
            f"p50 {pct(speech, 0.5):.0f} ms, p95 {pct(speech, 0.95):.0f} ms over {len(speech)} (target p95 < 250 ms)"
        )
    now, peak = rss_mib()
    print(f"memory: RSS {now:.0f} MiB now, {peak:.0f} MiB peak (kiosk window + content + speech engines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
