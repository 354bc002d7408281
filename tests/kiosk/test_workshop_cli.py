"""`yorisoi kiosk --workshop FILE`: a bad file stops it before any window with a clear error (exit 2); a good one
opens the real window in its own process, which sends nothing to the configured helpdesk and writes no outbox."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.wire import ReplayExport
from yorisoi.cli import main

from .test_workshop_window import CountingServer

ROOT = Path(__file__).resolve().parents[2]
SESSION = {
    "session_id": "0123456789abcdef",
    "procedure_id": "konbini-juminhyo",
    "language": "ja",
    "day": "2026-11-20",
    "outcome": "completed",
    "frames": [
        {"step_id": None, "offset_s": 0, "seconds": 8, "moments": [{"offset_s": 0, "action": "session-start"}]},
        {"step_id": "has-card", "offset_s": 8, "seconds": 30, "moments": [{"offset_s": 8, "action": "step-shown"}]},
    ],
}


def write_export(path: Path, **changes) -> Path:
    export = ReplayExport.model_validate({"exported_at": dt.datetime.now(dt.UTC).isoformat(), "sessions": [SESSION]})
    data = export.model_dump(mode="json") | changes
    import json

    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "code", "hint"),
    [
        (lambda p: p / "absent.json", "workshop-missing", "yorisoi replay"),
        (lambda p: (p / "w.json", (p / "w.json").write_text("<html>"))[0], "workshop-not-json", "yorisoi replay"),
        (lambda p: write_export(p / "w.json", version=2), "workshop-version", "export again"),
        (
            lambda p: write_export(p / "w.json", sessions=[SESSION | {"procedure_id": "gone-procedure"}]),
            "workshop-content",
            "unknown procedure 'gone-procedure'",
        ),
    ],
)
def test_a_bad_workshop_file_stops_before_any_window(tmp_path, capsys, make, code: str, hint: str) -> None:
    path = make(tmp_path)
    assert main(["kiosk", "--workshop", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"cannot start [{code}]" in err and hint in err


def test_check_validates_the_file_against_the_content(tmp_path, capsys) -> None:
    assert main(["kiosk", "--workshop", str(write_export(tmp_path / "w.json")), "--check"]) == 0
    assert "workshop file OK: 1 sessions" in capsys.readouterr().out


# Runs the CLI in the child, noting every part built that could record or send; the list is printed at exit, so once
# the process has ended it is complete (whenever a send would have happened, the part had to be built first).
WATCHED_CLI = """
import atexit, runpy, sys
import kiosk.link.client, kiosk.link.courier, kiosk.link.outbox, kiosk.runtime
built = []
def watch(cls):
    init = cls.__init__
    def noted(self, *args, **kwargs):
        built.append(cls.__name__)
        init(self, *args, **kwargs)
    cls.__init__ = noted
for cls in (kiosk.link.client.HelpdeskClient, kiosk.link.courier.Courier, kiosk.link.outbox.Outbox,
            kiosk.runtime.KioskRuntime):
    watch(cls)
atexit.register(lambda: print("built:", " ".join(built) or "nothing", flush=True))
sys.argv[0] = "yorisoi"
runpy.run_module("yorisoi.cli", run_name="__main__")
"""


def test_the_workshop_window_runs_and_contacts_no_helpdesk(tmp_path) -> None:
    helpdesk = CountingServer()
    key = tmp_path / "kiosk.key"
    key.write_text("k" * 43, encoding="utf-8")
    config = tmp_path / "kiosk.toml"
    outbox = tmp_path / "outbox.sqlite3"
    config.write_text(
        f'site = "北"\nkiosk_id = "kita-1"\nhelpdesk_url = "{helpdesk.url}"\nkey_file = "{key}"\n'
        f'outbox_file = "{outbox}"\nvoice = false\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}  # SDL offscreen
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1", KIVY_HOME=str(tmp_path / "kivy"))
    command = [sys.executable, "-c", WATCHED_CLI, "kiosk", "--workshop", str(write_export(tmp_path / "w.json"))]
    try:
        with subprocess.Popen(
            [*command, "--config", str(config), "--no-voice"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            try:
                assert process.stdout is not None and process.stderr is not None
                line = process.stdout.readline()  # printed once the window is up
                assert line.strip() == "workshop: 1 sessions ready", process.stderr.read()
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=20) == 0
                built = process.stdout.read()
            finally:
                if process.poll() is None:
                    process.kill()
    finally:
        helpdesk.close()
    assert built.strip() == "built: nothing"  # nothing that could send was ever made, and the process has ended
    assert helpdesk.requests == []
    assert not outbox.exists()


def test_voice_comes_from_the_kiosk_speaker_unless_switched_off(monkeypatch) -> None:
    import voice
    import voice.speaker
    from kiosk.config import parse_config
    from kiosk.workshop.app import workshop_speaker

    made = object()
    monkeypatch.setattr(voice.speaker, "create_speaker", lambda *a, **kw: made)
    base = {"site": "北", "kiosk_id": "kita-1", "helpdesk_url": "http://127.0.0.1:9"}
    assert workshop_speaker(parse_config({**base, "voice": True}), True) is made
    for config, flag in (
        (parse_config({**base, "voice": True}), False),
        (parse_config({**base, "voice": False}), True),
    ):
        silent = workshop_speaker(config, flag)
        assert isinstance(silent, voice.NullSpeaker) and not silent.status().available
