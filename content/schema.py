"""The procedure schema: one YAML file per procedure, every language of a text side by side.

A municipal employee edits these files; `yorisoi content check` explains any mistake by file, step and field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, RootModel, field_validator, model_validator

from yorisoi.vocabulary import LANGUAGES

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
"""Lower-case ids (procedure, step, choice, need): stable keys for logs and analytics."""

RESERVED_IDS = frozenset({"none"})
"""Ids no procedure or step may take: the helpdesk wire uses `none` for "help asked before a procedure was chosen"
(`helpdesk.wire.NO_PLACE`)."""

SITE_PLACEHOLDER = re.compile(r"\{site\.([a-z_][a-z0-9_]*)\}")
"""`{site.counter_hours}` in a text is filled from the site's settings by the kiosk."""


class Strict(BaseModel):
    """Base for content models: unknown fields are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Localized(RootModel[dict[str, str]]):
    """One text in several languages, e.g. `{ja: ..., ja-easy: ..., en: ...}`."""

    model_config = ConfigDict(frozen=True)

    @field_validator("root")
    @classmethod
    def _known_languages(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {unknown}; use {list(LANGUAGES)}")
        if "ja" not in value:
            raise ValueError("the Japanese text (ja) is required")
        for lang, text in value.items():
            if not text.strip():
                raise ValueError(f"the {lang} text is empty")
        return value

    def get(self, lang: str) -> str:
        """Text in `lang`, falling back to やさしい日本語 then 日本語 when a translation is missing."""
        texts = self.root
        return texts.get(lang) or (texts.get("ja-easy") if lang == "en" else None) or texts["ja"]

    def missing(self) -> list[str]:
        """Languages this text lacks."""
        return [lang for lang in LANGUAGES if lang not in self.root]


class Need(Strict):
    """Something the resident must bring (マイナンバーカード, スマートフォン, 納付書 ...)."""

    id: Identifier
    label: Localized
    if_missing: Localized = Field(description="What to do instead when the resident does not have it")


class Source(Strict):
    """Where a fact is officially described, and when we last checked that page."""

    url: HttpUrl
    title: str
    checked: dt.date
    until: dt.date | None = Field(
        default=None, description="The day the fact this page backs stops being true (a transitional rule)"
    )


class QrLink(Strict):
    """Continue on the resident's own phone: a QR code that opens an official page (or a site setting)."""

    url: str = Field(description="https URL, or {site.NAME} for a page the municipality configures")
    label: Localized

    @field_validator("url")
    @classmethod
    def _https_or_site(cls, value: str) -> str:
        if SITE_PLACEHOLDER.fullmatch(value) or value.startswith("https://"):
            return value
        raise ValueError("must start with https:// or be a site setting such as {site.reservation_url}")


class Choice(Strict):
    """One answer to a step's question, leading to another step."""

    id: Identifier
    label: Localized
    next: Identifier


class Question(Strict):
    """A question with 2–3 answers that branch (はい / いいえ, which card do you have?)."""

    text: Localized
    choices: list[Choice] = Field(min_length=2, max_length=3)


class End(Strict):
    """The procedure ends here: done, or sent to the counter with the reason."""

    kind: Literal["done", "counter"]
    message: Localized
    next_steps: Localized | None = Field(default=None, description="What happens next, shown on the done screen")


Place = Literal["kiosk", "phone", "card-reader", "convenience-store", "pc", "counter"]


class Step(Strict):
    """One screen: one instruction, and what comes next (a plain next step, a question, or an end)."""

    id: Identifier
    title: Localized
    instruction: Localized
    where: Place = Field(description="Where the resident does this: on the kiosk, their own phone, ...")
    reading: Localized | None = Field(
        default=None,
        description="Kana for the whole spoken screen (title, instruction, caution, question, answers); "
        "give ja and ja-easy",
    )
    picture: str | None = Field(default=None, description="PNG under content/pictures/")
    caution: Localized | None = None
    qr: QrLink | None = None
    sources: list[Source] = Field(
        default_factory=list, description="The official pages behind the facts this step states"
    )
    patience_s: Annotated[int, Field(ge=60, le=3600)] | None = Field(
        default=None,
        description="Seconds the resident may need without touching the kiosk on this step (working on their own "
        "phone, at a store); phone and convenience-store steps wait the kiosk's away time unless this is given",
    )
    offer_help: bool = Field(
        default=False,
        description="A big 係の人を呼ぶ button on this screen too: a dead end the resident cannot fix alone",
    )
    next: Identifier | None = None
    question: Question | None = None
    end: End | None = None

    @model_validator(mode="after")
    def _exactly_one_continuation(self) -> Step:
        given = [name for name in ("next", "question", "end") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"a step needs exactly one of next / question / end (found {given or 'none'})")
        return self

    def targets(self) -> list[str]:
        """Ids of the steps this step can lead to."""
        if self.next:
            return [self.next]
        if self.question:
            return [c.next for c in self.question.choices]
        return []


class SiteSetting(Strict):
    """A detail the municipality fills in (its reservation site, its counter hours) instead of us inventing it."""

    name: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
    description: str
    example: str | None = None


Category = Literal["certificates", "mynumber", "health", "tax", "moving", "reservations", "smartphone", "practice"]


class Procedure(Strict):
    """A whole guided procedure, as one YAML file."""

    id: Identifier
    version: Annotated[int, Field(ge=1)] = 1
    category: Category
    title: Localized
    summary: Localized
    icon: str | None = Field(default=None, description="PNG under content/pictures/")
    minutes: Annotated[int, Field(ge=1, le=120)]
    needs: list[Need] = Field(default_factory=list)
    source: Source | None = Field(default=None, description="Required except for practice procedures")
    site_settings: list[SiteSetting] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_reserved_ids(self) -> Procedure:
        for found in [self.id, *(step.id for step in self.steps)]:
            if found in RESERVED_IDS:
                raise ValueError(f"'{found}' is reserved (it means 'no procedure yet' to the helpdesk): rename it")
        return self

    @model_validator(mode="after")
    def _source_unless_practice(self) -> Procedure:
        if self.source is None and self.category != "practice":
            raise ValueError("source (official URL, title, checked date) is required for a real procedure")
        return self

    @property
    def first_step(self) -> str:
        """Id of the step the procedure starts at (the first one listed)."""
        return self.steps[0].id

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when absent)."""
        for candidate in self.steps:
            if candidate.id == step_id:
                return candidate
        raise KeyError(step_id)
