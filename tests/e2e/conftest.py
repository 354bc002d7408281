"""Real processes on loopback: a helpdesk server (`yorisoi helpdesk serve`) that tests can kill -9 and restart."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from helpdesk.embedded import DemoSeed, seed_demo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HelpdeskProcess:
    """`yorisoi helpdesk serve` in a subprocess on a fixed loopback port, so it can be killed and restarted."""

    def __init__(self, seed: DemoSeed, port: int, log: Path):
        self.seed = seed
        self.port = port
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30.0) -> None:
        env = {
            **os.environ,
            "YORISOI_DATABASE_URL": self.seed.database_url,
            "YORISOI_COOKIE_SECURE": "false",
            "YORISOI_KIOSK_RATE_PER_S": "1000",
            "YORISOI_KIOSK_RATE_BURST": "1000",
        }
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "yorisoi.cli",
                    "helpdesk",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"helpdesk exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("helpdesk did not become healthy")

    def kill(self) -> None:
        """kill -9: no shutdown handlers run."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def escalation_keys(self) -> list[str]:
        """Idempotency keys of every stored escalation, read straight from the database file."""
        path = self.seed.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            return [row[0] for row in db.execute("SELECT idempotency_key FROM escalations")]

    def event_ids(self) -> list[str]:
        path = self.seed.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            return [row[0] for row in db.execute("SELECT event_id FROM session_events")]


@pytest.fixture
def helpdesk(tmp_path: Path) -> Iterator[HelpdeskProcess]:
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    process = HelpdeskProcess(seed, free_port(), tmp_path / "helpdesk.log")
    yield process
    process.stop()
