"""Workshop replay (`yorisoi kiosk --workshop FILE`): the screens a resident saw in an exported session, with times.

A trainer steps through anonymised sessions on a kiosk driven from a projector. This module turns the exported file
(`helpdesk.wire.ReplayExport`) into the kiosk's own `ScreenView`s, rendered by the same guide views a resident's
kiosk uses, plus a caption for the trainer. No Kivy, no network, no journal: a replay is not a resident session and
must never reach the analytics. Reading the file (`read_export`) is its only I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from content.schema import Procedure
from helpdesk.wire import REPLAY_FORMAT, REPLAY_VERSION, ReplayExport, ReplaySession
from kiosk.guide import Guide, GuideSettings, GuideState, Place, ScreenView
from yorisoi.vocabulary import (
    HELP_REASON_NAMES,
    LANGUAGE_NAMES,
    LANGUAGES,
    SESSION_ACTION_NAMES,
    SESSION_END_NAMES,
    TEXT_SIZE_NAMES,
    TEXT_SIZES,
)

TRAINER_LANGUAGE = "ja"  # the trainer's strip is in Japanese; the resident's screen is in the session's language

MIN_AUTO_S = 1.0  # even a screen the resident left at once stays long enough to be seen
QUIET = frozenset({"step-shown"})  # the frame itself: not listed as something the resident did


class WorkshopError(Exception):
    """The workshop file cannot be replayed; the message says what is wrong and how to fix it."""

    code = "workshop-error"


class NotJson(WorkshopError):
    """The file is not JSON."""

    code = "workshop-not-json"


class NotReplay(WorkshopError):
    """The file is JSON but not a Yorisoi session replay file."""

    code = "workshop-not-replay"


class WrongVersion(WorkshopError):
    """The file is a replay file of another format version."""

    code = "workshop-version"


class InvalidReplay(WorkshopError):
    """The file does not match the replay format."""

    code = "workshop-invalid"


class FileMissing(WorkshopError):
    """No file at the given path."""

    code = "workshop-missing"


class FileUnreadable(WorkshopError):
    """The file exists but cannot be read as UTF-8 text."""

    code = "workshop-unreadable"


class NoSessions(WorkshopError):
    """The file holds no sessions."""

    code = "workshop-empty"


class UnknownContent(WorkshopError):
    """The file names procedures or steps this kiosk's content does not have."""

    code = "workshop-content"


@dataclass(frozen=True)
class Caption:
    """What the trainer's strip says about one screen."""

    position: str
    """画面 3 / 12"""
    dwell: str
    """この画面に 45秒"""
    at: str
    """開始から 1:05"""
    step_title: str
    """The step's title in Japanese (the resident's screen may be in another language)."""
    events: tuple[str, ...]
    """What happened on the screen, each with its time since the session started: "1:10 係の人を呼んだ(…)"."""

    def line(self) -> str:
        """The strip's one line: position, time on screen, and what the resident did."""
        done = [e.split(" ", 1)[1] for e in self.events]
        return " · ".join([self.position, self.dwell, *done])


@dataclass(frozen=True)
class Screen:
    """One frame of the replay: the resident's screen, the trainer's caption, and what the kiosk said aloud."""

    view: ScreenView
    caption: Caption
    speech: str
    reading: str | None
    seconds: float


@dataclass(frozen=True)
class Summary:
    """A session as the picker lists it."""

    title: str
    ending: str
    duration: str
    screens: int
    language: str
    day: str

    def details(self) -> str:
        """How it ended, how long, how many screens, language and day on one line."""
        return f"{self.ending} · {self.duration} · 画面 {self.screens} · {self.language} · {self.day}"


def parse_export(text: str, source: str = "the workshop file") -> ReplayExport:
    """Validate a workshop file's text; errors say what is wrong and how to get a good file."""
    again = (
        "Export it again from the trainer console (セッション再生 → ワークショップ用ファイル) or with `yorisoi replay`."
    )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotJson(f"{source} is not JSON ({exc.msg}, line {exc.lineno}). {again}") from None
    if not isinstance(data, dict) or data.get("format") != REPLAY_FORMAT:
        raise NotReplay(f"{source} is not a Yorisoi session replay file. {again}")
    if data.get("version") != REPLAY_VERSION:
        raise WrongVersion(
            f"{source} is replay format version {data.get('version')!r}; this kiosk reads version {REPLAY_VERSION}. "
            "Update the kiosk and the helpdesk to the same Yorisoi version, then export again.",
        )
    try:
        return ReplayExport.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source} does not match the replay format:"]
        for error in exc.errors()[:10]:
            lines.append(f"  {'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
        raise InvalidReplay("\n".join([*lines, again])) from None


def read_export(path: str | Path) -> ReplayExport:
    """Read and validate a workshop file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileMissing(f"{path}: no such file. Give the path of a file exported with `yorisoi replay`.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileUnreadable(f"{path}: cannot read it ({exc}).") from None
    export = parse_export(text, str(path))
    if not export.sessions:
        raise NoSessions(f"{path} holds no sessions. Export again with wider filters.")
    return export


def check_content(export: ReplayExport, procedures: Mapping[str, Procedure]) -> None:
    """Every procedure and step the file names exists in this kiosk's content (else one error listing them all)."""
    problems: list[str] = []
    for session in export.sessions:
        where = f"session {session.session_id[:12]}"
        procedure = procedures.get(session.procedure_id or "")
        if session.procedure_id and procedure is None:
            problems.append(f"{where}: unknown procedure '{session.procedure_id}'")
            continue
        known = {s.id for s in procedure.steps} if procedure else set()
        named = {f.step_id for f in session.frames} | {m.step_id for f in session.frames for m in f.moments}
        for step_id in sorted(s for s in named if s and s not in known):
            problems.append(f"{where}: unknown step '{step_id}' of procedure '{session.procedure_id}'")
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise UnknownContent(
            "the workshop file names procedures or steps this kiosk's content does not have:\n  "
            + "\n  ".join(shown)
            + "\nUpdate the kiosk's content to the helpdesk's version, or export only procedures this kiosk has"
            " (`yorisoi replay --procedure ID`).",
        )


def workshop_guide(procedures: Mapping[str, Procedure], settings: GuideSettings | None = None) -> Guide:
    """A guide that renders every language (a session may be in one this kiosk does not offer residents)."""
    settings = settings or GuideSettings()
    return Guide(procedures, replace(settings, languages=LANGUAGES, default_language="ja"))


def summary(session: ReplaySession, procedures: Mapping[str, Procedure]) -> Summary:
    """The picker's entry for a session."""
    procedure = procedures.get(session.procedure_id or "")
    last = session.frames[-1]
    return Summary(
        title=procedure.title.get(TRAINER_LANGUAGE) if procedure else "(手続きを選ぶ前に終了)",
        ending=SESSION_END_NAMES.get(session.outcome or "", session.outcome or "終わりの記録なし"),
        duration=_duration(last.offset_s + last.seconds),
        screens=len(session.frames),
        language=LANGUAGE_NAMES.get(session.language, session.language),
        day=f"{session.day.month}/{session.day.day}",
    )


def screens(session: ReplaySession, guide: Guide) -> tuple[Screen, ...]:
    """Every frame of a session as the resident's screen (in the session's language and text size) and a caption."""
    procedure = guide.procedures.get(session.procedure_id or "")
    total = len(session.frames)
    result = []
    for i, (frame, state) in enumerate(zip(session.frames, _states(session), strict=True)):
        text, reading = guide.views.speech(state)
        step = procedure.step(frame.step_id).title.get(TRAINER_LANGUAGE) if procedure and frame.step_id else ""
        caption = Caption(
            position=f"画面 {i + 1} / {total}",
            dwell=f"この画面に {_duration(frame.seconds)}",
            at=f"開始から {_clock(frame.offset_s)}",
            step_title=step or ("手続きの説明" if state.place.screen == "before" else "手続きを選ぶ画面"),
            events=tuple(
                f"{_clock(m.offset_s)} {moment_label(m.action, m.outcome, procedure, m.step_id)}"
                for m in frame.moments
                if m.action not in QUIET
            ),
        )
        result.append(Screen(guide.view(state), caption, text, reading, frame.seconds))
    return tuple(result)


def _states(session: ReplaySession) -> Iterator[GuideState]:
    """The guide state at the start of each frame: place, the steps behind it (for 「3 / 7」), language, size."""
    pid = session.procedure_id
    language, size = session.language, "standard"
    stack: list[str] = []
    came_back = False
    for frame in session.frames:
        if frame.step_id is None:
            started = pid and any(m.action == "procedure-start" for m in frame.moments)
            place, stack = (Place("before", pid) if started or (pid and came_back) else Place("catalog")), []
        else:
            if not stack or stack[-1] != frame.step_id:
                if came_back and len(stack) >= 2 and stack[-2] == frame.step_id:
                    stack.pop()
                else:
                    stack.append(frame.step_id)
            place = Place("step", pid, frame.step_id)
        history = tuple(Place("step", pid, s) for s in stack[:-1])
        yield GuideState(place=place, history=history, session_id=session.session_id, language=language, text_size=size)
        for m in frame.moments:  # changes made on this screen show from the next one on
            if m.action == "language" and m.outcome in LANGUAGES:
                language = m.outcome
            elif m.action == "text-size" and m.outcome in TEXT_SIZES:
                size = m.outcome
        came_back = any(m.action == "back" for m in frame.moments)


def moment_label(action: str, outcome: str | None, procedure: Procedure | None, step_id: str | None) -> str:
    """A recorded event in the trainer's words: "係の人を呼んだ(画面がわからない)"."""
    name = SESSION_ACTION_NAMES.get(action, action)
    if not outcome:
        return name
    detail = outcome
    if action == "help-asked":
        detail = HELP_REASON_NAMES.get(outcome, outcome)
    elif action == "session-end":
        detail = SESSION_END_NAMES.get(outcome, outcome)
    elif action in ("language", "session-start"):
        detail = LANGUAGE_NAMES.get(outcome, outcome)
    elif action == "text-size":
        detail = TEXT_SIZE_NAMES.get(outcome, outcome)
    elif action == "choice" and procedure is not None and step_id:
        question = procedure.step(step_id).question
        labels = {c.id: c.label.get(TRAINER_LANGUAGE) for c in question.choices} if question else {}
        detail = labels.get(outcome, outcome)
    return f"{name}({detail})"


def auto_delay(seconds: float, speed: float) -> float:
    """Seconds auto-play stays on a screen: the resident's time divided by the speed, never under one second."""
    return max(MIN_AUTO_S, seconds / speed)


def _clock(seconds: float) -> str:
    """Minutes:seconds since the session started."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _duration(seconds: float) -> str:
    """45秒, 2分05秒."""
    whole = round(seconds)
    return f"{whole}秒" if whole < 60 else f"{whole // 60}分{whole % 60:02d}秒"
