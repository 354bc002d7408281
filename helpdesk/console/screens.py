"""The resident's step as the kiosk shows it, from the same content files, for the staff console."""

from __future__ import annotations

from typing import Any

from content.loader import Catalog
from content.schema import Localized, Procedure
from helpdesk.wire import NO_PLACE

PICTURES_URL = "/console/pictures/"
BAR_ELEMENTS = ("back", "repeat", "help")
"""The kiosk's fixed-bar buttons staff can point at, by the ids the kiosk gives them (kiosk.guide.views)."""
NO_PLACE_TITLES = {
    "ja": ("手続きを選ぶ前", "手続きの一覧の画面"),
    "en": ("Before choosing a procedure", "The list of procedures"),
}
"""What staff read for a help request made before the resident chose a procedure (`NO_PLACE`)."""


def _text(value: Localized | None, language: str) -> str | None:
    return value.get(language) if value is not None else None


def step_screen(
    catalog: Catalog, procedure_id: str, step_id: str, language: str, *, pictures_url: str = PICTURES_URL
) -> dict[str, Any] | None:
    """Title, instruction, picture and answers of a step in the resident's language (None when unknown)."""
    procedure = catalog.procedures.get(procedure_id)
    if procedure is None:
        return None
    try:
        step = procedure.step(step_id)
    except KeyError:
        return None
    return {
        "title": step.title.get(language),
        "instruction": step.instruction.get(language),
        "caution": _text(step.caution, language),
        "where": step.where,
        "picture_url": pictures_url + step.picture if step.picture else None,
        "question": _text(step.question.text, language) if step.question else None,
        "choices": [c.label.get(language) for c in step.question.choices] if step.question else [],
        "choice_ids": [f"choice-{c.id}" for c in step.question.choices] if step.question else [],
        "end": _text(step.end.message, language) if step.end else None,
        "qr": step.qr.label.get(language) if step.qr else None,
        "action": "next" if step.next and not step.question else "finish" if step.end else None,
        "bar": list(BAR_ELEMENTS),
    }


def procedure_title(catalog: Catalog, procedure_id: str, language: str) -> str:
    """The procedure's title in `language`, or its id when the content does not have it."""
    if procedure_id == NO_PLACE:
        return NO_PLACE_TITLES[language][0]
    procedure = catalog.procedures.get(procedure_id)
    return procedure.title.get(language) if procedure else procedure_id


def step_titles(catalog: Catalog, procedure_id: str, language: str) -> dict[str, str]:
    """Step id → title in `language` (empty when the procedure is unknown)."""
    if procedure_id == NO_PLACE:
        return {NO_PLACE: NO_PLACE_TITLES[language][1]}
    procedure: Procedure | None = catalog.procedures.get(procedure_id)
    if procedure is None:
        return {}
    return {step.id: step.title.get(language) for step in procedure.steps}


def staff_language(console_language: str) -> str:
    """Content language for staff-facing titles: 日本語 for the Japanese console, English otherwise."""
    return "en" if console_language == "en" else "ja"
