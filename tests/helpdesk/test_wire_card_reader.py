"""The heartbeat's card_reader field: added without loosening the message (older heartbeats stay valid)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from helpdesk import wire

BEAT = {"kiosk_version": "0.1.0", "content_version": "9 procedures", "voice_available": True, "outbox_length": 0}


def test_a_heartbeat_from_before_the_field_is_still_valid():
    assert wire.KioskHeartbeat.model_validate(BEAT).card_reader is None


@pytest.mark.parametrize("state", ["connected", "absent", "error"])
def test_the_reader_states(state):
    assert wire.KioskHeartbeat.model_validate({**BEAT, "card_reader": state}).card_reader == state


@pytest.mark.parametrize("extra", [{"card_reader": "pin4-1-left"}, {"card_reader": True}, {"card_pins": 1}])
def test_anything_else_is_refused(extra):
    with pytest.raises(ValidationError):
        wire.KioskHeartbeat.model_validate({**BEAT, **extra})
