"""Staff logins: the password policy, changing your own password (required after an administrator's reset), the
idle timeout beside the age limit, logout's cookie deletion, and the browser isolation headers."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update

from helpdesk.console import store as console_store
from helpdesk.database import Database
from helpdesk.password_policy import common_passwords, weakness
from helpdesk.tables import staff_sessions

from .conftest import PASSWORD, World

API = "/api/v1"
NEW_PASSWORD = "lantern orchard velvet 42"


def login(client: TestClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/auth/login", json={"login": name, "password": password})


def csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("yorisoi_csrf") or ""}


def test_the_policy_follows_asvs() -> None:
    assert len(common_passwords()) > 19_000
    for weak in ("password1234", "qwertyuiop12", "iloveyou2026!", "dragondragon", "short pass", "aaaaaaaaaaaaaaaa"):
        assert weakness(weak), weak
    for fine in (PASSWORD, NEW_PASSWORD, "x" * 60 + "abcd", "ひらがなのながいぱすわーど", "a" * 120 + "bcdefgh"):
        assert weakness(fine) is None, fine
    assert weakness("a" * 125 + "bcdef")  # beyond 128


def test_members_change_their_own_password(client: TestClient, sqlite_world: World) -> None:
    other = TestClient(client.app, client=("10.0.0.20", 1))
    assert login(other, "alice").status_code == 200
    assert login(client, "alice").status_code == 200
    change = f"{API}/auth/password"
    wrong = client.post(change, json={"current_password": "nope", "new_password": NEW_PASSWORD}, headers=csrf(client))
    assert wrong.status_code == 403 and "current password" in wrong.json()["message"]
    weak = client.post(
        change, json={"current_password": PASSWORD, "new_password": "password1234"}, headers=csrf(client)
    )
    assert weak.status_code == 400 and "common" in weak.json()["message"]
    no_csrf = client.post(change, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert no_csrf.status_code == 403
    done = client.post(change, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=csrf(client))
    assert done.status_code == 204, done.text
    assert client.get(f"{API}/auth/me").status_code == 200  # this session carries on
    assert other.get(f"{API}/auth/me").status_code == 401  # the others end
    fresh = TestClient(client.app, client=("10.0.0.21", 1))
    assert login(fresh, "alice").status_code == 401
    assert login(fresh, "alice", NEW_PASSWORD).status_code == 200


def test_an_administrators_reset_forces_a_change(client: TestClient, sqlite_world: World) -> None:
    db = Database(sqlite_world.url)
    given, _ = console_store.reset_password(db, login="bob")
    db.dispose()
    assert login(client, "bob", given).status_code == 200
    refused = client.get(f"{API}/queue")
    assert refused.status_code == 403 and refused.json()["code"] == "password-change-required"
    page = client.get("/console/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/password"
    assert client.get("/console/queue", follow_redirects=False).headers["location"] == "/console/password"
    assert "管理者がパスワードをリセットしました" in client.get("/console/password").text
    body = {"current_password": given, "new_password": NEW_PASSWORD}
    assert client.post(f"{API}/auth/password", json=body, headers=csrf(client)).status_code == 204
    assert client.get(f"{API}/queue").status_code == 200
    assert client.get("/console/", follow_redirects=False).headers["location"] == "/console/queue"


def test_idle_sessions_end_before_the_age_limit(client: TestClient, sqlite_world: World) -> None:
    assert login(client, "alice").status_code == 200
    assert client.get(f"{API}/auth/me").status_code == 200
    idle = client.app.state.services.settings.session_idle_s
    assert idle == 30 * 60  # the default
    db = Database(sqlite_world.url)
    with db.write() as conn:  # as if nobody had used it for a little less than that
        conn.execute(
            update(staff_sessions).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=idle - 30))
        )
    assert client.get(f"{API}/auth/me").status_code == 200  # used now: the idle clock starts again
    with db.write() as conn:
        conn.execute(
            update(staff_sessions).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=idle + 1))
        )
    db.dispose()
    assert client.get(f"{API}/auth/me").status_code == 401


def test_logout_deletes_cookies_with_their_flags_and_pages_are_isolated(
    client: TestClient, sqlite_world: World
) -> None:
    assert login(client, "alice").status_code == 200
    out = client.post(f"{API}/auth/logout", headers=csrf(client))
    assert out.status_code == 204
    cookies = out.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("yorisoi_session="))
    assert "HttpOnly" in session and "SameSite=strict" in session and "Max-Age=0" in session
    assert any(c.startswith("yorisoi_csrf=") and "SameSite=strict" in c for c in cookies)
    page = client.get("/console/login")
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = page.headers["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=(self)" in policy  # only the console itself, for calls
