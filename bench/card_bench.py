"""Card check figures through the real PC/SC stack (pcscd + vpcd + an emulated マイナンバーカード, see
tests/kiosk/card_stack.py), offscreen: card placed → "reading" drawn, and card placed → the tries left drawn
(p50/p95), plus the reader alone (placed → counts read, no window). Needs root for pcscd's socket in /run/pcscd.

    .venv/bin/python bench/card_bench.py [--cards 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the emulated card lives with the tests


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def reader_only(stack, cards: int) -> list[float]:
    """Card placed → counts read by PcscCardReader (pcscd's polling included)."""
    from kiosk.card import PcscCardReader
    from tests.kiosk.card_stack import CardProfile

    reader, times = PcscCardReader(), []
    for i in range(cards):
        placed: list = []

        def place(n: int, into: list) -> None:
            into.append((time.perf_counter(), stack.place(CardProfile(auth_left=1 + n % 3))))

        timer = threading.Timer(0.3, place, (i, placed))
        timer.start()
        outcome = reader.check(dt.date.today(), lambda: False, lambda: None)
        done = time.perf_counter()
        timer.join()
        assert outcome.outcome == "read", outcome
        times.append(done - placed[0][0])
        placed[0][1].remove()
        reader.wait_removed(lambda: False)
    return times


def on_screen(stack, cards: int) -> tuple[list[float], list[float]]:
    """Card placed → "reading" drawn and → result drawn, on the offscreen kiosk window."""
    from kiosk.ui.pilot import quiet_kivy

    quiet_kivy()
    from kiosk.assembly import build_kiosk
    from kiosk.config import parse_config
    from kiosk.guide.actions import GoHome
    from kiosk.ui.pilot import frames, open_window, touch
    from tests.kiosk.card_stack import CardProfile

    window = open_window((1920, 1080))
    config = parse_config({"site": "bench", "kiosk_id": "bench", "helpdesk_url": "http://127.0.0.1:9", "voice": False})
    kiosk = build_kiosk(config, helpdesk=None, size=tuple(window.size))
    window.add_widget(kiosk.screen)
    kiosk.screen.size = tuple(window.size)
    kiosk.runtime.start()
    flips: list[float] = []
    window.bind(on_flip=lambda *_: flips.append(time.perf_counter()))

    def until(predicate, limit_s: float = 20) -> float:
        deadline = time.monotonic() + limit_s
        while not predicate():
            if time.monotonic() > deadline:
                raise RuntimeError("the kiosk did not get there in time")
            frames(1)
            time.sleep(0.002)
        flips.clear()
        window.canvas.ask_update()  # the frame that shows it may already be drawn: time the next one at the latest
        while not flips:
            frames(1)
        return flips[0]

    until(lambda: kiosk.screen.view is not None and any(b.id == "card-check" for b in kiosk.screen.view.buttons))
    reading, result = [], []
    for i in range(cards):
        touch(kiosk.screen, "card-check")
        until(lambda: kiosk.screen.view.screen == "card")
        t0 = time.perf_counter()
        card = stack.place(CardProfile(auth_left=1 + i % 3))
        reading.append(until(lambda: kiosk.runtime.state.card.phase != "waiting") - t0)
        result.append(until(lambda: kiosk.runtime.state.card.phase == "result") - t0)
        card.remove()
        touch(kiosk.screen, "card-done")
        until(lambda: kiosk.screen.view.screen == "catalog")
        kiosk.runtime.dispatch(GoHome())
        until(lambda: any(b.id == "card-check" for b in kiosk.screen.view.buttons))
    kiosk.close()
    return reading, result


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=30)
    args = parser.parse_args()
    from tests.kiosk.card_stack import PcscStack, stack_problem

    problem = stack_problem()
    if problem:
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2
    stack = PcscStack().start()
    try:
        alone = reader_only(stack, args.cards)
        reading, result = on_screen(stack, args.cards)
    finally:
        stack.stop()
    print(f"card check, {args.cards} cards through pcscd + vpcd (pcscd polls the reader every 400 ms):")
    print(f"  placed → counts read (reader only)   p50 {pct(alone, 0.5):6.0f} ms   p95 {pct(alone, 0.95):6.0f} ms")
    print(f"  placed → 読み取っています drawn   p50 {pct(reading, 0.5):6.0f} ms   p95 {pct(reading, 0.95):6.0f} ms")
    print(f"  placed → tries left drawn            p50 {pct(result, 0.5):6.0f} ms   p95 {pct(result, 0.95):6.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
