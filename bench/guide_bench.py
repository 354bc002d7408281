"""Guide engine: time of one step transition (p50 / p99) over realistic walks of the shipped procedures.

Run: .venv/bin/python bench/guide_bench.py [--rounds N]     Target (REQUIREMENTS.md): < 1 ms p99.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from content.loader import load_catalog
from kiosk.guide import Guide, GuideSettings
from kiosk.guide import actions as a


def walk_actions(guide: Guide, rng: random.Random) -> list[a.Action]:
    """A resident's plausible action mix: start, steps with choices, repeats, a language switch, help, home."""
    pid = rng.choice(sorted(guide.procedures))
    actions: list[a.Action] = [a.Begin("bench"), a.StartProcedure(pid), a.Next()]
    state = guide.initial()
    for action in actions:
        state, _ = guide.step(state, action)
    for _ in range(30):
        view = guide.view(state)
        moves = [b.action for b in view.buttons if isinstance(b.action, (a.Next, a.Choose))]
        extra = [
            a.Repeat(),
            a.Back(),
            a.CycleTextSize(),
            a.SetLanguage(rng.choice(["ja", "en", "ja-easy"])),
            a.Tick(0.5),
            a.Tick(0.5),
            a.AskHelp(),
            a.AskHelp("other"),
        ]
        action = rng.choice(moves) if moves and rng.random() < 0.6 else rng.choice(extra)
        if isinstance(action, a.AskHelp) and state.place.screen == "waiting":
            action = a.ReturnToProcedure()
        actions.append(action)
        state, _ = guide.step(state, action)
    actions.append(a.GoHome())
    return actions


def main() -> None:
    """Print p50/p99 of one transition."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    catalog = load_catalog()
    guide = Guide(catalog.procedures, GuideSettings())
    rng = random.Random(7)
    scripts = [walk_actions(guide, rng) for _ in range(50)]
    samples: list[float] = []
    for i in range(args.rounds):
        state = guide.initial()
        for action in scripts[i % len(scripts)]:
            t0 = time.perf_counter()
            state, _ = guide.step(state, action)
            samples.append(time.perf_counter() - t0)
    samples.sort()
    p50 = statistics.median(samples) * 1e3
    p99 = samples[int(len(samples) * 0.99)] * 1e3
    print(
        f"guide step transition: n={len(samples)} p50={p50:.3f} ms p99={p99:.3f} ms max={samples[-1] * 1e3:.3f} ms "
        f"(target p99 < 1 ms) procedures={len(catalog.procedures)}"
    )


if __name__ == "__main__":
    main()
