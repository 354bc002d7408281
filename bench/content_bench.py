"""Content loop figures: pack verification on a kiosk, and publish → every one of N simulated kiosks running the
new version (wall time, bytes per kiosk), against a real helpdesk on loopback (SQLite).

Each simulated kiosk is the real updater (HelpdeskClient + Updater + PackShelf in its own folder): it heartbeats,
downloads the pack its answer names, verifies SHA-256 + Ed25519, lints, stages, switches (it is at its start
screen) and reports the version in its next heartbeat. All kiosks share this machine's CPUs, so the lint each kiosk
runs on its own hardware is serialized here: the fleet time is an upper bound.

    .venv/bin/python bench/content_bench.py [--kiosks 200] [--heartbeat-s 5] [--verify-runs 50]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.loader import PACKAGED
from content.pack import Signer, generate_key, lint_pack, pack_folder, verify_pack


def verification(runs: int) -> None:
    """Time what a kiosk does with a downloaded pack: verify (hash, canonical form, signature), then lint."""
    pack = pack_folder(PACKAGED)
    pem, public = generate_key()
    signature = Signer(pem).sign(pack.version)
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        verify_pack(pack.data, pack.version, signature, public)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    lint = []
    for _ in range(max(3, runs // 10)):
        t0 = time.perf_counter()
        lint_pack(pack)
        lint.append(time.perf_counter() - t0)
    print(f"pack: {len(pack.files)} files, {len(pack.data):,} bytes, version {pack.short}")
    print(
        f"verify (SHA-256 + canonical re-encode + Ed25519), {runs} runs: p50 {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms, CPU p50 {statistics.median(cpu) * 1000:.1f} ms"
    )
    print(f"lint of the pack (content check): p50 {statistics.median(lint) * 1000:.0f} ms")


def fleet(kiosks: int, heartbeat_s: float) -> None:
    """Publish, then wait until every simulated kiosk reports the new version."""
    from helpdesk.content_store import versions as store
    from helpdesk.database import Database
    from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
    from helpdesk.store import accounts
    from helpdesk.wire import KioskHeartbeat
    from kiosk.link.client import HelpdeskCallFailed, HelpdeskClient
    from kiosk.updater.shelf import PackShelf
    from kiosk.updater.updater import Updater

    class CountingClient(HelpdeskClient):
        """Counts request and response body bytes (what the kiosk's link carries, headers aside)."""

        sent = received = 0

        def _call(self, method, path, *, body=None, **kw):  # type: ignore[no-untyped-def]
            raw = super()._call(method, path, body=body, **kw)
            self.sent += len(body.model_dump_json()) if body is not None else 0
            self.received += len(raw)
            return raw

    with tempfile.TemporaryDirectory(prefix="yorisoi-content-bench-") as tmp:
        root = Path(tmp)
        seed = seed_demo(root / "helpdesk.sqlite3")
        db = Database(seed.database_url)
        keys = [accounts.add_kiosk(db, kiosk_id=f"k-{i:03d}", site_id=seed.site_id) for i in range(kiosks)]
        pem, public = generate_key()
        signer = Signer(pem)
        with EmbeddedServer(demo_app(seed, kiosk_rate_per_s=100.0, kiosk_rate_burst=100)) as server:
            done: dict[int, float] = {}
            failures: dict[int, int] = {}
            clients = [CountingClient(server.base_url, key) for key in keys]
            stop = threading.Event()
            published: list[float] = []

            def run(i: int) -> None:
                client = clients[i]
                updater = Updater(PackShelf(root / f"kiosk-{i}", public), client.content_pack, background=lambda w: w())
                time.sleep(random.uniform(0, heartbeat_s))  # kiosks' heartbeats are spread over the interval
                while not stop.is_set():
                    report = updater.report()
                    beat = KioskHeartbeat(
                        kiosk_version="bench", content_version=report.running or "folder", voice_available=False,
                        outbox_length=0, content=report,
                    )  # fmt: skip
                    try:
                        answer = client.heartbeat(beat)
                    except HelpdeskCallFailed:  # like a real kiosk's outbox: try again at the next heartbeat
                        failures[i] = failures.get(i, 0) + 1
                        time.sleep(heartbeat_s)
                        continue
                    if published and report.running == published[1] and i not in done:
                        done[i] = time.perf_counter() - published[0]
                        return
                    if answer.content:
                        updater.offer(answer.content)
                        if updater.last_error:
                            failures[i] = failures.get(i, 0) + 1
                        if updater.take_staged():
                            continue  # switched at the start screen: report it in a heartbeat now
                    time.sleep(heartbeat_s)

            threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(kiosks)]
            for t in threads:
                t.start()
            time.sleep(heartbeat_s * 1.5)
            failures.clear()  # every kiosk has said hello; nothing is published yet
            for c in clients:
                c.sent = c.received = 0
            folder = root / "content"
            import shutil

            shutil.copytree(PACKAGED / "procedures", folder / "procedures")
            shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
            t0, c0 = time.perf_counter(), time.process_time()
            version, _ = store.publish_folder(db, folder, signer=signer, by="bench", note="bench")
            publish_s = time.perf_counter() - t0
            published += [t0, version]
            for t in threads:
                t.join(600)
            stop.set()
            wall = time.perf_counter() - t0
            cpu = time.process_time() - c0
        db.dispose()
    received = [c.received for c in clients]
    sent = [c.sent for c in clients]
    times = sorted(done.values())
    print(f"publish (lint + pack + sign + store): {publish_s * 1000:.0f} ms")
    print(
        f"{len(done)}/{kiosks} kiosks on the new version in {wall:.1f} s (heartbeat every {heartbeat_s:g} s; "
        f"p50 {times[len(times) // 2]:.1f} s, last {times[-1]:.1f} s); CPU of the whole machine run {cpu:.1f} s"
    )
    print(
        f"bytes per kiosk from publish to reported: received mean {statistics.mean(received):,.0f} "
        f"(pack + heartbeat answers), sent mean {statistics.mean(sent):,.0f}"
    )
    print(f"calls that failed and were retried at the next heartbeat: {sum(failures.values())}")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--heartbeat-s", type=float, default=5.0)
    parser.add_argument("--verify-runs", type=int, default=50)
    args = parser.parse_args()
    verification(args.verify_runs)
    fleet(args.kiosks, args.heartbeat_s)


if __name__ == "__main__":
    main()
