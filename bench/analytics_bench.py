"""Trainer analytics at scale: session-event ingest rate and trainer-report time over 1,000,000 events (SQLite),
plus help-offer precision/recall of the served p90 thresholds on a simulated population.

Run: .venv/bin/python bench/analytics_bench.py [--events 1000000] [--http-events 100000] [--no-offers]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]   (also on a fresh, randomly named database)
Targets (REQUIREMENTS.md): ingest >= 20,000 events/s; trainer report over 1,000,000 events < 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from content.loader import load_catalog
from helpdesk.analytics import report
from helpdesk.analytics.loading import ingest, store_escalations
from helpdesk.analytics.sql import Scope
from helpdesk.analytics.steps import step_thresholds
from helpdesk.analytics.synthetic import Plan, default_plants, generate
from helpdesk.database import Database
from helpdesk.store import accounts

KIOSKS = {"north-1": "north", "north-2": "north", "south-1": "south", "south-2": "south"}
EVENTS_PER_SESSION = 12.9  # measured mean of the generator's sessions


def prepare(url: str) -> tuple[Database, dict[str, str]]:
    """A migrated database with the bench's sites and kiosks; returns kiosk keys."""
    db = Database(url)
    db.migrate()
    for site in sorted(set(KIOSKS.values())):
        accounts.add_site(db, site_id=site, name=site, fallback_phone="03-0000-0000", sla_minutes=10)
    return db, {k: accounts.add_kiosk(db, kiosk_id=k, site_id=s) for k, s in KIOSKS.items()}


def timed(fn, repeat: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall seconds and median CPU seconds of this process (every thread) over `repeat` runs.

    The CPU figure shows the work apart from what other processes on a shared machine take from it."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def timed_ingest(db: Database, data) -> tuple[int, float, float]:  # type: ignore[no-untyped-def]
    """Events stored through the real path, and events per second of wall time and of this process's CPU time."""
    start, cpu = time.perf_counter(), time.process_time()
    stored = ingest(db, data, KIOSKS)
    return stored, stored / (time.perf_counter() - start), stored / (time.process_time() - cpu)


def http_ingest(url: str, keys: dict[str, str], events: list[dict], clients: int = 4) -> float:
    """Events per second through POST /api/v1/events on a real server (uvicorn on 127.0.0.1), `clients` threads."""
    import httpx

    from helpdesk.api.app import create_app
    from helpdesk.embedded import EmbeddedServer
    from helpdesk.settings import HelpdeskSettings

    settings = HelpdeskSettings(database_url=url, kiosk_rate_per_s=10_000, kiosk_rate_burst=10_000)
    by_kiosk: dict[str, list[dict]] = {}
    for event in events:
        by_kiosk.setdefault(event["kiosk_id"], []).append({**event, "at": event["at"].isoformat()})
    jobs = [(k, evs[i : i + 1000]) for k, evs in sorted(by_kiosk.items()) for i in range(0, len(evs), 1000)]

    def work(part: list[tuple[str, list[dict]]], base: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            for kiosk_id, batch in part:
                answer = http.post(
                    "/api/v1/events", json={"events": batch}, headers={"Authorization": f"Bearer {keys[kiosk_id]}"}
                )
                answer.raise_for_status()

    with EmbeddedServer(create_app(settings)) as server:
        threads = [threading.Thread(target=work, args=(jobs[i::clients], server.base_url)) for i in range(clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(events) / (time.perf_counter() - start)


def offers(db: Database, procedures, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    """Help offers at every planted stuck step with served thresholds vs the kiosk's text-length default."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analytics"))
    from population import simulate

    totals = {"served": [0, 0, 0], "default": [0, 0, 0]}
    for key in sorted(plan.stuck_at):
        pid, step_id = key.split("/")
        with db.read() as conn:
            thresholds = step_thresholds(conn, Scope(procedure_id=pid), min_sessions=30)
        for name, given in (("served", thresholds), ("default", {})):
            score = simulate(procedures[pid], step_id, given, residents=300, stuck_share=0.1, seed=11)
            for i, v in enumerate((score.stuck, score.offered, score.offered_stuck)):
                totals[name][i] += v
    for name, (stuck, offered, hits) in totals.items():
        print(f"help offers at planted steps, {name:7s} thresholds: precision {hits / offered:.2f}, "
              f"recall {hits / stuck:.2f} ({hits}/{offered} offers, {stuck} stuck residents)")  # fmt: skip


def postgres_figures(admin_url: str, data, procedures) -> None:  # type: ignore[no-untyped-def]
    """The same ingest and report figures on a fresh, randomly named PostgreSQL database (dropped afterwards)."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    name = f"yorisoi_bench_{uuid.uuid4().hex[:12]}"
    base = make_url(admin_url)
    plain = base.set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        db, _keys = prepare(base.set(database=name).render_as_string(hide_password=False))
        escalations, data.escalations = data.escalations, []
        stored, rate, cpu_rate = timed_ingest(db, data)
        print(f"PostgreSQL ingest (store, batches of 1000): {rate:,.0f} events/s (client CPU: {cpu_rate:,.0f}/s)")
        data.escalations = escalations
        store_escalations(db, escalations)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        whole, _ = timed(lambda: report.build(db, Scope(), procedures))
        one, _ = timed(lambda: report.build(db, Scope(procedure_id="konbini-juminhyo"), procedures))
        print(f"PostgreSQL trainer report, all procedures, {stored:,} events: {whole:.2f} s; "
              f"one procedure: {one:.2f} s")  # fmt: skip
        db.dispose()
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    """Generate, ingest, and time the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--http-events", type=int, default=100_000)
    parser.add_argument("--no-offers", action="store_true")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also measure on PostgreSQL (a fresh database)")
    args = parser.parse_args()
    procedures = load_catalog().procedures
    drop_at, stuck_at = default_plants(procedures)
    sessions = int(args.events / EVENTS_PER_SESSION)
    plan = Plan(seed=3, sessions=sessions, days=84, kiosks=KIOSKS, drop_at=drop_at, stuck_at=stuck_at)
    start = time.perf_counter()
    data = generate(plan, procedures)
    print(f"generated {len(data.events):,} events, {len(data.escalations):,} escalations "
          f"({sessions:,} sessions) in {time.perf_counter() - start:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        db, _keys = prepare(url)
        escalations, data.escalations = data.escalations, []
        stored, rate, cpu_rate = timed_ingest(db, data)
        data.escalations = escalations
        print(f"ingest (store, batches of 1000, SQLite WAL synchronous=FULL): {rate:,.0f} events/s "
              f"(per CPU second: {cpu_rate:,.0f})")  # fmt: skip
        store_escalations(db, escalations)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        whole, cpu = timed(lambda: report.build(db, Scope(), procedures))
        print(f"trainer report, all procedures, {stored:,} events: {whole:.2f} s (median of 3; CPU {cpu:.2f} s)")
        one, cpu = timed(lambda: report.build(db, Scope(procedure_id="konbini-juminhyo"), procedures))
        print(f"trainer report, one procedure: {one:.2f} s (median of 3; CPU {cpu:.2f} s)")
        if args.http_events:
            http_url = f"sqlite:///{tmp}/http.sqlite3"
            _db, http_keys = prepare(http_url)
            rate = http_ingest(http_url, http_keys, data.events[: args.http_events])
            print(f"ingest over HTTP (POST /api/v1/events, 4 clients, batches of 1000): {rate:,.0f} events/s")
        if not args.no_offers:
            offers(db, procedures, plan)
        db.dispose()
    if args.postgres:
        postgres_figures(args.postgres, data, procedures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
