"""Run a real helpdesk in-process for the demo and tests: uvicorn in a background thread on 127.0.0.1,
plus a seeded demo database (site, kiosk with its key, staff account with a generated password).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class EmbeddedServer:
    """A uvicorn server for `app` on a free loopback port, in a daemon thread. Use as a context manager."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` once started."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> str:
        """Start serving and return the base URL once the server accepts connections."""
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="helpdesk-embedded", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the embedded helpdesk did not start")
            time.sleep(0.02)
        return self.base_url

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class DemoSeed:
    """What a demo needs to connect: the database, the kiosk's key, and a staff login."""

    database_url: str
    site_id: str
    kiosk_id: str
    kiosk_key: str
    staff_login: str
    staff_password: str


def seed_demo(
    path: str | Path,
    *,
    site_id: str = "demo-center",
    kiosk_id: str = "demo-kiosk",
    staff_login: str = "demo-staff",
    fallback_phone: str | None = "0120-000-000",
) -> DemoSeed:
    """Create a fresh SQLite database at `path` with one site, one kiosk and one staff account."""
    from helpdesk import security
    from helpdesk.database import Database
    from helpdesk.store import accounts

    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; seed_demo wants a fresh database")
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        db.migrate()
        accounts.add_site(db, site_id=site_id, name="デモ公民館", fallback_phone=fallback_phone, sla_minutes=5)
        key = accounts.add_kiosk(db, kiosk_id=kiosk_id, site_id=site_id)
        password = security.generate_password()
        accounts.add_staff(
            db, login=staff_login, role="staff", password=password, site_ids=[site_id], display_name="デモ係員"
        )
    finally:
        db.dispose()
    return DemoSeed(url, site_id, kiosk_id, key, staff_login, password)


def demo_app(seed: DemoSeed, **settings: Any) -> Any:
    """A helpdesk app on a seeded demo database (cookies without Secure, for plain-HTTP loopback)."""
    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings

    config = HelpdeskSettings(database_url=seed.database_url, cookie_secure=False, **settings)
    return create_app(config)
