"""The kiosk session of yorisoi-kiosk.service for real: cage (headless wlroots backend, no GPU) runs the kiosk
command line of the unit, the kiosk draws its start screen full screen through Xwayland, and when the kiosk
dies cage ends too, so systemd's Restart=always brings the whole session back.

Known here: on wlroots' headless 1280×720 output the kiosk (like any Kivy 2.3 app in fullscreen "auto" through
Xwayland) fills only the lower part of the output; the screenshot is kept in the test's folder for a look. This
test checks what the unit promises (start screen drawn under cage, session ends with the kiosk), not geometry.

cage refuses to run as root, so the session runs as uid 1000 in a user namespace; a private /tmp (bind mount
in a mount namespace) keeps Xwayland's sockets and locks out of the machine's /tmp. Where the kernel allows,
cage and the kiosk run under the unit's SystemCallFilter=, RestrictAddressFamilies= and NoNewPrivileges=.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import DEPLOY, sandbox_problem, sandboxed

YORISOI = Path(sys.executable).with_name("yorisoi")
UNIT = DEPLOY / "systemd" / "yorisoi-kiosk.service"
NEEDED = {"cage": "cage", "grim": "grim", "Xwayland": "xwayland", "unshare": "util-linux"}

pytestmark = pytest.mark.slow


def _missing() -> str | None:
    absent = [package for program, package in NEEDED.items() if shutil.which(program) is None]
    if absent:
        return f"needs Debian packages {' '.join(sorted(set(absent)))} (scripts/setup.sh --test)"
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return "user and mount namespaces are not allowed here (cage refuses to run as root)"
    return None


def _unit_lines(key: str) -> list[str]:
    prefix = f"{key}="
    return [line.removeprefix(prefix) for line in UNIT.read_text().splitlines() if line.startswith(prefix)]


def _session_command(config: str) -> list[str]:
    """The unit's ExecStart with this venv's yorisoi and the test's configuration file."""
    command = shlex.split(_unit_lines("ExecStart")[0])
    assert command[0] == "/usr/bin/cage"
    command[0] = shutil.which("cage") or command[0]
    command[command.index("/opt/yorisoi/venv/bin/yorisoi")] = str(YORISOI)
    command[command.index("/etc/yorisoi/kiosk.yaml")] = config
    return command


def _session_environment(run: str) -> list[str]:
    """The unit's Environment= plus what logind would give the session, and wlroots' headless backend."""
    env = {k: v for k, _, v in (line.partition("=") for line in _unit_lines("Environment"))}
    env["KIVY_HOME"] = f"{run}/kivy"
    env.update(
        PATH="/usr/bin:/bin",
        HOME=run,
        XDG_RUNTIME_DIR=run,
        WLR_BACKENDS="headless",
        WLR_LIBINPUT_NO_DEVICES="1",
        WLR_RENDERER="pixman",
    )
    return [f"{k}={v}" for k, v in env.items()]


def _config_file(folder: Path) -> None:
    (folder / "kiosk.key").write_text("yk_test_key_not_used\n")
    text = (DEPLOY / "kiosk/kiosk.example.yaml").read_text()
    text = text.replace("/etc/yorisoi/kiosk.key", "/tmp/files/kiosk.key")
    text = text.replace("https://helpdesk.example.lg.jp", "http://127.0.0.1:9")  # nothing there: unreachable
    (folder / "kiosk.yaml").write_text(text.replace("\nvoice: true", "\nvoice: false"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _screenshot(run: Path, target: Path) -> int:
    """Colours in a grim screenshot of the session (0 when there is nothing to capture yet)."""
    from PIL import Image

    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "WAYLAND_DISPLAY": "wayland-0"}
    if subprocess.run(["grim", str(target)], env=env, capture_output=True, check=False).returncode != 0:
        return 0
    with Image.open(target) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_kiosk_starts_full_screen_under_cage_and_cage_ends_with_it(tmp_path: Path) -> None:
    problem = _missing()
    if problem:
        pytest.skip(problem)
    private_tmp = tmp_path / "tmp"
    files = private_tmp / "files"
    run = files / "run"
    run.mkdir(parents=True)
    run.chmod(0o700)
    _config_file(files)
    inner = ["env", "-i", *_session_environment("/tmp/files/run"), *_session_command("/tmp/files/kiosk.yaml")]
    confined = sandbox_problem() is None
    if confined:  # the unit's syscall filter, address families and no-new-privileges, for cage and the kiosk
        inner = sandboxed(UNIT.name, inner)
    # a checkout (and its venv) under /tmp would vanish behind the private /tmp: carry it over into the private one
    checkout = Path(sys.prefix).resolve().parent
    keep = str(checkout.relative_to("/tmp")) if checkout.is_relative_to("/tmp") else ""
    script = (
        'if [ -n "$2" ]; then mkdir -p "$1/$2" && mount --bind "/tmp/$2" "$1/$2"; fi && mount --rbind "$1" /tmp'
        ' && shift 2 && exec unshare --user --map-user=1000 --map-group=1000 -- "$@"'
    )
    log = (tmp_path / "session.log").open("w")
    session = subprocess.Popen(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "--",
            "sh",
            "-c",
            script,
            "sh",
            str(private_tmp),
            keep,
            *inner,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    shot = tmp_path / "kiosk-under-cage.png"
    try:
        colours, deadline = 0, time.monotonic() + 60
        while colours < 50 and time.monotonic() < deadline and session.poll() is None:
            time.sleep(1)
            colours = _screenshot(run, shot)
        assert session.poll() is None, (tmp_path / "session.log").read_text()[-3000:]
        assert colours >= 50, f"no start screen drawn within 60 s ({colours} colours); see {shot}"
        print(f"kiosk under cage{' with the unit limits' if confined else ''}: {shot} ({colours} colours)")

        # cage's only client is the kiosk; a crash of the kiosk must end the session for systemd to restart it.
        (kiosk,) = [p for p in _children(session.pid) if b"kiosk" in Path(f"/proc/{p}/cmdline").read_bytes()]
        os.kill(kiosk, signal.SIGKILL)
        session.wait(timeout=15)
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait(timeout=10)
        log.close()
