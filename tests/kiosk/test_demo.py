"""`yorisoi demo --headless --screenshots DIR`: a fresh process (its own Kivy window) with the real embedded helpdesk."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_headless_demo_walks_a_resident_through_help_and_writes_every_screen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy")
    shots = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "yorisoi.cli", "demo", "--headless", "--screenshots", str(shots)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "demo staff login: demo-staff" in done.stdout and "/console/" in done.stdout
    names = sorted(p.name for p in shots.glob("*.png"))
    assert len(names) >= 15
    for expected in ("start", "catalog", "help-reasons", "waiting-in-queue", "staff-message", "timeout-warning"):
        assert any(name.endswith(f"-{expected}.png") for name in names), expected
    sizes = {(shots / n).stat().st_size for n in names}
    assert len(sizes) > len(names) // 2  # different screens, not the same blank frame again and again
    assert min(sizes) > 10_000


@pytest.mark.slow
def test_kiosk_mode_runs_until_systemd_stops_it(tmp_path):
    import signal

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy")
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "yorisoi.cli", "kiosk", "--fullscreen"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert kiosk.stdout is not None
        for line in kiosk.stdout:  # ends early only if the process does
            if line.startswith("kiosk dev-kiosk: running"):
                break
        else:
            raise AssertionError(kiosk.communicate()[1][-2000:])
        kiosk.send_signal(signal.SIGTERM)
        out, err = kiosk.communicate(timeout=15)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
    assert kiosk.returncode == 0, err[-2000:]
    assert "kiosk dev-kiosk: stopped (signal)" in out  # it ran until the signal: nothing else closed it
