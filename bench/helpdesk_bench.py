"""Helpdesk benchmark: prints the figures REQUIREMENTS.md asks for (SQLite, one server process).

- escalation create p50/p95 at an offered 100/s from 16 clients (open loop), and saturation throughput
  (16 closed-loop clients, the same `requests` client as ../shared/peers/bare_limit/load.py);
- the bare Starlette+SQLite insert limit measured in the same run (`--bare`), and the ratio;
- queue view time with 100,000 past escalations;
- time from POST to the Server-Sent Event on an open staff stream.

Usage: .venv/bin/python bench/helpdesk_bench.py [--seconds 10] [--clients 16] [--bare]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BARE = ROOT.parent / "shared" / "peers" / "bare_limit" / "run.sh"  # ../shared beside the checkout


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def ms(seconds: float) -> str:
    """Milliseconds, one decimal."""
    return f"{seconds * 1000:.1f} ms"


def seed(folder: Path, clients: int) -> tuple[str, list[str], str]:
    """A fresh database with one site, a kiosk per client and one staff member; returns (url, keys, token)."""
    from helpdesk.database import Database
    from helpdesk.store import accounts

    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    db = Database(url)
    db.migrate()
    accounts.add_site(db, site_id="bench", name="bench", sla_minutes=10)
    keys = [accounts.add_kiosk(db, kiosk_id=f"kiosk-{i}", site_id="bench") for i in range(clients)]
    staff_id = accounts.add_staff(
        db, login="bench-staff", role="staff", password="bench password 1", site_ids=["bench"]
    )
    _, token = accounts.create_api_token(db, staff_id=staff_id, name="bench")
    db.dispose()
    return url, keys, token


def start_server(url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    """`yorisoi helpdesk serve` (one uvicorn process) on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "YORISOI_DATABASE_URL": url,
        "YORISOI_KIOSK_RATE_PER_S": "1e6",
        "YORISOI_KIOSK_RATE_BURST": "1000000",
    }
    log = (folder / "server.log").open("wb")
    command = [sys.executable, "-m", "yorisoi.cli", "helpdesk", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def body() -> dict:
    return {
        "session_id": uuid.uuid4().hex,
        "procedure_id": "moving-in",
        "step_id": "insert-card",
        "language": "ja",
        "reason": "card-unreadable",
        "path": [{"step_id": "start", "seconds": 3.0}, {"step_id": "insert-card", "seconds": 41.5}],
    }


def create_load(base: str, keys: list[str], seconds: float, rate: float | None) -> tuple[list[float], int, float]:
    """16 clients POSTing escalations; open loop at `rate`/s in total, or closed loop when rate is None.

    Open-loop latency counts from the scheduled send time, so a server falling behind shows up in it.
    """
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    stop = start + seconds

    def client(index: int) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {keys[index]}", "Content-Type": "application/json"}
        interval = len(keys) / rate if rate else 0.0
        scheduled = start + index * (interval / len(keys)) if rate else start
        while scheduled < stop:
            now = time.perf_counter()
            if scheduled > now:
                time.sleep(scheduled - now)
            sent = scheduled if rate else time.perf_counter()
            response = session.post(
                f"{base}/api/v1/escalations",
                data=json.dumps(body()),
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            done = time.perf_counter()
            with lock:
                latencies.append(done - sent)
                errors[0] += response.status_code != 201
            scheduled = scheduled + interval if rate else done

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - start


def add_past_escalations(url: str, count: int, waiting: int) -> None:
    """Resolve everything there is, add `count` resolved escalations, and leave `waiting` open ones."""
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, timeout=30)
    now = dt.datetime.now(dt.UTC)
    conn.execute("UPDATE escalations SET status='resolved', outcome='solved', ended_at=updated_at")
    rows = []
    for i in range(count + waiting):
        created = (now - dt.timedelta(seconds=count + waiting - i)).isoformat(sep=" ")
        status = "resolved" if i < count else "waiting"
        rows.append(
            (
                uuid.uuid4().hex,
                "kiosk-0",
                "bench",
                f"past-{i}",
                "0" * 64,
                uuid.uuid4().hex,
                "moving-in",
                "start",
                "ja",
                "other",
                "[]",
                status,
                None,
                None,
                created if status == "resolved" else None,
                "solved" if status == "resolved" else None,
                created,
                created,
                created,
            )
        )
    conn.executemany(f"INSERT INTO escalations VALUES ({','.join('?' * 19)})", rows)
    conn.commit()
    conn.close()


def queue_view_times(base: str, token: str, samples: int) -> tuple[list[float], int]:
    """Sequential GET /api/v1/queue by one staff member."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    times, items = [], 0
    for _ in range(samples):
        started = time.perf_counter()
        response = session.get(f"{base}/api/v1/queue", headers=headers)
        times.append(time.perf_counter() - started)
        items = len(response.json()["items"])
    return times, items


def sse_latencies(base: str, token: str, key: str, samples: int) -> list[float]:
    """POST an escalation, time until its event arrives on an open queue stream."""
    arrived: dict[str, float] = {}
    ready = threading.Event()

    def listen() -> None:
        with contextlib.suppress(requests.RequestException):  # the server stops at the end of the run
            read_stream()

    def read_stream() -> None:
        with requests.get(
            f"{base}/api/v1/queue/stream", headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=60
        ) as response:
            for line in response.iter_lines(decode_unicode=True):
                if line == ": connected":
                    ready.set()
                elif line and line.startswith("data: "):
                    payload = json.loads(line[6:])
                    arrived.setdefault(payload["escalation_id"], time.perf_counter())
                    if len(arrived) >= samples:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ready.wait(10)
    session = requests.Session()
    sent: dict[str, float] = {}
    for _ in range(samples):
        started = time.perf_counter()
        response = session.post(
            f"{base}/api/v1/escalations",
            json=body(),
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
        )
        sent[response.json()["id"]] = started
        time.sleep(0.05)
    listener.join(10)
    return [arrived[i] - sent[i] for i in sent if i in arrived]


def many_long_polls(base: str, keys: list[str], token: str, connections: int) -> tuple[int, list[float], list[float]]:
    """Hold `connections` kiosk long-polls open at once; while they wait, time escalation creates and the
    time from a staff reply to the waiting kiosk's answer. Returns (held, create latencies, wake latencies)."""
    import asyncio

    import httpx

    async def scenario() -> tuple[int, list[float], list[float]]:
        limits = httpx.Limits(max_connections=connections + 50, max_keepalive_connections=connections + 50)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            created = []
            for i in range(connections):
                headers = {"Authorization": f"Bearer {keys[i % len(keys)]}", "Idempotency-Key": uuid.uuid4().hex}
                created.append(
                    ((await client.post("/api/v1/escalations", json=body(), headers=headers)).json()["id"], i)
                )
            woke: dict[str, float] = {}

            async def poll(escalation_id: str, i: int) -> None:
                headers = {"Authorization": f"Bearer {keys[i % len(keys)]}"}
                url = f"/api/v1/escalations/{escalation_id}/messages"
                response = await client.get(url, params={"after": 0, "wait": 20}, headers=headers)
                if response.json()["messages"]:
                    woke[escalation_id] = time.perf_counter()

            polls = [asyncio.create_task(poll(e, i)) for e, i in created]
            await asyncio.sleep(3)  # every poll is now parked on the server
            held = sum(not task.done() for task in polls)
            creates = []
            for i in range(30):
                started = time.perf_counter()
                headers = {"Authorization": f"Bearer {keys[i % len(keys)]}", "Idempotency-Key": uuid.uuid4().hex}
                await client.post("/api/v1/escalations", json=body(), headers=headers)
                creates.append(time.perf_counter() - started)
            staff = {"Authorization": f"Bearer {token}"}
            claimed: dict[str, float] = {}
            for escalation_id, _ in created[:20]:
                claimed[escalation_id] = time.perf_counter()
                await client.post(f"/api/v1/escalations/{escalation_id}/claim", headers=staff)
                await client.post(
                    f"/api/v1/escalations/{escalation_id}/resolve", json={"outcome": "solved"}, headers=staff
                )
            await asyncio.sleep(1)
            wakes = [woke[e] - claimed[e] for e in claimed if e in woke]
            for task in polls:
                task.cancel()
            await asyncio.gather(*polls, return_exceptions=True)
            return held, creates, wakes

    return asyncio.run(scenario())


def bare_limit(seconds: float, clients: int) -> float | None:
    """The bare Starlette+SQLite insert rate (../shared/peers/bare_limit), same client, same machine."""
    if not BARE.exists():
        return None
    out = subprocess.run(
        ["bash", str(BARE), str(seconds), str(clients)],
        env={**os.environ, "PY": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    print(f"  bare limit: {out.strip()}")
    found = re.search(r"rate=(\d+)/s", out)
    return float(found.group(1)) if found else None


def main() -> int:
    """Run every phase and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--past", type=int, default=100_000)
    parser.add_argument("--long-polls", type=int, default=500)
    parser.add_argument("--bare", action="store_true", help="also measure the bare Starlette+SQLite limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as tmp:
        folder = Path(tmp)
        url, keys, token = seed(folder, args.clients)
        server, base = start_server(url, folder)
        try:
            print(
                f"helpdesk bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, {args.clients} clients"
            )
            create_load(base, keys, 2.0, None)  # warm-up
            lat, errors, _ = create_load(base, keys, args.seconds, 100.0)
            print(
                f"create @100/s offered: n={len(lat)} p50={ms(percentile(lat, 0.5))} p95={ms(percentile(lat, 0.95))}"
                f" p99={ms(percentile(lat, 0.99))} errors={errors}"
            )
            cpu_before = cpu_seconds(server.pid)
            lat, errors, elapsed = create_load(base, keys, args.seconds, None)
            ours = len(lat) / elapsed
            cpu_each = (cpu_seconds(server.pid) - cpu_before) / len(lat)
            print(
                f"create saturation: {ours:.0f}/s p50={ms(percentile(lat, 0.5))} p95={ms(percentile(lat, 0.95))}"
                f" errors={errors}; server CPU per create {ms(cpu_each)}"
            )
            add_past_escalations(url, args.past, waiting=20)
            times, items = queue_view_times(base, token, 30)
            print(
                f"queue view with {args.past} past escalations ({items} open shown): "
                f"median={ms(statistics.median(times))} p95={ms(percentile(times, 0.95))}"
            )
            sse = sse_latencies(base, token, keys[0], 50)
            print(
                f"POST -> SSE event: n={len(sse)} median={ms(statistics.median(sse))} p95={ms(percentile(sse, 0.95))}"
            )
            held, creates, wakes = many_long_polls(base, keys, token, args.long_polls)
            print(
                f"{held} kiosk long-polls held open at once: create p50={ms(statistics.median(creates))} "
                f"p95={ms(percentile(creates, 0.95))}; claim -> waiting kiosk answered: "
                f"median={ms(statistics.median(wakes))} p95={ms(percentile(wakes, 0.95))} (n={len(wakes)})"
            )
        finally:
            server.terminate()
            server.wait(10)
    if args.bare:
        bare = bare_limit(args.seconds, args.clients)
        if bare:
            print(f"ratio to the bare limit: {ours / bare:.2f} (requirement: within ~20%, i.e. >= 0.8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
