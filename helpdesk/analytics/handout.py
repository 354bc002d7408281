"""A take-home handout per procedure and language: the usual path's steps in very large text, with pictures,
cautions, QR codes, and the steps that data shows to be hard marked 「ここでつまずく方が多いです」."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from markupsafe import Markup

from content.schema import SITE_PLACEHOLDER, Localized, Procedure, Step
from helpdesk.analytics.paths import main_path
from helpdesk.analytics.steps import StepStats

WORDS = {
    "ja": {
        "hard": "ここでつまずく方が多いです",
        "needs": "用意するもの",
        "if_missing": "ないときは",
        "steps": "手順",
        "caution": "ご注意",
        "minutes": "目安 {n} 分",
        "source": "くわしくは",
        "qr": "スマホでQRコードを読み取ってください",
    },
    "ja-easy": {
        "hard": "ここで こまる ひとが おおいです",
        "needs": "もっていくもの",
        "if_missing": "ないときは",
        "steps": "やりかた",
        "caution": "きをつけて",
        "minutes": "だいたい {n} ふん",
        "source": "くわしくは",
        "qr": "スマホで QRコードを よみとります",
    },
    "en": {
        "hard": "Many people get stuck here",
        "needs": "What to bring",
        "if_missing": "If you do not have it",
        "steps": "Steps",
        "caution": "Caution",
        "minutes": "About {n} minutes",
        "source": "More information",
        "qr": "Scan the QR code with your phone",
    },
}
WHERE = {
    "ja": {"kiosk": "この機械で", "phone": "ご自分のスマホで", "card-reader": "カードリーダーで",
           "convenience-store": "コンビニで", "pc": "パソコンで", "counter": "窓口で"},
    "ja-easy": {"kiosk": "この きかいで", "phone": "じぶんの スマホで", "card-reader": "カードリーダーで",
                "convenience-store": "コンビニで", "pc": "パソコンで", "counter": "まどぐちで"},
    "en": {"kiosk": "At the kiosk", "phone": "On your phone", "card-reader": "With a card reader",
           "convenience-store": "At a convenience store", "pc": "On a computer", "counter": "At the counter"},
}  # fmt: skip


@dataclass(frozen=True)
class HandoutStep:
    """One step as printed."""

    number: int
    step_id: str
    title: str
    instruction: str
    where: str
    caution: str | None
    question: str | None
    picture: str | None
    qr: Markup | None
    qr_label: str | None
    hard: bool


@dataclass(frozen=True)
class Handout:
    """A printable handout."""

    procedure_id: str
    language: str
    title: str
    summary: str
    minutes: str
    needs: tuple[tuple[str, str], ...]
    steps: tuple[HandoutStep, ...]
    words: Mapping[str, str]
    source_url: str | None


def text(value: Localized | None, language: str, site_values: Mapping[str, str] | None = None) -> str:
    """A content text in a language, site settings filled in (a blank line to write on when unknown)."""
    if value is None:
        return ""
    values = site_values or {}
    return SITE_PLACEHOLDER.sub(lambda m: values.get(m.group(1), "＿＿＿＿"), value.get(language))


def qr_svg(url: str) -> Markup:
    """A QR code as inline SVG markup (path only, no style attribute)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(url, image_factory=SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg") :].replace(' id="qr-path"', ""))


def hard_steps(stats: list[StepStats], procedure_id: str, *, min_sessions: int = 20, limit: int = 3) -> set[str]:
    """Steps of a procedure that data shows to be hard: the hardest few whose hardness is at least 0.3."""
    own = [s for s in stats if s.procedure_id == procedure_id and s.sessions >= min_sessions and s.hardness >= 0.3]
    return {s.step_id for s in sorted(own, key=lambda s: -s.hardness)[:limit]}


def build(
    procedure: Procedure,
    language: str,
    *,
    hard: AbstractSet[str] = frozenset(),
    site_values: Mapping[str, str] | None = None,
) -> Handout:
    """The handout for a procedure in a language, marking the `hard` steps."""
    steps = {s.id: s for s in procedure.steps}
    printed = [steps[i] for i in main_path(procedure)]
    words = WORDS.get(language, WORDS["ja"])
    return Handout(
        procedure_id=procedure.id,
        language=language,
        title=text(procedure.title, language),
        summary=text(procedure.summary, language, site_values),
        minutes=words["minutes"].format(n=procedure.minutes),
        needs=tuple(
            (text(n.label, language, site_values), text(n.if_missing, language, site_values)) for n in procedure.needs
        ),
        steps=tuple(step_view(i + 1, s, language, hard, site_values) for i, s in enumerate(printed)),
        words=words,
        source_url=str(procedure.source.url) if procedure.source else None,
    )


def step_view(
    number: int, step: Step, language: str, hard: AbstractSet[str], site_values: Mapping[str, str] | None
) -> HandoutStep:
    """One step as printed (also how the replay draws the screen the resident saw)."""
    qr_url = None
    if step.qr is not None:
        url = text(Localized({"ja": step.qr.url}), "ja", site_values)
        qr_url = url if url.startswith("https://") else None
    return HandoutStep(
        number=number,
        step_id=step.id,
        title=text(step.title, language, site_values),
        instruction=text(step.instruction, language, site_values),
        where=WHERE.get(language, WHERE["ja"])[step.where],
        caution=text(step.caution, language, site_values) or None,
        question=text(step.question.text, language, site_values) if step.question else None,
        picture=step.picture,
        qr=qr_svg(qr_url) if qr_url else None,
        qr_label=text(step.qr.label, language, site_values) if step.qr else None,
        hard=step.id in hard,
    )
