"""deploy/nginx/yorisoi.conf passes `nginx -t`, and a real nginx with it terminates TLS, forwards the
X-Forwarded-* headers and passes Server-Sent Events through as they are sent (not when the stream ends).

The config is tested as shipped, with only what must differ on a test machine rewritten in a temporary copy:
the certificate paths (a throwaway self-signed certificate), the upstream host (`helpdesk` is a compose service
name) and, for the live test, the listen ports (free ports on 127.0.0.1).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CONF = DEPLOY / "nginx" / "yorisoi.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
SECOND_EVENT_AFTER_S = 1.5

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx-light; scripts/setup.sh --test)"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for localhost, valid for a day."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    names = ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run(
        [*request, *names, "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return folder


def _config(tmp: Path, tls: Path, upstream: str, ports: tuple[int, int] | None = None, text: str | None = None) -> Path:
    """A main nginx.conf that includes a test copy of yorisoi.conf."""
    site = (text or CONF.read_text()).replace("/etc/nginx/tls/", f"{tls}/")
    site = site.replace("server helpdesk:8080", f"server {upstream}")
    site = site.replace("/var/log/nginx/", f"{tmp}/")
    if ports:
        https, plain = ports
        site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl").replace(
            "listen 80;", f"listen 127.0.0.1:{plain};"
        )
    (tmp / "yorisoi.conf").write_text(site)
    main = tmp / "nginx.conf"
    main.write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  access_log off;\n  include {tmp}/yorisoi.conf;\n}}\n"
    )
    return main


def _nginx_t(main: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NGINX), "-t", "-q", "-c", str(main), "-p", str(main.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_config_passes_nginx_t(tmp_path: Path, certificate: Path) -> None:
    done = _nginx_t(_config(tmp_path, certificate, "127.0.0.1:8080"))
    assert done.returncode == 0, done.stderr


def test_nginx_t_rejects_a_broken_config(tmp_path: Path, certificate: Path) -> None:
    broken = CONF.read_text().replace("proxy_buffering off;", "proxy_buffering of;", 1)
    done = _nginx_t(_config(tmp_path, certificate, "127.0.0.1:8080", text=broken))
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


class EventServer:
    """Answers every request with an event-stream: the request's headers at once, a second event later.

    It sends no X-Accel-Buffering header (the helpdesk does), so only nginx's own settings decide buffering.
    """

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client may hang up before the second event
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            lines = request.decode("latin-1").split("\r\n")
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            conn.sendall(f"id: 1\ndata: {json.dumps({'path': lines[0], **headers})}\n\n".encode())
            time.sleep(SECOND_EVENT_AFTER_S)
            conn.sendall(b"id: 2\ndata: second\n\n")

    def close(self) -> None:
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _running_nginx(tmp: Path, tls: Path, text: str | None = None) -> Iterator[tuple[int, int, Path]]:
    """nginx with (a copy of) yorisoi.conf on free loopback ports in front of an EventServer."""
    backend = EventServer()
    ports = (_free_port(), _free_port())
    main = _config(tmp, tls, f"127.0.0.1:{backend.port}", ports, text=text)
    proc = subprocess.Popen([str(NGINX), "-c", str(main), "-p", str(tmp), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports[0]), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
                time.sleep(0.05)
        yield ports[0], ports[1], tls / "fullchain.pem"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
        backend.close()


@pytest.fixture
def live_nginx(tmp_path: Path, certificate: Path) -> Iterator[tuple[int, int, Path]]:
    """nginx with yorisoi.conf as shipped; yields (https port, http port, CA file)."""
    with _running_nginx(tmp_path, certificate) as running:
        yield running


def _https(port: int, ca: Path) -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=str(ca))
    return http.client.HTTPSConnection("localhost", port, context=context, timeout=10)


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
def test_events_pass_through_at_once_with_forwarded_headers(live_nginx: tuple[int, int, Path]) -> None:
    https, _, ca = live_nginx
    conn = _https(https, ca)
    waited, seen = _first_event_after(conn, "/api/v1/queue/stream")
    conn.close()
    assert waited < SECOND_EVENT_AFTER_S - 0.5, f"the first event took {waited:.2f} s: nginx buffered the stream"
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
    with _running_nginx(tmp_path, certificate, buffering) as (https, _, ca):
        conn = _https(https, ca)
        waited, _ = _first_event_after(conn, "/api/v1/queue/stream")
        conn.close()
    assert waited >= SECOND_EVENT_AFTER_S - 0.2
