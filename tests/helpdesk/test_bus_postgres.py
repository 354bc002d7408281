"""Several helpdesk processes on one PostgreSQL share one notification bus (LISTEN/NOTIFY): an escalation created
through process A reaches a console streaming from process B, and Last-Event-ID means the same in every process."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest

from .conftest import World, escalation_body, kiosk_headers, staff_token
from .test_server_process import servers

API = "/api/v1"
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


class Stream:
    """A staff SSE client of /queue/stream on one process, noting when each event arrives."""

    def __init__(self, base: str, headers: dict[str, str], last_event_id: int | None = None):
        self.events: list[tuple[int, str, float]] = []  # (id, data, arrival)
        headers = dict(headers)
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.open = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(base, headers), daemon=True)
        self._stop = False
        self._thread.start()
        assert self.open.wait(10)

    def _run(self, base: str, headers: dict[str, str]) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the stream ends when the servers stop
            self._read(base, headers)

    def _read(self, base: str, headers: dict[str, str]) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(5, read=None)) as client,
            client.stream("GET", f"{base}{API}/queue/stream", headers=headers) as response,
        ):
            self.open.set()
            event_id = None
            for line in response.iter_lines():
                if self._stop:
                    return
                if line.startswith("id: "):
                    event_id = int(line[4:])
                elif line.startswith("data: ") and event_id is not None:
                    self.events.append((event_id, line[6:], time.perf_counter()))

    def wait_for(self, text: str, timeout_s: float = 10) -> tuple[int, float]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event_id, data, arrived in list(self.events):
                if text in data:
                    return event_id, arrived
            time.sleep(0.005)
        raise AssertionError(f"no event with {text} within {timeout_s} s")

    def close(self) -> None:
        self._stop = True


def test_an_escalation_through_one_process_reaches_a_console_on_another(pg_world: World, tmp_path: Path) -> None:
    with servers(pg_world.url, tmp_path, count=2) as (first, second):
        token = staff_token(pg_world, "alice")
        on_second = Stream(second, token)
        client = httpx.Client(timeout=10)
        latencies, ids = [], []
        for n in range(20):
            started = time.perf_counter()
            created = client.post(
                f"{first}{API}/escalations",
                json=escalation_body(),
                headers=kiosk_headers(pg_world, "north-1", f"bus-{n}"),
            )
            assert created.status_code == 201, created.text
            event_id, arrived = on_second.wait_for(created.json()["id"])
            latencies.append(arrived - started)
            ids.append(event_id)
        on_second.close()
        assert ids == sorted(ids) and len(set(ids)) == 20  # one sequence numbers every process's events
        ordered = sorted(latencies)
        print(
            f"POST on A -> SSE event on B: p50 {statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.1f} ms"
        )

        # a console reconnecting to the *other* process with Last-Event-ID catches up on what it missed
        catch_up = Stream(first, token, last_event_id=ids[9])
        for event_id in ids[10:]:
            deadline = time.monotonic() + 10
            while event_id not in {e[0] for e in catch_up.events} and time.monotonic() < deadline:
                time.sleep(0.01)
        assert {e[0] for e in catch_up.events} >= set(ids[10:])
        assert not {e[0] for e in catch_up.events} & set(ids[:10])
        catch_up.close()
        client.close()
