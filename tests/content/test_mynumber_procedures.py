"""The マイナンバーカード procedures residents come in for (issue 17): a PIN mistake never loops back to 'try again',
every PIN typed off the kiosk says how many tries lock it, and every fact a step states names its official page."""

from __future__ import annotations

import re

import pytest

from content.loader import PACKAGED, load_procedure

NEW = [
    "mynumber-pin-reset",
    "kokin-koza",
    "cert-renewal",
    "smartphone-cert",
    "etax-smartphone",
    "nenkin-net",
    "myna-license",
]
TYPES_PIN = re.compile(r"\btype\b.*\bPIN", re.I)
LOCK_COUNT = re.compile(r"\b(3|5|three|five)\b.*\btries\b", re.I)


@pytest.fixture(scope="module", params=NEW)
def procedure(request):
    return load_procedure(PACKAGED / "procedures" / f"{request.param}.yaml")


def test_every_typed_pin_is_shielded_and_says_when_it_locks(procedure):
    for step in procedure.steps:
        if step.where == "kiosk" or not TYPES_PIN.search(step.instruction.get("en")):
            continue
        assert step.caution is not None, f"{procedure.id}/{step.id}"
        caution = step.caution.get("en")
        assert "shield" in caution.lower(), f"{procedure.id}/{step.id}: {caution}"
        if step.where == "phone" and "new" not in step.instruction.get("en"):  # choosing a new one cannot lock
            assert LOCK_COUNT.search(caution), f"{procedure.id}/{step.id}: say how many tries lock it"


def test_a_wrong_or_missing_pin_leads_to_the_counter_not_back(procedure):
    by_id = {s.id: s for s in procedure.steps}
    pin_answers = [
        (step.id, choice)
        for step in procedure.steps
        if step.question
        for choice in step.question.choices
        if choice.id in ("wrong-pin", "forgot", "no-pin-card")
    ]
    for step_id, choice in pin_answers:
        target = by_id[choice.next]
        assert target.end is not None and target.end.kind == "counter", f"{procedure.id}/{step_id} → {choice.next}"


def test_every_step_that_states_a_fact_cites_its_page(procedure):
    """Steps that only ask or point at the screen may go without; those with numbers or a caution may not."""
    for step in procedure.steps:
        text = step.instruction.get("ja") + (step.caution.get("ja") if step.caution else "")
        if re.search(r"\d", text) and step.where != "counter":
            assert step.sources, f"{procedure.id}/{step.id} states a number but cites no page"
        for source in step.sources:
            assert source.url.scheme in ("https", "http") and source.checked.year >= 2026


def test_phone_steps_point_to_an_official_page(procedure):
    qr_urls = [s.qr.url for s in procedure.steps if s.qr]
    for url in qr_urls:
        host = re.sub(r"^https://([^/]+)/.*$", r"\1", url)
        assert re.search(r"\.(go|lg)\.jp$", host) or host == "support.apple.com", url
    if any(s.where == "phone" for s in procedure.steps):
        assert qr_urls, f"{procedure.id} continues on the phone but offers no QR code to the official page"
