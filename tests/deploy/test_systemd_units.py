"""The systemd units in deploy/systemd pass `systemd-analyze verify` and the server units are hardened.

Units are verified unmodified, under a throwaway root (`--root`) that holds the programs they start at the
paths deploy/README.md installs them to: the real `yorisoi` entry point and the real backup.sh. cage, xinit
and Xorg are Debian packages a kiosk installs; where they are not installed here, an executable stand-in
takes their place (verify only checks that the program exists and is executable).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted(p.name for p in (DEPLOY / "systemd").iterdir() if p.suffix in (".service", ".timer"))
SERVER_UNITS = [
    "yorisoi-helpdesk.service",
    "yorisoi-migrate.service",
    "yorisoi-purge.service",
    "yorisoi-backup.service",
]
KIOSK_UNITS = ["yorisoi-kiosk.service", "yorisoi-kiosk-x11.service"]
SYSTEM_PROGRAMS = ["/usr/bin/cage", "/usr/bin/xinit", "/usr/bin/turnserver"]

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")


def _entry_point() -> Path:
    return Path(sys.executable).with_name("yorisoi")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root folder with systemd's own units, ours, and the programs ours start, where README puts them."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    shutil.copytree(DEPLOY / "systemd", root / "etc/systemd/system", dirs_exist_ok=True)
    _install(_entry_point(), root / "opt/yorisoi/venv/bin/yorisoi")
    _install(DEPLOY / "backup.sh", root / "opt/yorisoi/src/deploy/backup.sh")
    for program in SYSTEM_PROGRAMS:
        real = Path(program)
        target = root / program.lstrip("/")
        if real.exists():
            _install(real, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("#!/bin/sh\nexit 0\n")
            target.chmod(0o755)
    return root


def _install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)  # keeps the mode: a non-executable backup.sh fails verify


def _verify(root: Path, unit: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class Section(dict):
    """One [Section] of a unit: `section[key]` is the last value (as systemd reads it), `all(key)` every one."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key)[-1]

    def all(self, key: str) -> list[str]:
        """Every value given for `key`, in order."""
        return super().get(key, [])


def _unit(name: str) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    current = Section()
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), Section())
            continue
        key, _, value = line.partition("=")
        dict.setdefault(current, key.strip(), []).append(value.strip())
    return sections


def test_every_unit_we_ship_is_here() -> None:
    for name in [*SERVER_UNITS, *KIOSK_UNITS, "yorisoi-purge.timer", "yorisoi-backup.timer"]:
        assert name in UNITS


@pytest.mark.parametrize("unit", UNITS)
def test_unit_passes_systemd_analyze_verify(root: Path, unit: str) -> None:
    done = _verify(root, unit)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", f"verify warned about {unit}: {done.stderr}"


def test_verify_catches_a_broken_unit(root: Path) -> None:
    """The check is not a no-op: a misspelt directive and a missing program both fail it."""
    text = (DEPLOY / "systemd/yorisoi-helpdesk.service").read_text()
    (root / "etc/systemd/system/broken-typo.service").write_text(text.replace("NoNewPrivileges=", "NoNewPrivilege="))
    (root / "etc/systemd/system/broken-path.service").write_text(text.replace("/venv/bin/yorisoi", "/venv/bin/yorisio"))
    assert "Unknown key" in _verify(root, "broken-typo.service").stderr
    assert _verify(root, "broken-path.service").returncode != 0


def _exposure_at_most(root: Path, unit: str, threshold: int) -> None:
    """systemd-analyze security's exposure score (tenths: 20 = 2.0) of `unit` stays at or below `threshold`."""
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", f"--threshold={threshold}", f"--root={root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr


@pytest.mark.parametrize("unit", SERVER_UNITS)
def test_server_units_are_hardened(root: Path, unit: str) -> None:
    """systemd's own exposure score stays at or below 2.0 ("OK") for every helpdesk-side unit."""
    _exposure_at_most(root, unit, 20)
    service = _unit(unit)["Service"]
    assert service["User"] == "yorisoi"
    for option, value in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("CapabilityBoundingSet", ""),
    ]:
        assert service[option] == value, option
    assert "/var/lib/yorisoi" in service["ReadWritePaths"].split()
    assert service["RestrictAddressFamilies"].split() == ["AF_INET", "AF_INET6", "AF_UNIX"]


@pytest.mark.parametrize("unit", KIOSK_UNITS)
def test_kiosk_units_are_hardened_as_far_as_a_display_allows(root: Path, unit: str) -> None:
    """GPU, input and sound rule out PrivateDevices= and MemoryDenyWriteExecute=; the rest keeps exposure ≤ 3.0."""
    _exposure_at_most(root, unit, 30)
    service = _unit(unit)["Service"]
    assert service["NoNewPrivileges"] == "yes" and service["CapabilityBoundingSet"] == ""
    assert service["SystemCallFilter"] == "@system-service"


def test_the_security_threshold_can_fail(root: Path) -> None:
    bare = "[Service]\nExecStart=/opt/yorisoi/venv/bin/yorisoi helpdesk serve\nUser=yorisoi\n"
    (root / "etc/systemd/system/bare.service").write_text(bare)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=20", f"--root={root}", "bare.service"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0


def test_helpdesk_serves_workers_from_the_installed_venv_without_migrating() -> None:
    service = _unit("yorisoi-helpdesk.service")["Service"]
    command = service["ExecStart"].split()
    # -v: progress lines reach the journal (a terminal user sees only warnings by default)
    assert command[:4] == ["/opt/yorisoi/venv/bin/yorisoi", "-v", "helpdesk", "serve"]
    assert "--no-migrate" in command
    # auto: several workers on PostgreSQL (the bus crosses processes), one on SQLite (refused above one)
    assert command[command.index("--workers") + 1] == "auto"
    assert service["EnvironmentFile"] == "/etc/yorisoi/helpdesk.env"
    assert _unit("yorisoi-migrate.service")["Service"]["ExecStart"].endswith("yorisoi helpdesk migrate")


@pytest.mark.parametrize("unit", KIOSK_UNITS)
def test_kiosk_restarts_within_seconds_forever_on_tty1_as_kiosk(unit: str) -> None:
    parsed = _unit(unit)
    service = parsed["Service"]
    assert service["Restart"] == "always"
    assert float(service["RestartSec"]) <= 2
    assert parsed["Unit"]["StartLimitIntervalSec"] == "0"
    assert service["User"] == "kiosk"
    assert service["TTYPath"] == "/dev/tty1"
    assert service["PAMName"] == "yorisoi-kiosk"
    assert (DEPLOY / "kiosk/pam.d/yorisoi-kiosk").is_file()
    assert "getty@tty1.service" in parsed["Unit"]["Conflicts"]
    assert parsed["Install"]["WantedBy"] == "graphical.target"


def test_kiosk_runs_the_kiosk_fullscreen_under_cage() -> None:
    command = _unit("yorisoi-kiosk.service")["Service"]["ExecStart"].split()
    assert command[0] == "/usr/bin/cage"
    kiosk = command[command.index("--") + 1 :]
    assert kiosk == [
        "/opt/yorisoi/venv/bin/yorisoi",
        "-v",
        "kiosk",
        "--config",
        "/etc/yorisoi/kiosk.yaml",
        "--fullscreen",
    ]


def test_bare_x_session_has_no_window_manager_and_no_blanking() -> None:
    command = _unit("yorisoi-kiosk-x11.service")["Service"]["ExecStart"].split()
    assert command[1] == "/opt/yorisoi/src/deploy/kiosk/xinitrc"
    assert {"-s", "0", "-dpms", "-nocursor"} <= set(command)
    xinitrc = (DEPLOY / "kiosk/xinitrc").read_text()
    assert "xset s off -dpms s noblank" in xinitrc
    assert xinitrc.rstrip().splitlines()[-1].startswith("exec /opt/yorisoi/venv/bin/yorisoi -v kiosk")
    assert (DEPLOY / "kiosk/xinitrc").stat().st_mode & 0o111


@pytest.mark.parametrize(("timer", "service"), [("yorisoi-purge", "purge"), ("yorisoi-backup", "backup")])
def test_timers_run_daily_and_catch_up_after_downtime(timer: str, service: str) -> None:
    parsed = _unit(f"{timer}.timer")["Timer"]
    assert parsed["Persistent"] == "true"
    assert parsed["Unit"] == f"{timer}.service"
    done = subprocess.run(
        ["systemd-analyze", "calendar", "--iterations=2", parsed["OnCalendar"]],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "Normalized form: *-*-* " in done.stdout  # every day
    assert service in _unit(f"{timer}.service")["Service"]["ExecStart"]


def test_purge_keeps_the_configured_retention() -> None:
    service = _unit("yorisoi-purge.service")["Service"]
    assert service["ExecStart"].endswith("purge --older-than ${YORISOI_EVENT_RETENTION_DAYS}")
    # A default for when helpdesk.env leaves it out (systemd lets EnvironmentFile= values override Environment=).
    assert "YORISOI_EVENT_RETENTION_DAYS=180" in service.all("Environment")
    assert service["EnvironmentFile"] == "/etc/yorisoi/helpdesk.env"


def test_the_example_kiosk_config_is_valid_for_the_kiosk() -> None:
    config_module = pytest.importorskip("kiosk.config")
    config = config_module.load_config(DEPLOY / "kiosk/kiosk.example.yaml")
    assert config.key_file == Path("/etc/yorisoi/kiosk.key")
    assert config.helpdesk_url.startswith("https://")
