"""The resident's step for staff: taken from the shipped content, in the resident's language."""

from __future__ import annotations

import pytest

from content.loader import load_catalog
from helpdesk.console.screens import PICTURES_URL, procedure_title, staff_language, step_screen, step_titles


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    """The shipped procedures."""
    return load_catalog()


def test_every_shipped_step_renders_in_every_language(catalog) -> None:
    """Title, instruction, picture URL, answers and QR label come from the step itself."""
    for procedure in catalog.procedures.values():
        for step in procedure.steps:
            for language in ("ja", "ja-easy", "en"):
                screen = step_screen(catalog, procedure.id, step.id, language)
                assert screen is not None
                assert screen["title"] == step.title.get(language)
                assert screen["instruction"] == step.instruction.get(language)
                assert screen["picture_url"] == (PICTURES_URL + step.picture if step.picture else None)
                assert screen["choices"] == (
                    [c.label.get(language) for c in step.question.choices] if step.question else []
                )
                assert screen["qr"] == (step.qr.label.get(language) if step.qr else None)
                assert screen["where"] == step.where


def test_unknown_procedures_and_steps_render_as_nothing(catalog) -> None:
    """A kiosk with newer content than the helpdesk: the view falls back to ids, never crashes."""
    assert step_screen(catalog, "no-such-procedure", "start", "ja") is None
    first = next(iter(catalog.procedures))
    assert step_screen(catalog, first, "no-such-step", "ja") is None
    assert procedure_title(catalog, "no-such-procedure", "ja") == "no-such-procedure"
    assert step_titles(catalog, "no-such-procedure", "ja") == {}


def test_staff_read_titles_in_their_console_language() -> None:
    """Japanese console → Japanese titles; English console → English titles."""
    assert staff_language("ja") == "ja"
    assert staff_language("en") == "en"
