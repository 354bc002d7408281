"""Workshop replay without Kivy: an exported session becomes the kiosk's own screens plus the trainer's captions."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest

from content.loader import load_catalog
from helpdesk.analytics.replay import Moment, Replay, frames, to_export
from helpdesk.analytics.synthetic import Plan, default_plants, generate
from helpdesk.wire import ReplayExport, ReplaySession
from kiosk.guide import GuideState, Place
from kiosk.workshop.frames import (
    WorkshopError,
    auto_delay,
    check_content,
    parse_export,
    read_export,
    screens,
    summary,
    workshop_guide,
)

PROCEDURES = load_catalog().procedures
PID = "konbini-juminhyo"
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def replays_from_events(events: list[dict]) -> list[Replay]:
    """What `replay.load` builds from stored rows, built here from the generator's rows in time order."""
    by_session: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        by_session[event["session_id"]].append(event)
    result = []
    for session_id, rows in by_session.items():
        rows.sort(key=lambda e: e["at"])
        start = rows[0]["at"]
        moments = tuple(
            Moment(round((r["at"] - start).total_seconds(), 1), r["action"], r["step_id"], r["outcome"]) for r in rows
        )
        language = next(r["outcome"] for r in rows if r["action"] == "session-start")
        procedure_id = next((r["procedure_id"] for r in rows if r["procedure_id"]), None)
        ending = next((r["outcome"] for r in reversed(rows) if r["action"] == "session-end"), None)
        result.append(Replay(session_id, procedure_id, language, "s", start.date(), ending, frames(moments), moments))
    return result


@pytest.fixture(scope="module")
def synthetic_export() -> ReplayExport:
    """300 seeded synthetic sessions (planted stuck steps: many backs and help requests) as a workshop file."""
    drop_at, stuck_at = default_plants(PROCEDURES)
    plan = Plan(seed=8, sessions=300, kiosks={"north-1": "north"}, drop_at=drop_at, stuck_at=stuck_at)
    exported = to_export(replays_from_events(generate(plan, PROCEDURES).events), NOW)
    return parse_export(exported.model_dump_json())  # through the file format, as the kiosk reads it


def session(frames_: list[dict], *, language: str = "ja", procedure_id: str | None = PID) -> ReplaySession:
    return ReplaySession.model_validate(
        {
            "session_id": "0123456789abcdef",
            "procedure_id": procedure_id,
            "language": language,
            "day": "2026-11-20",
            "outcome": "completed",
            "frames": frames_,
        }
    )


def frame(step: str | None, at: float, seconds: float, *moments: tuple) -> dict:
    return {
        "step_id": step,
        "offset_s": at,
        "seconds": seconds,
        "moments": [{"offset_s": m[0], "action": m[1], "step_id": step, "outcome": m[2]} for m in moments],
    }


def test_every_synthetic_session_replays_as_the_kiosk_screens_in_its_language(synthetic_export) -> None:
    guide = workshop_guide(PROCEDURES)
    check_content(synthetic_export, PROCEDURES)
    sizes_seen = set()
    for s in synthetic_export.sessions:
        shown = screens(s, guide)
        assert len(shown) == len(s.frames)
        size = "standard"
        for i, (screen, f) in enumerate(zip(shown, s.frames, strict=True)):
            assert screen.view.language == s.language
            assert screen.view.text_size == size
            sizes_seen.add(size)
            size = next((m.outcome for m in f.moments if m.action == "text-size"), size)
            assert screen.caption.position == f"画面 {i + 1} / {len(s.frames)}"
            if f.step_id is None:
                assert screen.view.screen == "before"
            else:
                step = PROCEDURES[s.procedure_id].step(f.step_id)
                assert screen.view.title == guide.views.text(step.title, s.language)
                assert screen.view.screen in ("step", "done", "counter")
                assert screen.caption.step_title == step.title.get("ja")
            assert screen.speech.startswith(screen.view.title)
    assert sizes_seen == {"standard", "large", "largest"}


def test_help_and_back_moments_are_captioned_with_their_times(synthetic_export) -> None:
    guide = workshop_guide(PROCEDURES)
    helped = backed = 0
    for s in synthetic_export.sessions:
        shown = screens(s, guide)
        for i, f in enumerate(s.frames):
            asked = [m for m in f.moments if m.action == "help-asked"]
            if asked:
                helped += 1
                reason = {"screen-unclear": "画面がわからない", "card-unreadable": "カードが読めない"}.get(
                    asked[0].outcome, ""
                )
                minutes, seconds = divmod(round(asked[0].offset_s), 60)
                assert f"{minutes}:{seconds:02d} 係の人を呼んだ({reason}" in "\n".join(shown[i].caption.events)
                # closing the help returns to the same step, not the one before
                assert s.frames[i + 1].step_id == f.step_id
                assert shown[i + 1].view.title == shown[i].view.title
            elif any(m.action == "back" for m in f.moments) and i + 1 < len(s.frames):
                backed += 1
                assert "もどる" in shown[i].caption.line()
                assert shown[i + 1].view.progress != shown[i].view.progress  # one step earlier in 「3 / 7」
    assert helped >= 20 and backed >= 20


def test_back_goes_one_step_earlier_in_the_progress_and_settings_apply_from_the_next_screen() -> None:
    s = session(
        [
            frame(None, 0, 10, (0, "session-start", "ja"), (3, "procedure-start", None)),
            frame("has-card", 10, 20, (10, "step-shown", None), (12, "text-size", "largest"), (30, "choice", "yes")),
            frame("know-pin", 30, 15, (30, "step-shown", None), (44, "language", "en"), (45, "back", None)),
            frame("has-card", 45, 5, (50, "choice", "yes")),
            frame("know-pin", 50, 40, (50, "step-shown", None), (90, "session-end", "home")),
        ]
    )
    shown = screens(s, workshop_guide(PROCEDURES))
    assert [x.view.screen for x in shown] == ["before", "step", "step", "step", "step"]
    # 「index / fewest steps to an end」, as the kiosk counts it: the back makes know-pin step 2 again, not 3
    assert [x.view.progress for x in shown][1:] == ["1 / 2", "2 / 3", "Step 1 of 2", "Step 2 of 3"]
    assert [x.view.text_size for x in shown] == ["standard", "standard", "largest", "largest", "largest"]
    assert [x.view.language for x in shown] == ["ja", "ja", "ja", "en", "en"]
    assert shown[1].caption.events == ("0:12 文字の大きさを変えた(とても大きい)", "0:30 答えを選んだ(はい)")
    assert shown[2].caption.line() == "画面 3 / 5 · この画面に 15秒 · 言語を変えた(English) · もどる"
    assert shown[4].caption.dwell == "この画面に 40秒" and shown[4].caption.at == "開始から 0:50"
    assert shown[4].view.title == "Do you remember your PIN?"


def test_a_session_that_never_chose_a_procedure_shows_the_catalog() -> None:
    moments = ((0, "session-start", "en"), (9, "session-end", "home"))
    s = session([frame(None, 0, 9, *moments)], procedure_id=None, language="en")
    shown = screens(s, workshop_guide(PROCEDURES))
    assert shown[0].view.screen == "catalog" and shown[0].view.language == "en"
    entry = summary(s, PROCEDURES)
    assert entry.screens == 1 and entry.duration == "9秒" and entry.language == "English"


def test_the_picker_summary_names_the_procedure_the_ending_and_the_length(synthetic_export) -> None:
    s = next(x for x in synthetic_export.sessions if x.outcome == "completed" and x.procedure_id == PID)
    entry = summary(s, PROCEDURES)
    last = s.frames[-1]
    total = round(last.offset_s + last.seconds)
    assert entry.title == PROCEDURES[PID].title.get("ja")
    assert entry.details().startswith(f"最後まで完了 · {total // 60}分{total % 60:02d}秒 · 画面 {len(s.frames)} · ")


def test_the_export_carries_no_kiosk_site_or_clock_time(synthetic_export) -> None:
    text = synthetic_export.model_dump_json()
    assert "north" not in text  # neither the kiosk (north-1) nor the site (north)
    keys: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    data = json.loads(text)
    collect(data["sessions"])
    assert keys == {
        "session_id",
        "procedure_id",
        "language",
        "text_size",
        "day",
        "outcome",
        "frames",
        "step_id",
        "offset_s",
        "seconds",
        "moments",
        "action",
    }
    assert all(len(s["day"]) == 10 for s in data["sessions"])  # a calendar day, no time of day


def test_auto_play_waits_the_residents_time_divided_by_the_speed_but_at_least_a_second() -> None:
    assert auto_delay(40, 1) == 40
    assert auto_delay(40, 4) == 10
    assert auto_delay(0, 4) == 1.0


@pytest.mark.parametrize(
    ("text", "code", "hint"),
    [
        ("{not json", "workshop-not-json", "yorisoi replay"),
        ('{"format": "something-else"}', "workshop-not-replay", "yorisoi replay"),
        ('{"format": "yorisoi-replay", "version": 2, "sessions": []}', "workshop-version", "export again"),
        (
            '{"format": "yorisoi-replay", "version": 1, "exported_at": "2026-11-26T09:00:00Z", "sessions": '
            '[{"session_id": "0123456789abcdef", "kiosk_id": "north-1", "language": "ja", "day": "2026-11-20",'
            ' "frames": [{"offset_s": 0, "seconds": 1}]}]}',
            "workshop-invalid",
            "kiosk_id",
        ),
    ],
)
def test_a_bad_file_is_refused_saying_what_is_wrong_and_how_to_fix_it(text: str, code: str, hint: str) -> None:
    with pytest.raises(WorkshopError) as caught:
        parse_export(text)
    assert caught.value.code == code
    assert hint in str(caught.value)


def test_a_missing_or_empty_file_is_refused(tmp_path) -> None:
    with pytest.raises(WorkshopError) as caught:
        read_export(tmp_path / "nope.json")
    assert caught.value.code == "workshop-missing" and "nope.json" in str(caught.value)
    empty = tmp_path / "empty.json"
    empty.write_text(ReplayExport(exported_at=NOW, sessions=[]).model_dump_json())
    with pytest.raises(WorkshopError) as caught:
        read_export(empty)
    assert caught.value.code == "workshop-empty"


def test_unknown_procedures_and_steps_are_all_named(synthetic_export) -> None:
    bad = synthetic_export.model_copy(deep=True)
    bad.sessions[0].procedure_id = "no-such-procedure"
    target = next(s for s in bad.sessions[1:] if s.procedure_id == PID)
    target.frames[-1].step_id = "renamed-step"
    with pytest.raises(WorkshopError) as caught:
        check_content(bad, PROCEDURES)
    message = str(caught.value)
    assert caught.value.code == "workshop-content"
    assert "unknown procedure 'no-such-procedure'" in message
    assert f"unknown step 'renamed-step' of procedure '{PID}'" in message
    assert "yorisoi replay --procedure" in message


def test_the_guide_renders_every_language_even_when_the_kiosk_offers_one() -> None:
    from kiosk.guide import GuideSettings

    guide = workshop_guide(PROCEDURES, GuideSettings(languages=("ja",)))
    state = GuideState(place=Place("step", PID, "has-card"), session_id="0123456789abcdef", language="ja-easy")
    assert guide.view(state).language == "ja-easy"
