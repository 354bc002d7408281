"""Scale-out figures (issue 9): two helpdesk servers (one worker each unless --workers) on one PostgreSQL, N kiosks
holding message long-polls, and an offered load of escalations/s for a bounded time, all on loopback. Prints create
latency p50/p95, errors by kind, and how many long-polls were answered. The long-polling kiosks run in their own
client process, so the timed creates are not delayed by the client's own event loop.

    .venv/bin/python bench/scale_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test \
        [--kiosks 500] [--rate 50] [--seconds 60] [--processes 2] [--workers 1|N|auto]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(admin_url: str, kiosks: int) -> tuple[str, list[tuple[str, str]]]:
    """A fresh, migrated database with one site and `kiosks` kiosks; returns its URL and (kiosk id, key) pairs."""
    from helpdesk.database import Database
    from helpdesk.store import accounts
    from tests.postgres import create_postgres_database

    url = create_postgres_database(admin_url, "yorisoi_scale")
    db = Database(url)
    db.migrate()
    accounts.add_site(db, site_id="bench", name="bench", sla_minutes=10)
    keys = [(f"k{n:04d}", accounts.add_kiosk(db, kiosk_id=f"k{n:04d}", site_id="bench")) for n in range(kiosks)]
    db.dispose()
    return url, keys


def start_servers(url: str, count: int, log_dir: Path, workers: str = "1") -> tuple[list[subprocess.Popen], list[str]]:
    """`count` `yorisoi helpdesk serve` processes on the database; returns them and their base URLs."""
    import requests

    env = {
        **os.environ,
        "YORISOI_DATABASE_URL": url,
        "YORISOI_KIOSK_RATE_PER_S": "100",
        "YORISOI_LONG_POLL_MAX_S": "20",
    }
    command = [sys.executable, "-m", "yorisoi.cli", "helpdesk", "serve", "--no-migrate", "--workers", workers]
    processes, bases = [], []
    for _ in range(count):
        port = free_port()
        log = (log_dir / f"server-{port}.log").open("w")
        processes.append(
            subprocess.Popen(
                [*command, "--port", str(port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
    return processes, bases


def escalation_body() -> dict:
    """A valid escalation request."""
    return {
        "session_id": uuid.uuid4().hex,
        "procedure_id": "konbini-juminhyo",
        "step_id": "place-card",
        "language": "ja",
        "reason": "card-unreadable",
        "path": [],
    }


def _kind(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__


async def create(client: httpx.AsyncClient, base: str, key: str, stats: dict) -> str | None:
    """One escalation; its latency (or error kind) goes into `stats`."""
    started = time.perf_counter()
    try:
        answer = await client.post(
            f"{base}/api/v1/escalations",
            json=escalation_body(),
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
        )
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        stats["create_errors"][_kind(exc)] = stats["create_errors"].get(_kind(exc), 0) + 1
        return None
    stats["created"].append(time.perf_counter() - started)
    return answer.json()["id"]


async def hold_polls(bases: list[str], keys: list[tuple[str, str]], seconds: float, ready: Any) -> dict:
    """Every kiosk escalates once and then long-polls its messages until the time is up."""
    stats: dict = {"created": [], "create_errors": {}, "polls": 0, "poll_errors": {}}
    deadline = time.monotonic() + seconds
    # httpx looks through its pool on every request: many small pools, not one pool of 500 connections.
    clients = [
        httpx.AsyncClient(timeout=httpx.Timeout(10, read=40), limits=httpx.Limits(max_connections=60))
        for _ in range(0, len(keys), 50)
    ]

    async def kiosk(n: int, kiosk_key: str) -> None:
        base, client = bases[n % len(bases)], clients[n // 50]
        escalation_id = await create(client, base, kiosk_key, stats)
        after = 0
        while escalation_id and time.monotonic() < deadline:
            try:
                answer = await client.get(
                    f"{base}/api/v1/escalations/{escalation_id}/messages",
                    params={"after": after, "wait": 20},
                    headers={"Authorization": f"Bearer {kiosk_key}"},
                )
                answer.raise_for_status()
                after = answer.json()["last_id"]
                stats["polls"] += 1
            except httpx.HTTPError as exc:
                stats["poll_errors"][_kind(exc)] = stats["poll_errors"].get(_kind(exc), 0) + 1
                await asyncio.sleep(1)

    holders = [asyncio.create_task(kiosk(n, key)) for n, (_kid, key) in enumerate(keys)]
    await asyncio.sleep(2)
    ready.set()  # every kiosk has its long-poll going
    await asyncio.gather(*holders)
    for client in clients:
        await client.aclose()
    return stats


def _holders_process(bases: list[str], keys: list[tuple[str, str]], seconds: float, ready: Any, out: Any) -> None:
    out.put(asyncio.run(hold_polls(bases, keys, seconds, ready)))


async def offer_escalations(bases: list[str], keys: list[tuple[str, str]], rate: float, seconds: float) -> dict:
    """`rate` new escalations a second for `seconds`, on schedule (each in its own task)."""
    stats: dict = {"created": [], "create_errors": {}, "late_starts": 0}
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=40), limits=httpx.Limits(max_connections=200)) as c:
        n, started, pending = 0, time.monotonic(), set()
        while time.monotonic() < started + seconds:
            _kiosk_id, key = keys[n % len(keys)]
            pending.add(asyncio.create_task(create(c, bases[n % len(bases)], key, stats)))
            n += 1
            delay = started + n / rate - time.monotonic()
            stats["late_starts"] += delay < -0.05  # the client itself fell behind its schedule
            await asyncio.sleep(max(0.0, delay))
        await asyncio.gather(*pending)
    stats["offered"] = n
    return stats


def run_load(bases: list[str], keys: list[tuple[str, str]], rate: float, seconds: float) -> dict:
    """The kiosks' long-polls in one client process, the offered escalations (timed) in this one, so the
    figures measure the servers rather than one overloaded client event loop."""
    context = multiprocessing.get_context("spawn")
    ready, out = context.Event(), context.Queue()
    holders = context.Process(target=_holders_process, args=(bases, keys, seconds + 4, ready, out))
    holders.start()
    if not ready.wait(120):
        raise RuntimeError("the long-polling kiosks did not start")
    stats = asyncio.run(offer_escalations(bases, keys, rate, seconds))
    held = out.get(timeout=seconds + 120)
    holders.join(30)
    stats["polls"], stats["poll_errors"] = held["polls"], held["poll_errors"]
    stats["kiosk_create_errors"] = held["create_errors"]
    return stats


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", required=True, help="admin URL; a throwaway database is created and dropped")
    parser.add_argument("--kiosks", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=2, help="`yorisoi helpdesk serve` commands, each its own port")
    parser.add_argument("--workers", default="1", help="--workers of each serve command (a number or auto)")
    args = parser.parse_args()
    import tempfile

    from tests.postgres import drop_postgres_database

    url, keys = prepare(args.postgres, args.kiosks)
    processes, bases = start_servers(url, args.processes, Path(tempfile.mkdtemp(prefix="yorisoi-scale-")), args.workers)
    try:
        stats = run_load(bases, keys, args.rate, args.seconds)
    finally:
        for process in processes:
            process.terminate()
            process.wait(15)
        drop_postgres_database(args.postgres, url)
    created = sorted(stats["created"])
    p95 = created[int(0.95 * (len(created) - 1))] * 1000 if created else float("nan")
    print(
        f"{args.processes} servers × {args.workers} workers, {args.kiosks} kiosks long-polling, "
        f"{args.rate:.0f} escalations/s offered "
        f"for {args.seconds:.0f} s: offered {stats['offered']} (late starts {stats['late_starts']}), created "
        f"{len(created)} (p50 {statistics.median(created) * 1000:.1f} ms, p95 {p95:.1f} ms), create errors "
        f"{sum(stats['create_errors'].values())} {stats['create_errors'] or ''}, long-polls answered {stats['polls']}, "
        f"poll errors {sum(stats['poll_errors'].values())} {stats['poll_errors'] or ''}, kiosk escalation errors "
        f"{sum(stats['kiosk_create_errors'].values())}"
    )


if __name__ == "__main__":
    main()
