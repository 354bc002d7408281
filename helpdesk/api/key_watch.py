"""Every server process forgets its remembered kiosk-key answers the moment a key is revoked or rotated anywhere.

The key cache (`KioskKeys`) spares each kiosk request a query; without this, a revoked key kept working in other
processes until their cache entries aged out. The revocation writes a kiosk-keys event in its own transaction
(`accounts.revoke_kiosk`), so it reaches every process through the notification bus: PostgreSQL relays it at once
(the revoking transaction NOTIFYs every relay awake), SQLite's one server reads it back within its bus poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from helpdesk.api.services import Services
from helpdesk.bus import KIOSK_KEYS_TOPIC, is_reset
from helpdesk.store.accounts import KIOSK_KEY_CHANGED

log = logging.getLogger(__name__)


async def forget_revoked_keys(svc: Services) -> None:
    """Listen to the kiosk-keys topic for as long as the server runs and drop the key cache on every key change (and on
    a reset, which may have hidden one)."""
    while True:
        try:
            async with svc.bus.subscribe(KIOSK_KEYS_TOPIC) as subscription:
                while True:
                    event = await subscription.next()
                    if event is not None and (event.payload.get("action") == KIOSK_KEY_CHANGED or is_reset(event)):
                        svc.kiosk_keys.forget()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the bus is away for a moment: forget everything, listen again
            svc.kiosk_keys.forget()
            log.warning("kiosk key watch: %s; listening again", type(exc).__name__)
            await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def watching(svc: Services):
    """Run `forget_revoked_keys` for the lifetime of the app."""
    task = asyncio.create_task(forget_revoked_keys(svc))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
