"""Workshop files of anonymised sessions: the export function, the trainer downloads, and `yorisoi replay`."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import httpx
import pytest

from helpdesk.analytics.replay import export_recent, load, load_many, recent_sessions, to_export
from helpdesk.analytics.sql import Scope
from helpdesk.wire import ReplayExport
from yorisoi.cli import main

from .conftest import Seeded, login

PID = "konbini-juminhyo"
TOKYO = ZoneInfo("Asia/Tokyo")


def first_events(seeded: Seeded) -> dict[str, dict]:
    """Each session's first event (the synthetic stream is in time order per session)."""
    first: dict[str, dict] = {}
    for event in seeded.synthetic.events:
        if event["session_id"] not in first or event["at"] < first[event["session_id"]]["at"]:
            first[event["session_id"]] = event
    return first


def helped_session(seeded: Seeded) -> str:
    """A konbini session in which the resident asked for help and went back."""
    actions: dict[str, set[str]] = {}
    for event in seeded.synthetic.events:
        if event["procedure_id"] == PID or event["action"] == "session-start":
            actions.setdefault(event["session_id"], set()).add(event["action"])
    return next(sid for sid, done in sorted(actions.items()) if {"help-asked", "back", "session-end"} <= done)


def test_export_keeps_every_frame_and_moment_and_uses_the_local_day(seeded: Seeded) -> None:
    with seeded.db.read() as conn:
        exported = export_recent(conn, Scope(procedure_id=PID), limit=40, timezone="Asia/Tokyo")
        ids = [r["session_id"] for r in recent_sessions(conn, Scope(procedure_id=PID), 40)]
        one_by_one = [load(conn, sid, timezone="Asia/Tokyo") for sid in ids]
        assert load_many(conn, [*ids[:3], "nobody-at-all"], timezone="Asia/Tokyo") == one_by_one[:3]
    assert [s.session_id for s in exported.sessions] == ids  # newest first, as the sessions page lists them
    first = first_events(seeded)
    for session, replay in zip(exported.sessions, one_by_one, strict=True):
        assert replay is not None
        assert session.day == first[session.session_id]["at"].astimezone(TOKYO).date()
        assert [(f.step_id, f.offset_s, f.seconds) for f in session.frames] == [
            (f.step_id, f.offset_s, f.seconds) for f in replay.frames
        ]
        assert [m.action for f in session.frames for m in f.moments] == [
            m.action for f in replay.frames for m in f.moments
        ]
        sizes = [m.outcome for m in replay.moments if m.action == "text-size"]
        assert session.text_size == (sizes[0] if sizes else None)
        assert session.language == first[session.session_id]["outcome"]


def test_the_day_is_the_local_calendar_day_not_the_utc_one(sqlite_seeded: Seeded) -> None:
    first = first_events(sqlite_seeded)
    early = next(sid for sid, e in sorted(first.items()) if e["at"].hour < 6)  # still yesterday in Los Angeles
    with sqlite_seeded.db.read() as conn:
        local = load(conn, early, timezone="America/Los_Angeles")
        utc = load(conn, early)
    assert local is not None and utc is not None
    assert utc.day == first[early]["at"].date()
    assert local.day == utc.day - dt.timedelta(days=1)
    assert to_export([local], dt.datetime.now(dt.UTC)).sessions[0].day == local.day


def test_trainer_downloads_one_session_as_a_workshop_file(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "tina")
    session_id = helped_session(sqlite_seeded)
    answer = client.get(f"/trainer/sessions/{session_id}.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"] == f'attachment; filename="replay-{session_id[:12]}.json"'
    exported = ReplayExport.model_validate_json(answer.content)
    assert [s.session_id for s in exported.sessions] == [session_id]
    with sqlite_seeded.db.read() as conn:
        replay = load(conn, session_id, timezone="Asia/Tokyo")
    assert replay is not None
    assert [(f.step_id, len(f.moments)) for f in exported.sessions[0].frames] == [
        (f.step_id, len(f.moments)) for f in replay.frames
    ]
    for_help = [m for f in exported.sessions[0].frames for m in f.moments if m.action == "help-asked"]
    assert for_help and for_help[0].outcome in ("screen-unclear", "card-unreadable", "pin-forgotten", "other")
    for kiosk_id in ("north-1", "north-2", "south-1"):
        assert kiosk_id not in answer.text
    page = client.get(f"/trainer/sessions/{session_id}")
    assert f'href="/trainer/sessions/{session_id}.json"' in page.text
    assert client.get("/trainer/sessions/0000000000000000.json").status_code == 404


def test_the_workshop_set_follows_the_sessions_page_filters(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    login(client, "tina")
    answer = client.get(f"/trainer/sessions.json?procedure={PID}&language=en&limit=7")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="workshop-replay.json"'
    exported = ReplayExport.model_validate_json(answer.content)
    with sqlite_seeded.db.read() as conn:
        expected = [r["session_id"] for r in recent_sessions(conn, Scope(procedure_id=PID, language="en"), 7)]
    assert [s.session_id for s in exported.sessions] == expected and len(expected) == 7
    assert {(s.procedure_id, s.language) for s in exported.sessions} == {(PID, "en")}
    future = ReplayExport.model_validate_json(client.get("/trainer/sessions.json?since=2030-01-01").content)
    assert future.sessions == []
    assert client.get("/trainer/sessions.json?limit=0").status_code == 422
    assert client.get("/trainer/sessions.json?limit=201").status_code == 422
    listing = client.get(f"/trainer/sessions?procedure={PID}")
    assert re.search(rf'href="/trainer/sessions\.json\?procedure={PID}"', listing.text)


def test_only_trainers_download_sessions(client: httpx.Client, sqlite_seeded: Seeded) -> None:
    session_id = helped_session(sqlite_seeded)
    urls = (f"/trainer/sessions/{session_id}.json", "/trainer/sessions.json")
    client.cookies.clear()
    for url in urls:
        assert client.get(url).status_code == 401
    login(client, "sam")  # queue staff
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    client.cookies.clear()
    kiosk = {"Authorization": f"Bearer {sqlite_seeded.keys['north-1']}"}
    for url in urls:
        assert client.get(url, headers=kiosk).status_code == 403
    login(client, "adam")  # admins may
    assert client.get(urls[0]).status_code == 200


def test_yorisoi_replay_writes_the_same_sessions_from_the_database(
    sqlite_seeded: Seeded, tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YORISOI_ANALYTICS_TIMEZONE", "Asia/Tokyo")
    out = tmp_path / "workshop.json"
    args = ["replay", "--database-url", sqlite_seeded.url, "--procedure", PID, "--since", "2026-09-10"]
    assert main([*args, "--limit", "5", "--out", str(out)]) == 0
    assert f"wrote {out} (5 sessions)" in capsys.readouterr().out
    exported = ReplayExport.model_validate_json(out.read_text(encoding="utf-8"))
    with sqlite_seeded.db.read() as conn:
        since = dt.datetime(2026, 9, 10, tzinfo=TOKYO).astimezone(dt.UTC)
        expected = export_recent(conn, Scope(procedure_id=PID, since=since), limit=5, timezone="Asia/Tokyo")
    assert exported.sessions == expected.sessions
    assert all(s.day >= dt.date(2026, 9, 10) for s in exported.sessions)


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--procedure", "no-such-thing", "--out", "w.json"], 2, "no procedure 'no-such-thing'"),
        (["--out", "w.txt"], 2, "--out must end in .json"),
        (["--limit", "0", "--out", "w.json"], 2, "--limit must be between 1 and 1000"),
        (["--since", "2030-01-01", "--out", "w.json"], 1, "no ended sessions match"),
    ],
)
def test_yorisoi_replay_refuses_bad_requests_clearly(
    sqlite_seeded: Seeded, tmp_path, capsys: pytest.CaptureFixture[str], extra, code: int, message: str
) -> None:
    extra = [str(tmp_path / x) if x.startswith("w.") else x for x in extra]
    assert main(["replay", "--database-url", sqlite_seeded.url, *extra]) == code
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
