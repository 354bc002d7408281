"""Revoking or rotating a kiosk key with the CLI ends the key in every running server process at once, although
each process remembers key answers (here for a minute, so only the bus can make them forget)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from .conftest import World, escalation_body, kiosk_headers
from .test_server_process import free_port, spawn_server, wait_until_ready
from .test_workers import client_port, serving_process, workers_of

API = "/api/v1"
REMEMBER_S = "60"


def cli(world: World, *args: str) -> str:
    """Run `yorisoi helpdesk ARGS` in its own process; returns its output."""
    done = subprocess.run(
        [sys.executable, "-m", "yorisoi.cli", "helpdesk", *args],
        env={**os.environ, "YORISOI_DATABASE_URL": world.url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def create(base: str, world: World, kiosk_id: str, key: str | None = None, workers: list[int] = ()) -> httpx.Response:  # type: ignore[assignment]
    """One escalation create over a fresh connection (with `workers`, the one serving it in extensions["pid"])."""
    headers = kiosk_headers(world, kiosk_id, uuid.uuid4().hex)
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    with httpx.Client(timeout=10) as client:
        answer = client.post(f"{base}{API}/escalations", json=escalation_body(), headers=headers)
        if workers:
            answer.extensions["pid"] = serving_process(int(base.rsplit(":", 1)[1]), client_port(answer), workers)
        return answer


def refused_within(base: str, world: World, kiosk_id: str, seconds: float) -> float:
    """Seconds until the kiosk's (old) key is refused; fails when it still works after `seconds`."""
    start = time.monotonic()
    while True:
        answer = create(base, world, kiosk_id)
        if answer.status_code == 401:
            return time.monotonic() - start
        assert answer.status_code == 201, answer.text
        assert time.monotonic() - start < seconds, f"the revoked key still works after {seconds} s"
        time.sleep(0.02)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_cli_revocation_ends_the_key_in_the_sqlite_server(sqlite_world: World, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    server = wait_until_ready(
        spawn_server(sqlite_world.url, port, log, YORISOI_KIOSK_AUTH_CACHE_S=REMEMBER_S), port, log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert create(base, sqlite_world, "north-1").status_code == 201  # the server now remembers the key
        cli(sqlite_world, "revoke-kiosk", "north-1")
        refused_within(base, sqlite_world, "north-1", 2.0)  # one poll of the SQLite bus (1 s), not the minute
        assert create(base, sqlite_world, "north-2").status_code == 201  # other kiosks carry on

        assert create(base, sqlite_world, "south-1").status_code == 201
        new_key = cli(sqlite_world, "rotate-kiosk-key", "south-1").splitlines()[-1]
        refused_within(base, sqlite_world, "south-1", 2.0)
        assert create(base, sqlite_world, "south-1", new_key).status_code == 201
    finally:
        stop(server)


@pytest.mark.postgres
@pytest.mark.slow
def test_cli_revocation_ends_the_key_in_every_postgres_worker(pg_world: World, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "YORISOI_DATABASE_URL": pg_world.url,
        "YORISOI_COOKIE_SECURE": "false",
        "YORISOI_KIOSK_RATE_PER_S": "100000",
        "YORISOI_KIOSK_RATE_BURST": "100000",
        "YORISOI_KIOSK_AUTH_CACHE_S": REMEMBER_S,
    }
    command = [sys.executable, "-m", "yorisoi.cli", "helpdesk", "serve", "--port", str(port), "--workers", "2"]
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(server, port, log)
        deadline = time.monotonic() + 30
        while len(workers := workers_of(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2, f"expected two workers, found {workers}"

        # Every worker accepts (and so remembers) the key before the revocation.
        remembered: set[int] = set()
        for _ in range(60):
            answer = create(base, pg_world, "north-1", workers=workers)
            assert answer.status_code == 201, answer.text
            remembered.add(answer.extensions["pid"])
            if remembered == set(workers):
                break
        assert remembered == set(workers), "the kernel never handed a create to one of the workers"

        cli(pg_world, "revoke-kiosk", "north-1")
        refused: dict[int, int] = {pid: 0 for pid in workers}
        start = time.monotonic()
        while not all(refused.values()):
            answer = create(base, pg_world, "north-1", workers=workers)
            pid = answer.extensions["pid"]
            assert answer.status_code == 401, f"worker {pid} still accepts the revoked key ({answer.status_code})"
            refused[pid] += 1
            assert time.monotonic() - start < 30, "one worker never took a request"
    finally:
        stop(server)
