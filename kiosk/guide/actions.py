"""What can happen to a guide: touches and voice commands from the resident, messages from staff, time passing."""

from __future__ import annotations

from dataclasses import dataclass


class Action:
    """Base of every action; `touch` says whether it proves someone is at the kiosk (resets the idle timer)."""

    touch = True


@dataclass(frozen=True)
class Begin(Action):
    """Someone touched the start screen; the runtime supplies a fresh random session id."""

    session_id: str


@dataclass(frozen=True)
class ShowPage(Action):
    """Page of the procedure catalog (6 cards a page)."""

    page: int


@dataclass(frozen=True)
class StartProcedure(Action):
    """The resident chose a procedure card."""

    procedure_id: str


@dataclass(frozen=True)
class MissingNeeds(Action):
    """ "I don't have it" on the before-you-start screen."""


@dataclass(frozen=True)
class Next(Action):
    """つぎへ."""


@dataclass(frozen=True)
class Back(Action):
    """もどる: exactly the previous screen."""


@dataclass(frozen=True)
class Choose(Action):
    """An answer to the current step's question."""

    choice_id: str


@dataclass(frozen=True)
class Repeat(Action):
    """もういちど: say the current screen again."""


@dataclass(frozen=True)
class AskHelp(Action):
    """係の人を呼ぶ; without a reason it opens the reasons screen, with one it escalates."""

    reason: str | None = None


@dataclass(frozen=True)
class ReturnToProcedure(Action):
    """Leave the waiting screen and continue the procedure while the escalation stays open."""


@dataclass(frozen=True)
class EscalationUpdate(Action):
    """The helpdesk reported the escalation's status (position in queue, estimated wait, claimed...)."""

    status: str
    position: int | None = None
    wait_s: int | None = None
    touch = False


@dataclass(frozen=True)
class HelpdeskUnreachable(Action):
    """The help request could not be delivered yet (the outbox keeps retrying)."""

    touch = False


@dataclass(frozen=True)
class StaffMessageArrived(Action):
    """A message from staff: text to show and speak, a step to move to, or "I'm coming"."""

    kind: str  # "text" | "send-step" | "coming" | "resolved"
    text: str = ""
    step_id: str | None = None
    message_id: int | None = None
    question: bool = False
    """A yes/no question: the waiting screen shows はい / いいえ for it."""
    touch = False


@dataclass(frozen=True)
class Tick(Action):
    """Time passed (seconds since the last tick); drives the inactivity warning and time on step."""

    seconds: float
    touch = False


@dataclass(frozen=True)
class ExtendTime(Action):
    """つづける on the inactivity warning."""


@dataclass(frozen=True)
class SetLanguage(Action):
    """Switch language, keeping the place."""

    language: str


@dataclass(frozen=True)
class SetTextSize(Action):
    """Switch among standard / large / largest, keeping the place."""

    size: str


@dataclass(frozen=True)
class CycleTextSize(Action):
    """The fixed bar's one-touch 文字の大きさ button: next size, wrapping round."""


@dataclass(frozen=True)
class SetSpeechRate(Action):
    """0 slow, 1 slower than normal (default), 2 normal."""

    rate: int


@dataclass(frozen=True)
class VoiceNotUnderstood(Action):
    """A voice command was heard but not understood (counted for the stuck signals)."""


@dataclass(frozen=True)
class GoHome(Action):
    """はじめにもどる: ends the session and wipes."""


@dataclass(frozen=True)
class EndSession(Action):
    """The session ends for another reason (completed, crash restart)."""

    outcome: str = "completed"
    touch = False


@dataclass(frozen=True)
class DeclineHelp(Action):
    """だいじょうぶ、つづける on the kiosk's own offer of help."""


@dataclass(frozen=True)
class CycleSpeechRate(Action):
    """The fixed bar's 話す速さ button: slow → slower → normal speech, wrapping round."""


@dataclass(frozen=True)
class SetVolume(Action):
    """0 quiet, 1 normal (default), 2 loud."""

    volume: int


@dataclass(frozen=True)
class CycleVolume(Action):
    """The fixed bar's 音量 button: next volume, wrapping round."""


@dataclass(frozen=True)
class OpenVoiceSettings(Action):
    """The fixed bar's 声 button: a screen with the speech speed and volume (one touch each to change)."""


@dataclass(frozen=True)
class Answer(Action):
    """The resident answers staff: understood | done | say-again | not-understood, or yes | no to a question."""

    answer: str


@dataclass(frozen=True)
class PointAt(Action):
    """Staff point at an element of the resident's screen (a button id, `qr`, `picture` or `instruction`)."""

    element: str
    touch = False


@dataclass(frozen=True)
class CallOffered(Action):
    """Staff want to talk: the kiosk rings (nothing is captured until the resident touches 話す)."""

    call_id: str
    touch = False


@dataclass(frozen=True)
class AcceptCall(Action):
    """話す: the resident takes the call."""


@dataclass(frozen=True)
class DeclineCall(Action):
    """話さない: the resident declines; the conversation goes on in text."""


@dataclass(frozen=True)
class HangUp(Action):
    """通話をおわる: the resident ends the call."""


@dataclass(frozen=True)
class CallConnected(Action):
    """Audio flows both ways."""

    call_id: str
    touch = False


@dataclass(frozen=True)
class CallEnded(Action):
    """The call ended from elsewhere: staff hung up, or the connection dropped (`reason` dropped)."""

    call_id: str
    reason: str = "staff"
    touch = False
