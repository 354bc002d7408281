"""deploy/install-voice-model.sh, run for real against local files and a closed local port (never the internet)."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "install-voice-model.sh"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "YORISOI_VOICE_MODEL_BASE_URL": f"http://127.0.0.1:{closed_port()}", **(env or {})}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=full_env, timeout=60)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model_zip(path: Path, *, complete: bool = True) -> tuple[Path, str]:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("vosk-model-small-ja-0.22/conf/model.conf", "--min-active=200\n")
        if complete:
            z.writestr("vosk-model-small-ja-0.22/am/final.mdl", b"\0" * 64)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_installs_a_checked_archive(tmp_path: Path) -> None:
    archive, digest = model_zip(tmp_path / "m.zip")
    dest = tmp_path / "models"
    done = run("--dest", str(dest), "--sha256", digest, "--from-file", str(archive), "ja")
    assert done.returncode == 0, done.stderr
    assert (dest / "ja" / "am" / "final.mdl").is_file()
    assert f"VOSK_MODEL_PATH={dest / 'ja'}" in done.stdout
    again = run("--dest", str(dest), "--sha256", digest, "--from-file", str(archive), "ja")
    assert again.returncode == 0 and sorted(p.name for p in dest.iterdir()) == ["ja"]


def test_checksum_mismatch_installs_nothing(tmp_path: Path) -> None:
    archive, _ = model_zip(tmp_path / "m.zip")
    done = run("--dest", str(tmp_path / "models"), "--sha256", "0" * 64, "--from-file", str(archive), "ja")
    assert done.returncode == 4
    assert "SHA-256 mismatch" in done.stderr
    assert not (tmp_path / "models").exists()


def test_an_archive_without_a_model_is_refused(tmp_path: Path) -> None:
    archive, digest = model_zip(tmp_path / "m.zip", complete=False)
    done = run("--dest", str(tmp_path / "models"), "--sha256", digest, "--from-file", str(archive), "ja")
    assert done.returncode == 5
    assert "am/final.mdl" in done.stderr


def test_offline_fails_with_a_clear_message(tmp_path: Path) -> None:
    done = run("--dest", str(tmp_path / "models"), "--sha256", "a" * 64, "ja")
    assert done.returncode == 3
    assert "Offline?" in done.stderr and "--from-file" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "usage"),
        (("xx",), "no model known"),
        (("ja",), "no SHA-256 pinned"),
        (("--sha256", "abc", "ja"), "64 hex digits"),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
