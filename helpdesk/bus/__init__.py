"""The notification bus: queue changes and conversation messages, published once, delivered to listeners.

One interface, `NotificationBus`. `InMemoryBus` serves one process and keeps nothing; `SqliteBus` serves the one
process of a SQLite database; `PostgresBus` serves several processes on one PostgreSQL. The stores write queue events
in the transaction of the change they describe (`helpdesk.bus.outbox`); endpoints hand them to `committed` after the
commit, so a process dying between the two loses nothing.

A listener that reconnects with `last_event_id` gets what it missed, or — when that can no longer be replayed (too
old, from before a restart, or it fell too far behind) — one *reset* event (`is_reset(event)`): it must refetch the
full state instead of trusting the stream. Events are never dropped silently.

The room: `events` (event types and the interface, stdlib only), `memory` (one process), `stored` (what the
database-backed buses share), `sqlite`, `postgres`, and `outbox` (events written in a store transaction).
"""

from __future__ import annotations

from helpdesk.bus.events import (
    KIOSK_KEYS_TOPIC,
    QUEUE_TOPIC,
    REPLAY_LIMIT,
    REPLAY_TOPICS,
    RESET_ACTION,
    BusEvent,
    NotificationBus,
    Recorded,
    Subscription,
    escalation_topic,
    is_reset,
    reset_event,
)
from helpdesk.bus.memory import InMemoryBus

__all__ = [
    "KIOSK_KEYS_TOPIC",
    "QUEUE_TOPIC",
    "REPLAY_LIMIT",
    "REPLAY_TOPICS",
    "RESET_ACTION",
    "BusEvent",
    "InMemoryBus",
    "NotificationBus",
    "Recorded",
    "Subscription",
    "escalation_topic",
    "is_reset",
    "reset_event",
]
