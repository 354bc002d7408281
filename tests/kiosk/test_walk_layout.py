"""Walk every branch of every shipped procedure with the engine, in every language and at every text size, and draw
each screen on the real offscreen window at 1920×1080: no text outside its box, no label outside its button, targets
big enough. Site settings take their documented examples (real lengths, not "—"). A procedure file added to
content/procedures/ is walked without touching this test."""

from __future__ import annotations

from dataclasses import replace

import pytest

from content.loader import PACKAGED, load_catalog
from kiosk.guide import TEXT_SIZES, Guide
from tests.kiosk.screen_sweep import layout_problems, walked_states

FILES = sorted(p.stem for p in (PACKAGED / "procedures").glob("*.yaml"))


def example_guide(driver) -> Guide:
    """The driver's guide settings with every site setting filled from its example (the realistic length)."""
    catalog = load_catalog()
    examples = {s.name: s.example or s.description for p in catalog.procedures.values() for s in p.site_settings}
    settings = driver.kiosk.config.guide_settings()
    return Guide(catalog.procedures, replace(settings, site_values={**examples, **settings.site_values}))


def test_every_procedure_file_is_walked():
    assert set(load_catalog().procedures) == set(FILES)  # a file that does not load is not silently skipped


@pytest.mark.parametrize("language", ["ja", "ja-easy", "en"])
def test_every_branch_fits_at_every_text_size(driver, language):
    guide, screen = example_guide(driver), driver.screen
    problems, walked = [], {pid: 0 for pid in FILES}
    for size in TEXT_SIZES:
        for pid in FILES:
            for name, state in walked_states(guide, pid, language, size):
                walked[pid] += 1
                problems += [f"{name} [{size}]: {p}" for p in layout_problems(screen, guide.view(state), (1920, 1080))]
    for pid, count in walked.items():
        steps = len(guide.procedures[pid].steps)
        assert count >= steps * len(TEXT_SIZES), f"{pid}: walked {count} screens for {steps} steps"
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:25])
