"""Shared by the deploy tests: a throwaway TLS certificate and a real nginx running deploy/nginx/yorisoi.conf."""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CONF = DEPLOY / "nginx" / "yorisoi.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
NO_NGINX = "nginx is not installed (Debian: apt-get install nginx-light; scripts/setup.sh --test)"
SECOND_EVENT_AFTER_S = 1.5


def nginx_config(
    tmp: Path, tls: Path, upstream: str, ports: tuple[int, int] | None = None, text: str | None = None
) -> Path:
    """A main nginx.conf that includes a test copy of yorisoi.conf (certificates, upstream, ports rewritten)."""
    site = (text or CONF.read_text()).replace("/etc/nginx/tls/", f"{tls}/")
    site = site.replace("server helpdesk:8080", f"server {upstream}")
    site = site.replace("/var/log/nginx/", f"{tmp}/")
    if ports:
        https, plain = ports
        site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    (tmp / "yorisoi.conf").write_text(site)
    main = tmp / "nginx.conf"
    main.write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  access_log off;\n  include {tmp}/yorisoi.conf;\n}}\n"
    )
    return main


@pytest.fixture(scope="session")
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


def nginx_t(main: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a main config file."""
    return subprocess.run(
        [str(NGINX), "-t", "-q", "-c", str(main), "-p", str(main.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class EventServer:
    """Answers every request with an event-stream: the request's headers at once, a second event once `release` is
    set (or after `hold_s`), then the end; `second_sent` tells whether the second is out yet.

    It sends no X-Accel-Buffering header (the helpdesk does), so only nginx's own settings decide buffering.
    """

    def __init__(self, hold_s: float = SECOND_EVENT_AFTER_S) -> None:
        self.hold_s = hold_s
        self.release, self.second_sent = threading.Event(), threading.Event()
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
            self.release.wait(self.hold_s)
            self.second_sent.set()  # before it goes out, so a client that sees the first event after it knows
            conn.sendall(b"id: 2\ndata: second\n\n")

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_nginx(
    tmp: Path, tls: Path, upstream: str | None = None, text: str | None = None, backend: EventServer | None = None
) -> Iterator[tuple[int, int, Path]]:
    """nginx with (a copy of) yorisoi.conf on free loopback ports in front of `upstream` (else `backend`, else a new
    EventServer)."""
    backend = (backend or EventServer()) if upstream is None else None
    ports = (free_port(), free_port())
    main = nginx_config(tmp, tls, upstream or f"127.0.0.1:{backend.port}", ports, text=text)  # type: ignore[union-attr]
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
        if backend:
            backend.close()


def https_connection(port: int, ca: Path) -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=str(ca))
    return http.client.HTTPSConnection("localhost", port, context=context, timeout=10)


SANDBOX = Path(__file__).with_name("sandbox.py")


def sandboxed(unit: str, command: list[str]) -> list[str]:
    """`command` started under the NoNewPrivileges/MemoryDenyWriteExecute/SystemCallFilter of deploy's `unit`."""
    return [sys.executable, str(SANDBOX), str(DEPLOY / "systemd" / unit), "--", *command]


@functools.cache
def sandbox_problem() -> str | None:
    """Why the sandbox cannot run here (no libseccomp, kernel without PR_SET_MDWE, ...), or None."""
    if shutil.which("systemd-analyze") is None:
        return "systemd-analyze is not installed (it lists the syscall groups)"
    done = subprocess.run(
        sandboxed("yorisoi-helpdesk.service", ["/bin/true"]), capture_output=True, text=True, timeout=60, check=False
    )
    return None if done.returncode == 0 else f"cannot apply the unit's limits here: {done.stderr.strip()[-300:]}"
