"""ruff (lint and format) and mypy run with the tests, so the README's one test command checks them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing_to_fix() -> None:
    done = _run(str(BIN / "ruff"), "check", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr


def test_ruff_format_changes_nothing() -> None:
    done = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    """Strict on the guide engine, the wire contract, the vocabulary and content (see pyproject.toml)."""
    done = _run(str(BIN / "mypy"))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr
