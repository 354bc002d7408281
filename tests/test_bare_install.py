"""The README on a bare install: a copy of this checkout set up with `scripts/setup.sh` exactly as a user runs it
(without `--test`, so no pytest and no test extras), then the README's user commands run with a fresh HOME.

The rest of the suite runs with the test extras installed, which once hid a demo that needed pytest; this module is
where a command that only works with them fails.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SETUP_TIMEOUT_S = 1500


@dataclass
class Bare:
    """The bare checkout, its environment (fresh HOME, no display) and a runner for `yorisoi ...`."""

    checkout: Path
    env: dict[str, str]
    work: Path

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = 180, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run `.venv/bin/yorisoi ARGS` in the work folder; never a traceback, whatever the exit code."""
        env = {**self.env, **extra_env}
        done = subprocess.run(
            [str(self.checkout / ".venv/bin/yorisoi"), *args],
            cwd=self.work,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert "Traceback" not in done.stderr + done.stdout, f"yorisoi {' '.join(args)}:\n{done.stderr[-3000:]}"
        return done


def _copy_checkout(target: Path) -> None:
    """The files a clean clone has (tracked, plus new files git does not ignore), nothing built or installed."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _pip_cache() -> str:
    """The machine's pip cache, so the bare venv reuses wheels already built (unidic-lite builds for 30 s)."""
    found = subprocess.run(
        [str(ROOT / ".venv/bin/pip"), "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return found or str(Path.home() / ".cache" / "pip")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Bare:
    root = tmp_path_factory.mktemp("bare")
    checkout = root / "yorisoi"
    _copy_checkout(checkout)
    home, work = root / "home", root / "work"
    home.mkdir()
    work.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PIP_CACHE_DIR": _pip_cache(),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_FIND_LINKS", "PYTHON"):
        if name in os.environ:  # how this machine reaches the package index
            env[name] = os.environ[name]
    setup = subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_S,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr[-4000:]
    return Bare(checkout, env, work)


def test_the_bare_install_has_no_test_extras(bare: Bare) -> None:
    python = bare.checkout / ".venv/bin/python"
    for module in ("pytest", "hypothesis", "schemathesis"):
        found = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, check=False)
        assert found.returncode != 0, f"{module} is installed by the user's setup"


def test_headless_demo_walks_a_resident_and_writes_every_screen(bare: Bare) -> None:
    done = bare.run("demo", "--headless", "--screenshots", "shots", timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "staff console: http://127.0.0.1:" in done.stdout and "demo staff login:" in done.stdout
    shots = sorted((bare.work / "shots").glob("*.png"))
    assert len(shots) >= 20 and all(p.stat().st_size > 10_000 for p in shots)
    assert " DEBUG " not in done.stdout + done.stderr and "urllib3" not in done.stdout + done.stderr


def test_interactive_demo_prints_the_address_and_login_and_little_else(bare: Bare) -> None:
    process = subprocess.Popen(
        [str(bare.checkout / ".venv/bin/yorisoi"), "demo"],
        cwd=bare.work,
        env=bare.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        while not any(line.startswith("kiosk demo-kiosk: running") for line in lines):  # the window is up
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)[-3000:]
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                lines.append(process.stdout.readline())
        # A sample of what a user sees while the kiosk talks to the helpdesk (heartbeat, thresholds): nothing is
        # waited for here, the assertions below are about whatever was printed.
        time.sleep(3)
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    output = "".join(lines) + rest
    assert any(line.startswith("staff console: http://127.0.0.1:") for line in lines), output[-2000:]
    assert "DEBUG" not in output and "urllib3" not in output and "Traceback" not in output, output[-3000:]
    assert "kiosk demo-kiosk: stopped (signal)" in output, output[-3000:]
    assert len(output.splitlines()) <= 8, output[-3000:]


def test_content_commands(bare: Bare) -> None:
    checked = bare.run("content", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    schema = bare.run("content", "schema")
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]


def test_voice_commands_work_without_a_sound_device_or_model(bare: Bare) -> None:
    check = bare.run("voice", "check")
    assert check.returncode == 0 and "synthesis: ok" in check.stdout, check.stdout + check.stderr
    said = bare.run("voice", "say", "つぎへ進んでください", "--lang", "ja", "--out", "said.wav")
    assert said.returncode == 0, said.stderr
    with wave.open(str(bare.work / "said.wav")) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5
    heard = bare.run("voice", "listen", "--grammar", "yes=はい", "--grammar", "no=いいえ")
    # no microphone and no model here: a sentence with the stable code of the first thing missing
    assert heard.returncode == 2 and re.search(r"unavailable: (no-microphone|model-missing)", heard.stderr), (
        heard.stderr
    )


def test_trainer_commands_without_a_helpdesk_database_say_so_and_create_nothing(bare: Bare) -> None:
    handout = bare.run("handout", "konbini-juminhyo", "--lang", "ja", "--out", "handout.html")
    assert handout.returncode == 0 and "no helpdesk database" in handout.stderr
    assert "住民票" in (bare.work / "handout.html").read_text(encoding="utf-8")
    report = bare.run("report", "--out", "report.html")
    assert (
        report.returncode == 1 and "no helpdesk database" in report.stderr and not (bare.work / "report.html").exists()
    )
    replay = bare.run("replay", "--out", "workshop.json")
    assert replay.returncode == 1 and "nothing written" in replay.stderr
    data = Path(bare.env["HOME"])
    assert not list(data.rglob("*.sqlite3")), "a report or handout left a database file behind"


def test_printed_handout_as_pdf(bare: Bare) -> None:
    done = bare.run("handout", "konbini-juminhyo", "--lang", "ja-easy", "--out", "handout.pdf", "--no-data")
    assert done.returncode == 0, done.stderr
    assert (bare.work / "handout.pdf").read_bytes().startswith(b"%PDF")


def test_workshop_with_a_missing_file_says_what_to_do(bare: Bare) -> None:
    done = bare.run("kiosk", "--workshop", "missing.json", "--no-voice")
    assert done.returncode == 2 and "yorisoi replay" in done.stderr, done.stderr


def test_kiosk_configuration_check(bare: Bare) -> None:
    config = bare.work / "kiosk.yaml"
    config.write_text(
        "site: 中央公民館\nkiosk_id: chuo-1\nhelpdesk_url: https://helpdesk.example.lg.jp\n", encoding="utf-8"
    )
    done = bare.run("kiosk", "--config", str(config), "--check")
    assert done.returncode == 0 and "chuo-1" in done.stdout, done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_helpdesk_administration_and_serving(bare: Bare) -> None:
    db = {"YORISOI_DATABASE_URL": f"sqlite:///{bare.work / 'helpdesk.sqlite3'}"}
    assert bare.run("helpdesk", "migrate", **db).returncode == 0
    site = bare.run("helpdesk", "add-site", "chuo", "--name", "中央公民館", "--fallback-phone", "03-0000-0000", **db)
    assert site.returncode == 0, site.stderr
    added = bare.run("helpdesk", "add-kiosk", "chuo-1", "--site", "chuo", **db)
    rotated = bare.run("helpdesk", "rotate-kiosk-key", "chuo-1", **db)
    first, second = (done.stdout.strip().splitlines()[-1] for done in (added, rotated))
    assert first.startswith("yk_") and second.startswith("yk_") and first != second
    staff = bare.run(
        "helpdesk", "add-staff", "suzuki", "--role", "staff", "--site", "chuo", "--password-stdin",
        stdin="a long passphrase for the helpdesk\n", **db,
    )  # fmt: skip
    assert staff.returncode == 0, staff.stderr
    for step in (("revoke-kiosk", "chuo-1"), ("disable-staff", "suzuki"), ("purge", "--older-than", "180")):
        done = bare.run("helpdesk", *step, **db)
        assert done.returncode == 0, f"{step}: {done.stderr}"
    report = bare.run("report", "--out", "report.csv", **db)
    assert report.returncode == 0 and (bare.work / "report.csv").exists(), report.stderr
    replay = bare.run("replay", "--out", "workshop.json", **db)
    assert replay.returncode == 1 and "no ended sessions" in replay.stderr

    port = _free_port()
    server = subprocess.Popen(
        [str(bare.checkout / ".venv/bin/yorisoi"), "helpdesk", "serve", "--port", str(port), "--no-migrate"],
        cwd=bare.work,
        env={**bare.env, **db},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[0][-3000:]
                assert time.monotonic() < deadline, "the helpdesk did not answer within 60 s"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output[-3000:]
