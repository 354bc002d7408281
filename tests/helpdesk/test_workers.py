"""`yorisoi helpdesk serve --workers 2` on PostgreSQL: whichever worker the kernel hands a connection to, a console
streaming from one worker sees an escalation created through the other (the LISTEN/NOTIFY bus crosses processes).
Which worker serves a connection is read from /proc (the socket's owner), not guessed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import World, escalation_body, kiosk_headers, staff_token
from .test_restart_catch_up import Console
from .test_server_process import free_port, wait_until_ready

API = "/api/v1"
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes: the children of `pid`, besides multiprocessing's resource tracker."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"resource_tracker" not in command:
                found.append(int(entry.name))
    return found


def serving_process(server_port: int, client_port: int, workers: list[int]) -> int:
    """The worker holding the server side of the loopback connection from `client_port`."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    assert inode is not None, "no such connection"
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


def client_port(response: httpx.Response) -> int:
    """The local port of the connection a response came over."""
    return response.extensions["network_stream"].get_extra_info("socket").getsockname()[1]


def test_two_workers_share_one_bus(pg_world: World, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "YORISOI_DATABASE_URL": pg_world.url,
        "YORISOI_COOKIE_SECURE": "false",
        "YORISOI_KIOSK_RATE_PER_S": "100000",
        "YORISOI_KIOSK_RATE_BURST": "100000",
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
        token = staff_token(pg_world, "alice")

        # Open console streams until both workers serve at least one (the kernel decides who accepts).
        consoles: dict[int, list[Console]] = {pid: [] for pid in workers}
        for _ in range(40):
            if all(consoles.values()):
                break
            console = Console(base, token["Authorization"], header="Authorization")
            consoles[serving_process(port, console.local_port, workers)].append(console)
        assert all(consoles.values()), "the kernel never handed a stream to one of the workers"

        # Create escalations over fresh connections until each worker has created at least one.
        created: dict[int, list[str]] = {pid: [] for pid in workers}
        for n in range(40):
            if all(created.values()):
                break
            with httpx.Client(timeout=10) as client:
                answer = client.post(
                    f"{base}{API}/escalations",
                    json=escalation_body(),
                    headers=kiosk_headers(pg_world, "north-1", f"w-{n}"),
                )
                assert answer.status_code == 201, answer.text
                created[serving_process(port, client_port(answer), workers)].append(answer.json()["id"])
        assert all(created.values()), "one worker never took a create"

        everything = {escalation_id for ids in created.values() for escalation_id in ids}
        for streams in consoles.values():
            for console in streams:
                console.wait_for([("", "")] * len(everything))
                assert {escalation_id for escalation_id, _ in console.changes()} == everything
                console.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
