"""deploy/nginx/yorisoi.conf passes `nginx -t`, and a real nginx with it terminates TLS, forwards the
X-Forwarded-* headers and passes Server-Sent Events through as they are sent (not when the stream ends).

The config is tested as shipped, with only what must differ on a test machine rewritten in a temporary copy:
the certificate paths (a throwaway self-signed certificate), the upstream host (`helpdesk` is a compose service
name) and, for the live test, the listen ports (free ports on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import (
    CONF,
    NGINX,
    NO_NGINX,
    EventServer,
    https_connection,
    nginx_config,
    nginx_t,
    running_nginx,
)

pytestmark = pytest.mark.skipif(NGINX is None, reason=NO_NGINX)


def test_config_passes_nginx_t(tmp_path: Path, certificate: Path) -> None:
    done = nginx_t(nginx_config(tmp_path, certificate, "127.0.0.1:8080"))
    assert done.returncode == 0, done.stderr


def test_nginx_t_rejects_a_broken_config(tmp_path: Path, certificate: Path) -> None:
    broken = CONF.read_text().replace("proxy_buffering off;", "proxy_buffering of;", 1)
    done = nginx_t(nginx_config(tmp_path, certificate, "127.0.0.1:8080", text=broken))
    assert done.returncode != 0 and "proxy_buffering" in done.stderr


def _location(name: str) -> str:
    text = CONF.read_text()
    start = text.index(f"location {name}")
    return text[start : text.index("}", start)]


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)?", value).groups()  # type: ignore[union-attr]
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[unit]


def test_long_polls_and_streams_outlast_the_helpdesk_hold_time() -> None:
    from helpdesk.settings import HelpdeskSettings

    hold = HelpdeskSettings.model_fields["long_poll_max_s"].default
    messages = _location("~ ^/api/v1/escalations/[^/]+/messages$")
    assert _seconds(re.search(r"proxy_read_timeout (\S+);", messages)[1]) >= hold + 30  # type: ignore[index]
    stream = _location("= /api/v1/queue/stream")
    assert "proxy_buffering off;" in stream
    assert _seconds(re.search(r"proxy_read_timeout (\S+);", stream)[1]) >= 600  # type: ignore[index]


# --- a live nginx in front of a small event-stream server -------------------------------------------------


@pytest.fixture
def live_nginx(tmp_path: Path, certificate: Path) -> Iterator[tuple[int, int, Path]]:
    """nginx with yorisoi.conf as shipped; yields (https port, http port, CA file)."""
    with running_nginx(tmp_path, certificate) as running:
        yield running


def _first_event_after(conn: http.client.HTTPSConnection, path: str) -> tuple[float, dict]:
    started = time.monotonic()
    conn.request("GET", path, headers={"Accept": "text/event-stream", "Last-Event-ID": "7"})
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    while True:
        line = response.fp.readline()
        assert line, "the stream ended before any event"
        if line.startswith(b"data: "):
            return time.monotonic() - started, json.loads(line[6:])


@pytest.mark.slow
def test_events_pass_through_at_once_with_forwarded_headers(tmp_path: Path, certificate: Path) -> None:
    backend = EventServer(hold_s=60)  # holds the second event (and the end of the stream) until released
    with running_nginx(tmp_path, certificate, backend=backend) as (https, _, ca):
        conn = https_connection(https, ca)
        _, seen = _first_event_after(conn, "/api/v1/queue/stream")
        assert not backend.second_sent.is_set(), "the first event came only with the second: nginx buffered it"
        backend.release.set()
        conn.close()
    assert seen["path"] == "GET /api/v1/queue/stream HTTP/1.1"
    assert seen["X-Forwarded-Proto"] == "https"
    assert seen["X-Forwarded-For"] == "127.0.0.1"
    assert seen["Host"] == "localhost"
    assert seen["Last-Event-ID"] == "7"
    assert "Connection" not in seen  # HTTP/1.1 keep-alive to the helpdesk, not "close"


@pytest.mark.slow
def test_plain_http_only_redirects_to_https(live_nginx: tuple[int, int, Path]) -> None:
    _, plain, _ = live_nginx
    conn = http.client.HTTPConnection("127.0.0.1", plain, timeout=10)
    conn.request("GET", "/api/v1/queue?x=1", headers={"Host": "helpdesk.example"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://helpdesk.example/api/v1/queue?x=1"
    conn.close()


@pytest.mark.slow
def test_the_stream_check_catches_a_buffering_proxy(tmp_path: Path, certificate: Path) -> None:
    """The same check against a copy with proxy_buffering on sees the first event only with the second."""
    buffering = CONF.read_text().replace(
        "proxy_buffering off;\n        proxy_cache off;", "proxy_buffering on;\n        proxy_cache off;"
    )
    assert buffering != CONF.read_text()
    backend = EventServer()
    with running_nginx(tmp_path, certificate, text=buffering, backend=backend) as (https, _, ca):
        conn = https_connection(https, ca)
        _first_event_after(conn, "/api/v1/queue/stream")
        assert backend.second_sent.is_set()  # the first event came out only once the second was sent
        conn.close()


def _longest(pattern: str) -> int:
    """The longest string a `^[..][..]{m,n}$` identifier pattern allows."""
    exact = re.fullmatch(r"\^\[[^\]]+\]\{(\d+)\}\$", pattern)  # a fixed length, e.g. a content version's hash
    if exact:
        return int(exact[1])
    match = re.fullmatch(r"\^((?:\[[^\]]+\])*)\[[^\]]+\]\{\d+,(\d+)\}\$", pattern)
    assert match, pattern
    return len(re.findall(r"\[[^\]]+\]", match[1])) + int(match[2])


def test_the_largest_valid_event_batch_fits_through_nginx() -> None:
    """client_max_body_size must never refuse a request the helpdesk accepts: 1000 events, every field longest."""
    import datetime as dt
    import uuid

    from helpdesk.wire import SessionEvent, SessionEventBatch

    schema = SessionEvent.model_json_schema()["properties"]
    event: dict[str, object] = {"event_id": str(uuid.uuid4()), "seconds": 86_399.999999}
    event["at"] = dt.datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=9))).isoformat()
    for name, prop in schema.items():
        pattern = next((o["pattern"] for o in prop.get("anyOf", [prop]) if "pattern" in o), None)
        if pattern:
            event[name] = "a" * _longest(pattern)
    batch = {"events": [event] * SessionEventBatch.model_fields["events"].metadata[-1].max_length}
    SessionEventBatch.model_validate(batch)  # the helpdesk accepts it
    size = len(json.dumps(batch, ensure_ascii=False).encode())
    limit = re.search(r"client_max_body_size (\d+)m;", CONF.read_text())
    assert limit and size < int(limit[1]) * 1024 * 1024, f"{size} bytes"
