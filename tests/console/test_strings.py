"""The console's words: both languages complete, and every code the helpdesk can send has a label."""

from __future__ import annotations

import typing

from content.schema import Place
from helpdesk.console.strings import LABELS, labels, pick, texts
from helpdesk.domain import OUTCOMES, ROLES
from helpdesk.wire import EscalationState, MessageKind, Sender
from yorisoi.vocabulary import HELP_REASONS, Language


def test_japanese_is_the_default_and_english_is_complete() -> None:
    """Unknown or missing choices fall back to Japanese; every English text differs from its key."""
    assert pick(None) == "ja" and pick("fr") == "ja" and pick("en") == "en"
    ja, en = texts("ja"), texts("en")
    assert ja.keys() == en.keys()
    assert all(value and value != key for key, value in en.items())


def test_every_code_from_the_helpdesk_has_a_label_in_both_languages() -> None:
    """Statuses, reasons, outcomes, roles, senders, languages, message kinds and system notes are all named."""
    expected = {
        "status": set(typing.get_args(EscalationState)),
        "reason": set(HELP_REASONS),
        "outcome": set(OUTCOMES),
        "role": set(ROLES),
        "sender": set(typing.get_args(Sender)),
        "language": set(typing.get_args(Language)),
        "kind": set(typing.get_args(MessageKind)) - {"text", "system"},
        "where": set(typing.get_args(Place)),
        "system": {"claimed", "released", "transferred", "resolved", "cancelled", "abandoned"},
    }
    for group, codes in expected.items():
        assert set(LABELS[group]) == codes, group
        for language in ("ja", "en"):
            assert all(labels(language)[group][code] for code in codes)
    assert {"time-on-step", "oscillation", "repeat", "extend", "voice"} <= set(LABELS["offer"]), "kiosk stuck signals"
