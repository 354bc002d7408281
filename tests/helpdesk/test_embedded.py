"""The demo seed and the embedded server the kiosk demo uses."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo


def test_seeded_demo_serves_a_kiosk_and_a_staff_member(tmp_path: Path) -> None:
    seed = seed_demo(tmp_path / "demo.sqlite3")
    with pytest.raises(FileExistsError):
        seed_demo(tmp_path / "demo.sqlite3")
    app = demo_app(seed)
    with EmbeddedServer(app) as server:
        base = server.base_url
        assert base.startswith("http://127.0.0.1:")
        kiosk = {"Authorization": f"Bearer {seed.kiosk_key}", "Idempotency-Key": uuid.uuid4().hex}
        body = {
            "session_id": uuid.uuid4().hex,
            "procedure_id": "moving-in",
            "step_id": "start",
            "language": "ja-easy",
            "reason": "screen-unclear",
        }
        assert httpx.post(f"{base}/api/v1/escalations", json=body, headers=kiosk).status_code == 201
        with httpx.Client(base_url=base) as staff:
            login = staff.post("/api/v1/auth/login", json={"login": seed.staff_login, "password": seed.staff_password})
            assert login.status_code == 200
            assert len(staff.get("/api/v1/queue").json()["items"]) == 1
    app.state.services.db.dispose()
