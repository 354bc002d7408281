"""The real server process (`yorisoi helpdesk serve`, uvicorn) on 127.0.0.1: durability under kill -9,
one winner for concurrent claims across two processes, and 503s while the database is away."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from helpdesk.database import Database
from helpdesk.tables import escalations
from tests.postgres import POSTGRES_ENV

from .conftest import World, escalation_body, kiosk_headers, staff_token

pytestmark = pytest.mark.slow
API = "/api/v1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, log: Path, **env: str) -> subprocess.Popen:
    """`yorisoi helpdesk serve` in its own process; returns once /healthz answers."""
    return wait_until_ready(spawn_server(url, port, log, **env), port, log)


def spawn_server(url: str, port: int, log: Path, **env: str) -> subprocess.Popen:
    """Start `yorisoi helpdesk serve` without waiting."""
    environment = {
        **os.environ,
        "YORISOI_DATABASE_URL": url,
        "YORISOI_COOKIE_SECURE": "false",
        "YORISOI_KIOSK_RATE_PER_S": "100000",
        "YORISOI_KIOSK_RATE_BURST": "100000",
        **env,
    }
    # One worker: these tests kill "the server process" (on PostgreSQL `auto` would start a supervisor and two
    # workers, and a SIGKILL of the supervisor alone leaves its workers serving; systemd kills the whole group).
    command = [sys.executable, "-m", "yorisoi.cli", "helpdesk", "serve", "--port", str(port), "--workers", "1"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT)


def wait_until_ready(process: subprocess.Popen, port: int, log: Path) -> subprocess.Popen:
    """Wait for /healthz of a spawned server."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


@contextmanager
def servers(url: str, tmp_path: Path, count: int = 1) -> Iterator[list[str]]:
    """`count` server processes on one database, started side by side; yields their base URLs."""
    ports = [free_port() for _ in range(count)]
    processes = [spawn_server(url, port, tmp_path / f"server-{port}.log") for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_until_ready(process, port, tmp_path / f"server-{port}.log")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_kill_9_during_concurrent_escalations_loses_and_duplicates_nothing(sqlite_world: World, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    process = start_server(sqlite_world.url, port, log)
    acknowledged: dict[str, str] = {}  # idempotency key -> escalation id the server answered
    lock, transport_errors = threading.Lock(), [0]

    client = httpx.Client(timeout=5, limits=httpx.Limits(max_connections=64))

    def post_until_acknowledged(key: str) -> None:
        body, headers = escalation_body(), kiosk_headers(sqlite_world, "north-1", key)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                response = client.post(f"{base}{API}/escalations", json=body, headers=headers)
            except httpx.TransportError:
                with lock:
                    transport_errors[0] += 1
                time.sleep(0.05)
                continue
            if response.status_code in (200, 201):
                with lock:
                    assert acknowledged.setdefault(key, response.json()["id"]) == response.json()["id"]
                return
            assert response.status_code >= 500, response.text
            time.sleep(0.05)

    keys = [uuid.uuid4().hex for _ in range(200)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(post_until_acknowledged, key) for key in keys]
        while len(acknowledged) < 40:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        acknowledged_at_kill = len(acknowledged)
        deadline = time.monotonic() + 30
        while transport_errors[0] == 0 and time.monotonic() < deadline:  # until the clients meet the dead server
            time.sleep(0.005)
        process = start_server(sqlite_world.url, port, log)
        for future in futures:
            future.result()
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    client.close()

    assert 40 <= acknowledged_at_kill < 200, "the kill must land in the middle of the run"
    assert transport_errors[0] > 0, "clients must have seen the server die"
    assert sorted(acknowledged) == sorted(keys)
    db = Database(sqlite_world.url)
    with db.read() as conn:
        rows = conn.execute(select(escalations.c.idempotency_key, escalations.c.id)).all()
    db.dispose()
    assert len(rows) == 200, "0 lost, 0 duplicated"
    assert dict(rows) == acknowledged  # every acknowledged id is the stored one


def test_concurrent_claims_across_two_processes_have_one_winner(world: World, tmp_path: Path) -> None:
    with servers(world.url, tmp_path, count=2) as (first, second):
        tokens = [staff_token(world, "alice"), staff_token(world, "bob")]
        client = httpx.Client(timeout=10)
        for round_ in range(3):
            created = client.post(
                f"{first}{API}/escalations",
                json=escalation_body(),
                headers=kiosk_headers(world, "north-1", f"claim-{round_}"),
            ).json()
            barrier = threading.Barrier(8)

            def claim(i: int, escalation_id: str = created["id"], barrier: threading.Barrier = barrier):
                base = (first, second)[i % 2]
                barrier.wait()
                return client.post(f"{base}{API}/escalations/{escalation_id}/claim", headers=tokens[(i // 2) % 2])

            with ThreadPoolExecutor(max_workers=8) as pool:
                answers = list(pool.map(claim, range(8)))
            codes = sorted(a.status_code for a in answers)
            assert codes == [200] + [409] * 7, [a.text for a in answers]
            assert {a.json()["code"] for a in answers if a.status_code == 409} <= {"already-claimed"}
            for answer in answers:
                if answer.status_code == 200:
                    winner = answer.json()["claimed_by"]
            release_as = tokens[0] if winner == "Alice" else tokens[1]
            resolved = client.post(
                f"{first}{API}/escalations/{created['id']}/resolve", json={"outcome": "solved"}, headers=release_as
            )
            assert resolved.status_code == 200
        client.close()


@pytest.mark.postgres
def test_database_outage_gives_503_and_recovers_without_restart(tmp_path: Path) -> None:
    from tests.postgres import create_postgres_database, drop_postgres_database

    from .conftest import seed

    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set: the outage test needs a PostgreSQL it can switch off")
    url = create_postgres_database(admin_url)
    name = url.rsplit("/", 1)[1]
    admin = Database(admin_url)
    try:
        db = Database(url)
        db.migrate()
        keys, staff_ids = seed(db)
        db.dispose()
        world = World(url, keys, staff_ids)
        with servers(url, tmp_path) as (base,):
            body, headers = escalation_body(), kiosk_headers(world, "north-1", "during-outage")
            with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
                )
                down = httpx.post(f"{base}{API}/escalations", json=body, headers=headers, timeout=20)
                health = httpx.get(f"{base}/healthz", timeout=20)
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            assert down.status_code == 503 and down.json()["code"] == "database-unavailable"
            assert "Traceback" not in down.text
            assert health.status_code == 503 and health.json() == {"status": "unavailable"}
            assert httpx.get(f"{base}/healthz", timeout=20).status_code == 200
            again = httpx.post(f"{base}{API}/escalations", json=body, headers=headers, timeout=20)
            assert again.status_code == 201  # nothing was committed during the outage
        db = Database(url)
        with db.read() as conn:
            assert conn.execute(select(func.count()).select_from(escalations)).scalar_one() == 1
        db.dispose()
    finally:
        admin.dispose()
        drop_postgres_database(admin_url, url)
