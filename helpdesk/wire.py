"""The wire contract between kiosk and helpdesk: versioned pydantic messages.

Imports only pydantic and the standard library, so a kiosk can use it without the server's dependencies.
The HTTP API lives under `/api/v{WIRE_VERSION}`; a breaking change to any message here bumps the version.
Requests forbid unknown fields (a kiosk bug shows up as a 422, not as silently dropped data); responses
ignore unknown fields so an older kiosk keeps working when the server adds one.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

WIRE_VERSION = 1
"""Major version of this contract; the HTTP API is served under `/api/v1`."""

API_PREFIX = f"/api/v{WIRE_VERSION}"

Language = Literal["ja", "ja-easy", "en"]
"""日本語, やさしい日本語, English (the languages every procedure has)."""

_PERSONAL_NUMBER = re.compile(r"(?<![A-Za-z0-9])\d(?:[-_./]?\d){9,}(?![A-Za-z0-9])")
"""In an identifier, a personal number is a run of ≥ 10 digits, grouped or not, standing alone (a random hex id has
digit runs between letters; `uuid4().hex` is all digits once in 3 million)."""


def not_personal(value: str) -> str:
    """Refuse an identifier that carries what looks like a マイナンバー, phone number or e-mail address."""
    if _PERSONAL_NUMBER.search(value) or "@" in value:
        raise ValueError("looks like a personal number or address; identifiers never carry personal data")
    return value


NotPersonal = AfterValidator(not_personal)


def json_number(value: object) -> object:
    """Refuse what JSON Schema does not call a number (true/false, strings) before pydantic's lax parsing would
    read them as one."""
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["moving-in"]), NotPersonal]
"""Procedure / step ids, the same shape as in `content.schema`."""

KioskId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["kita-1"])]

SessionId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", examples=["5f0c6a1e9b2d4c7fa1e3b5d7c9e1f3a5"]), NotPersonal
]
"""Random, pseudonymous id of one resident session (e.g. `uuid4().hex`); never derived from the resident."""

REASON_CODES: tuple[str, ...] = ("screen-unclear", "card-unreadable", "pin-forgotten", "other")
"""Reasons a resident can choose from the help buttons."""

OFFER_PREFIX = "offer:"
"""`offer:<signal>`: the kiosk offered help on its own (e.g. `offer:idle-long`) and the resident accepted."""

Reason = Annotated[
    str,
    Field(
        pattern=r"^(screen-unclear|card-unreadable|pin-forgotten|other|offer:[a-z0-9][a-z0-9-]{0,39})$",
        examples=["card-unreadable", "offer:idle-long"],
    ),
    NotPersonal,
]

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$"), NotPersonal]
"""A stable machine code (actions, outcomes, error codes)."""

EscalationState = Literal["waiting", "claimed", "resolved", "cancelled", "abandoned"]
"""waiting → claimed → resolved; released goes back to waiting; cancelled / abandoned end it unresolved."""

MessageKind = Literal["text", "send-step", "coming", "system"]
"""text: a typed reply; send-step: show this step on the kiosk; coming: a staff member walks over; system."""

Sender = Literal["staff", "kiosk", "system"]

MessageText = Annotated[str, Field(max_length=1000)]


class Request(BaseModel):
    """Base for messages a client sends: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    """Base for messages the server sends: unknown fields are ignored (newer server, older kiosk)."""

    model_config = ConfigDict(extra="ignore")


class PathStep(Request):
    """One step the resident went through before asking for help, and how long it took."""

    step_id: Identifier
    seconds: Annotated[float, Field(ge=0, le=86_400)]


NO_PLACE = "none"
"""Procedure and step id of a help request made before the resident chose a procedure (the catalog, the start
screen): no content procedure or step may use it (`content.schema.RESERVED_IDS`)."""


class EscalationRequest(Request):
    """A kiosk asks for a staff member. Sent with an `Idempotency-Key` header; retries reuse the key.

    `procedure_id`/`step_id` are `NO_PLACE` when help was asked before a procedure was chosen."""

    session_id: SessionId
    procedure_id: Identifier
    step_id: Identifier
    language: Language
    reason: Reason
    path: Annotated[list[PathStep], Field(max_length=200)] = []


class EscalationStatus(Response):
    """Where an escalation stands, as the kiosk shows it to the resident."""

    id: str
    status: EscalationState
    position: int | None = None
    """1 = next in line; None once claimed or ended."""
    estimated_wait_s: int | None = None
    claimed_by: str | None = None
    """Display name of the staff member handling it (never a login)."""
    created_at: dt.datetime
    updated_at: dt.datetime
    outcome: str | None = None


class StaffMessage(Response):
    """One message in an escalation's conversation (staff → kiosk mostly; also kiosk and system notes)."""

    id: int
    """Increases monotonically; long-poll with `after=<last id seen>`."""
    escalation_id: str
    sender: Sender
    kind: MessageKind
    text: str = ""
    step_id: str | None = None
    """For `send-step`: the step the kiosk should show."""
    created_at: dt.datetime


class MessageList(Response):
    """Messages after the one asked for (empty when a long-poll times out)."""

    messages: list[StaffMessage]
    last_id: int
    """Pass this as `after` on the next poll."""
    status: EscalationState


class KioskMessage(Request):
    """A note from the kiosk into the conversation (e.g. a voice transcript); screened before storage."""

    kind: Literal["text"] = "text"
    """Only text: system notes are the server's alone."""
    text: Annotated[str, Field(min_length=1, max_length=1000, pattern=r"\S")]


def time_ordered_uuid(at: dt.datetime, random_bits: int) -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Event ids made this way sort by time,
    so the helpdesk's event-id index grows at its end instead of at a random page for every event (ingest writes a
    few pages per batch, not one per event). `random_bits`: 74 bits from `secrets.randbits(74)` (or a seeded RNG)."""
    ms = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    rand_a, rand_b = (random_bits >> 62) & 0xFFF, random_bits & ((1 << 62) - 1)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b)


class SessionEvent(Request):
    """One pseudonymous step of a resident session, for workshop trainers. No free text, ever.

    Kiosks make `event_id` with `time_ordered_uuid` (any UUID is accepted)."""

    event_id: uuid.UUID
    session_id: SessionId
    kiosk_id: KioskId
    procedure_id: Identifier | None = None
    step_id: Identifier | None = None
    action: Code
    seconds: Annotated[float, Field(ge=0, le=86_400)] = 0.0
    outcome: Code | None = None
    at: AwareDatetime


class SessionEventBatch(Request):
    """Events sent together; the server stores each event id once, so a whole batch may be resent."""

    events: Annotated[list[SessionEvent], Field(min_length=1, max_length=1000)]


class EventBatchResult(Response):
    """How many events of a batch were new and how many were already stored."""

    accepted: int
    duplicates: int


class KioskHeartbeat(Request):
    """A kiosk's periodic status report."""

    kiosk_version: Annotated[str, Field(min_length=1, max_length=40)]
    content_version: Annotated[str, Field(min_length=1, max_length=80)]
    voice_available: bool
    outbox_length: Annotated[int, Field(ge=0, le=1_000_000), BeforeValidator(json_number)]
    """A count: `false` or `"3"` is a kiosk bug, refused like the schema says (not read as 0 or 3)."""
    content_errors: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] = []
    """Content files the kiosk could not load (file and reason, no resident data)."""


class HeartbeatAck(Response):
    """The server's answer to a heartbeat: its clock and the site's fallback for when help is unreachable."""

    server_time: dt.datetime
    site_id: str
    site_name: str
    fallback_phone: str | None = None


class ErrorBody(Response):
    """Every error answer: a stable machine `code` and a human `message` (no stack traces)."""

    code: str
    message: str


class StepThresholds(Response):
    """Per-step seconds (p90 of past residents) after which a kiosk counts a resident as stuck on that step.

    Keys are `procedure/step`; only steps with enough recent sessions are listed."""

    min_sessions: int
    days: int
    step_seconds: dict[str, float]


REPLAY_FORMAT = "yorisoi-replay"
REPLAY_VERSION = 1
"""Version of the session replay file; a kiosk refuses a file of another version (export again to match)."""

TextSize = Literal["standard", "large", "largest"]


class ReplayMoment(Request):
    """One recorded event of a replayed session, seconds after the session started (no clock time)."""

    offset_s: Annotated[float, Field(ge=0, le=86_400)]
    action: Code
    step_id: Identifier | None = None
    outcome: Code | None = None


class ReplayFrame(Request):
    """A screen the resident saw: its step (None before the first step), when it appeared and for how long."""

    step_id: Identifier | None = None
    offset_s: Annotated[float, Field(ge=0, le=86_400)]
    seconds: Annotated[float, Field(ge=0, le=86_400)]
    moments: Annotated[list[ReplayMoment], Field(max_length=1000)] = []


class ReplaySession(Request):
    """One anonymised session to step through: no kiosk, no site, no clock time beyond the day, no free text."""

    session_id: SessionId
    procedure_id: Identifier | None = None
    language: Language
    text_size: TextSize | None = None
    """The first text size the resident chose during the session (None: never changed)."""
    day: dt.date
    """The local calendar day of the session."""
    outcome: Code | None = None
    """How it ended (completed, counter, home, timeout, restart), None when no end was recorded."""
    frames: Annotated[list[ReplayFrame], Field(min_length=1, max_length=2000)]


class ReplayExport(Request):
    """A file of sessions for `yorisoi kiosk --workshop FILE` (a trainer replays them on a projector).

    Unknown fields are refused: a file carrying more than this contract allows is not read."""

    format: Literal["yorisoi-replay"] = REPLAY_FORMAT
    version: Literal[1] = REPLAY_VERSION
    exported_at: AwareDatetime
    sessions: Annotated[list[ReplaySession], Field(max_length=1000)]


# --- session vocabulary in the trainer's words (日本語): the analytics pages and the workshop kiosk both use it ---

SESSION_ACTION_NAMES: dict[str, str] = {
    "session-start": "開始",
    "procedure-start": "手続きを選んだ",
    "step-shown": "画面が出た",
    "back": "もどる",
    "repeat": "もういちど",
    "choice": "答えを選んだ",
    "needs-missing": "持ち物がない",
    "help-opened": "係の人を呼ぶ画面",
    "help-asked": "係の人を呼んだ",
    "staff-message": "係員から連絡",
    "staff-step": "係員が画面を送った",
    "helpdesk-unreachable": "ヘルプデスクにつながらない",
    "timeout-warning": "時間切れの予告",
    "timeout-extended": "つづける",
    "language": "言語を変えた",
    "text-size": "文字の大きさを変えた",
    "speech-rate": "話す速さを変えた",
    "voice-not-understood": "声が聞き取れなかった",
    "stuck-signal": "つまずきの気配",
    "help-offered": "手伝いを申し出た",
    "help-offer-accepted": "申し出を受けた",
    "help-offer-declined": "申し出を断った",
    "session-end": "終了",
}
"""Session event `action` codes a kiosk records, as a trainer reads them."""

SESSION_END_NAMES: dict[str, str] = {
    "completed": "最後まで完了",
    "counter": "窓口へ案内",
    "home": "途中でやめた",
    "timeout": "時間切れ",
    "restart": "再起動",
}
"""How a session ended (`session-end` outcome)."""

HELP_REASON_NAMES: dict[str, str] = {
    "screen-unclear": "画面がわからない",
    "card-unreadable": "カードが読めない",
    "pin-forgotten": "暗証番号を忘れた",
    "other": "その他",
}
"""Why the resident asked for help (`help-asked` outcome, escalation reason)."""

TEXT_SIZE_NAMES: dict[str, str] = {"standard": "標準", "large": "大きい", "largest": "とても大きい"}
