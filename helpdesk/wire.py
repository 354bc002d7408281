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

from yorisoi.vocabulary import HELP_REASONS, OFFER_PREFIX, Language, TextSize

WIRE_VERSION = 1
"""Major version of this contract; the HTTP API is served under `/api/v1`."""

API_PREFIX = f"/api/v{WIRE_VERSION}"


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

ContentVersionId = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A content version: the SHA-256 (hex) of its canonical pack (`content.pack`)."""

KioskId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["kita-1"])]

SessionId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", examples=["5f0c6a1e9b2d4c7fa1e3b5d7c9e1f3a5"]), NotPersonal
]
"""Random, pseudonymous id of one resident session (e.g. `uuid4().hex`); never derived from the resident."""

Reason = Annotated[
    str,
    Field(
        pattern=rf"^({'|'.join(HELP_REASONS)}|{OFFER_PREFIX}[a-z0-9][a-z0-9-]{{0,39}})$",
        examples=["card-unreadable", "offer:idle-long"],
    ),
    NotPersonal,
]
"""A help reason the resident chose, or the stuck signal of a help offer they accepted."""

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
"""An `Idempotency-Key` header: 1–200 printable ASCII characters, chosen by the kiosk once per escalation."""
IdempotencyKey = Annotated[str, Field(pattern=IDEMPOTENCY_KEY_PATTERN, examples=["6f1c2e7a9b3d4f5a8c0e1d2b3a4f5e6d"])]

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
    content_version: ContentVersionId | None = None
    """The content pack the resident's screens came from (content-loop addition; None: a plain content folder)."""


AnswerCode = Literal["understood", "done", "say-again", "not-understood", "yes", "no"]
"""The resident's answers to staff (1.1): わかりました / できました / もういちど言ってください / わかりません,
and はい / いいえ to a staff question. Codes, never free text: the resident cannot type."""

ANSWER_CODES: tuple[str, ...] = ("understood", "done", "say-again", "not-understood", "yes", "no")

QuestionKind = Literal["yes-no"]

ElementId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["next", "choice-yes", "qr"])]
"""An element of the resident's screen, named the same on the kiosk and in the console (1.1): a button's id
(`next`, `choice-<id>`, `back`, `help`, ...), or `qr`, `picture`, `instruction`."""


class ResidentAnswer(Request):
    """The resident answered staff by touch or voice (1.1). Sent with an `Idempotency-Key`; retries reuse it."""

    answer: AnswerCode
    question_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    """The staff question (`StaffMessage.id` with `question`) this answers; None for a general answer."""


class KioskSignal(Response):
    """Something for the screen that is not conversation (1.1); `kind` says what, unknown kinds are ignored."""

    id: int
    kind: str
    """`pointer`: draw a ring round `element` and say 「ここを押してください」. `call`: a call signal (`call`)."""
    element: str | None = None
    call: CallSignal | None = None
    created_at: dt.datetime


CallId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]

CallSignalKind = Literal["offer", "answer", "connected", "decline", "hangup", "dropped", "unavailable"]
"""offer (staff, with SDP) → answer (kiosk, with SDP, only after the resident touched 話す) → connected (either
side, audio flows) → hangup / dropped (either side). decline: the resident chose 話さない; unavailable: the kiosk
has no microphone or speaker, or is not ringing for it."""


class CallSignal(Request):
    """One step of setting up or ending a voice call (1.1). ICE candidates travel inside the SDP (gathered first)."""

    call_id: CallId
    kind: CallSignalKind
    sdp: Annotated[str, Field(max_length=30_000)] | None = None


class IceServer(Response):
    """A STUN or TURN server for WebRTC; TURN credentials are minted per call and expire."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class CallStarted(Response):
    """The helpdesk's answer to 「通話する」 and to a kiosk asking for ICE servers."""

    call_id: str
    ice_servers: list[IceServer]


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
    question: QuestionKind | None = None
    """Added in 1.1: a `text` message that asks the resident a question (shown as two big buttons はい / いいえ).
    An older kiosk ignores the field and shows the text as before."""
    answer: AnswerCode | None = None
    """Added in 1.1: a resident's answer (sender `kiosk`, kind `text`, empty text); `answers` names the message."""
    answers: int | None = None
    """Added in 1.1: for an answer, the id of the staff question it answers (None: a general answer)."""


class MessageList(Response):
    """Messages after the one asked for (empty when a long-poll times out)."""

    messages: list[StaffMessage]
    last_id: int
    """Pass this as `after` on the next poll."""
    status: EscalationState
    signals: list[KioskSignal] = []
    """Added in 1.1: things for the kiosk's screen that are not conversation (the staff pointer); an older kiosk
    ignores them."""


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
    content_version: ContentVersionId | None = None
    """The content pack the session ran on (content-loop addition; None: a plain content folder)."""


class SessionEventBatch(Request):
    """Events sent together; the server stores each event id once, so a whole batch may be resent."""

    events: Annotated[list[SessionEvent], Field(min_length=1, max_length=1000)]


class EventBatchResult(Response):
    """How many events of a batch were new and how many were already stored."""

    accepted: int
    duplicates: int


class ContentRefusal(Request):
    """A content version the kiosk would not run, and why (a stable code such as `pack-signature-invalid`)."""

    version: ContentVersionId
    code: Code
    message: Annotated[str, Field(max_length=200)] = ""


class ContentReport(Request):
    """Content-loop addition to the heartbeat (optional: kiosks before it simply do not send it)."""

    running: ContentVersionId | None = None
    """The pack the kiosk guides from; None when it runs a content folder, not a published pack."""
    staged: ContentVersionId | None = None
    """Downloaded and verified, switched to at the next start screen."""
    refused: Annotated[list[ContentRefusal], Field(max_length=10)] = []


CardReaderState = Literal["connected", "absent", "error"]
"""A kiosk's card reader: connected, none plugged in, or pcscd / the driver failing."""


class KioskHeartbeat(Request):
    """A kiosk's periodic status report."""

    kiosk_version: Annotated[str, Field(min_length=1, max_length=40)]
    content_version: Annotated[str, Field(min_length=1, max_length=80)]
    voice_available: bool
    outbox_length: Annotated[int, Field(ge=0, le=1_000_000), BeforeValidator(json_number)]
    """A count: `false` or `"3"` is a kiosk bug, refused like the schema says (not read as 0 or 3)."""
    content_errors: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] = []
    """Content files the kiosk could not load (file and reason, no resident data)."""
    call_unavailable: Code | None = None
    """Added in 1.1: why this kiosk cannot take a voice call (`no-microphone`, `no-speaker`, `no-media-stack`,
    `disabled`); None when it can."""
    content: ContentReport | None = None
    """Added by the content loop; absent from older kiosks."""
    card_reader: CardReaderState | None = None
    """Added in wire 1 for the card check: whether the kiosk's card reader is connected. None: the kiosk predates
    the field or has the card check turned off (older heartbeats stay valid; nothing read from a card is sent)."""


class ContentTarget(Response):
    """The content version the kiosk's site should run: fetch `GET /content/packs/{version}`, check the bytes'
    SHA-256 is `version` and `signature` verifies with the kiosk's configured public key."""

    version: str
    signature: str
    size: int


class HeartbeatAck(Response):
    """The server's answer to a heartbeat: its clock and the site's fallback for when help is unreachable."""

    server_time: dt.datetime
    site_id: str
    site_name: str
    fallback_phone: str | None = None
    content: ContentTarget | None = None
    """Added by the content loop (older kiosks ignore it); None until a version is published for the site."""
    site_values: dict[str, str] | None = None
    """The site's values for `{site.NAME}` in content, kept by the helpdesk (content loop; None: none set)."""


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


REPLAY_FORMAT: Literal["yorisoi-replay"] = "yorisoi-replay"
REPLAY_VERSION: Literal[1] = 1
"""Version of the session replay file; a kiosk refuses a file of another version (export again to match)."""


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
