"""Several server processes on one PostgreSQL throttle logins together: the failures counted through process A
count in process B too (with per-process counts N processes allowed N times the attempts)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from .conftest import PASSWORD, World
from .test_server_process import free_port, spawn_server, wait_until_ready

API = "/api/v1"
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_login_failures_count_across_processes(pg_world: World, tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    processes = [
        spawn_server(
            pg_world.url,
            port,
            tmp_path / f"{port}.log",
            YORISOI_LOGIN_MAX_FAILURES="3",
            YORISOI_LOGIN_ADDRESS_MAX_FAILURES="3",
        )
        for port in ports
    ]
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_until_ready(process, port, tmp_path / f"{port}.log")
        a, b = (f"http://127.0.0.1:{port}" for port in ports)

        addresses = (f"10.0.0.{n}" for n in range(1, 200))  # uvicorn trusts X-Forwarded-For from loopback

        def login(base: str, name: str, password: str, address: str | None = None) -> int:
            answer = httpx.post(
                f"{base}{API}/auth/login",
                json={"login": name, "password": password},
                headers={"X-Forwarded-For": address or next(addresses)},
                timeout=10,
            )
            assert answer.status_code in (200, 401) or answer.json()["code"] == "login-throttled"
            return answer.status_code

        # One account, three failures spread over both processes (from different addresses): refused on either.
        assert [login(base, "bob", "wrong password!") for base in (a, b, a)] == [401, 401, 401]
        assert login(b, "bob", PASSWORD) == 429
        assert login(a, "bob", PASSWORD) == 429
        refused = httpx.post(f"{a}{API}/auth/login", json={"login": "bob", "password": PASSWORD}, timeout=10)
        assert 800 < int(refused.headers["Retry-After"]) <= 900  # the true wait: the first failure's window

        # One address, failures for three logins spread over both processes: that address is refused on either.
        tries = [login(base, name, "wrong password!", "10.9.9.9") for base, name in ((a, "x"), (b, "y"), (a, "z"))]
        assert tries == [401, 401, 401]
        assert login(b, "alice", PASSWORD, "10.9.9.9") == 429
        assert login(a, "alice", PASSWORD, "10.9.9.9") == 429
        assert login(b, "alice", PASSWORD) == 200  # from elsewhere alice is fine

        # A success through B forgets the account's failures made through A.
        assert [login(a, "carol", "wrong password!") for _ in range(2)] == [401, 401]
        assert login(b, "carol", PASSWORD) == 200
        assert [login(a, "carol", "wrong password!") for _ in range(2)] == [401, 401]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
