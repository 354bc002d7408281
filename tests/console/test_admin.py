"""Admin JSON behind the admin pages: sites, kiosk keys shown once, staff accounts, canned replies."""

from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import select

from helpdesk.database import Database
from helpdesk.tables import audit_entries

pytestmark = pytest.mark.slow  # a real uvicorn server on 127.0.0.1

HEARTBEAT = {"kiosk_version": "0.2.0", "content_version": "c7", "voice_available": False, "outbox_length": 4}


def unique(prefix: str) -> str:
    """A fresh id for this test run."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def heartbeat(helpdesk, key: str) -> int:
    """Send a kiosk heartbeat with `key`; returns the status code."""
    return requests.post(
        f"{helpdesk.base_url}/api/v1/kiosks/heartbeat",
        json=HEARTBEAT,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).status_code


def test_only_admins_with_a_csrf_token_manage(helpdesk) -> None:
    """Staff get 403; an admin without the CSRF header cannot change anything; no session gets 401."""
    api = f"{helpdesk.base_url}/console/api/admin"
    assert helpdesk.session("alice").get(f"{api}/kiosks").status_code == 403
    assert requests.get(f"{api}/kiosks", timeout=10).status_code == 401
    admin = helpdesk.staff_session("adam")
    del admin.headers["X-CSRF-Token"]
    answer = admin.post(f"{api}/sites", json={"site_id": unique("x"), "name": "X"})
    assert answer.status_code == 403 and answer.json()["code"] == "csrf-failed"


def test_sites_are_added_and_edited(helpdesk) -> None:
    """A new site appears in the list; its name, phone and SLA threshold can be changed."""
    admin = helpdesk.session("adam")
    api = f"{helpdesk.base_url}/console/api/admin"
    site_id = unique("east")
    assert (
        admin.post(f"{api}/sites", json={"site_id": site_id, "name": "東公民館", "sla_minutes": 5}).status_code == 201
    )
    assert admin.post(f"{api}/sites", json={"site_id": site_id, "name": "again"}).status_code == 409
    edit = {"name": "東コミュニティセンター", "fallback_phone": "03-0000-1111", "sla_minutes": 7}
    assert admin.put(f"{api}/sites/{site_id}", json=edit).status_code == 200
    site = next(s for s in admin.get(f"{api}/sites").json()["sites"] if s["id"] == site_id)
    assert (site["name"], site["fallback_phone"], site["sla_minutes"]) == (edit["name"], "03-0000-1111", 7)
    assert admin.put(f"{api}/sites/nowhere", json=edit).status_code == 404
    assert admin.post(f"{api}/sites", json={"site_id": "Bad Id", "name": "x"}).status_code == 422


def test_kiosk_keys_work_once_shown_and_stop_on_revoke_or_rotate(helpdesk) -> None:
    """Register → key works and status is listed; rotate → old key refused, new works; revoke → refused."""
    admin = helpdesk.session("adam")
    api = f"{helpdesk.base_url}/console/api/admin"
    kiosk_id = unique("kiosk")
    created = admin.post(f"{api}/kiosks", json={"kiosk_id": kiosk_id, "site_id": "north"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert heartbeat(helpdesk, key) == 200
    listed = next(k for k in admin.get(f"{api}/kiosks").json()["kiosks"] if k["id"] == kiosk_id)
    assert listed["online"] is True and listed["kiosk_version"] == "0.2.0"
    assert listed["outbox_length"] == 4 and listed["voice_available"] is False
    assert key not in admin.get(f"{api}/kiosks").text, "the key is shown only once"

    new_key = admin.post(f"{api}/kiosks/{kiosk_id}/rotate").json()["key"]
    assert new_key != key
    assert heartbeat(helpdesk, key) == 401
    assert heartbeat(helpdesk, new_key) == 200
    assert admin.post(f"{api}/kiosks/{kiosk_id}/revoke").status_code == 200
    assert heartbeat(helpdesk, new_key) == 401
    listed = next(k for k in admin.get(f"{api}/kiosks").json()["kiosks"] if k["id"] == kiosk_id)
    assert listed["revoked"] is True and listed["online"] is False
    assert audited(helpdesk, kiosk_id) == ["admin-add-kiosk", "admin-rotate-kiosk", "admin-revoke-kiosk"]


def audited(helpdesk, target: str) -> list[str]:
    """Admin actions recorded in the audit log for one target id."""
    db = Database(helpdesk.database_url)
    try:
        with db.read() as conn:
            rows = conn.execute(
                select(audit_entries.c.action).where(audit_entries.c.detail == target).order_by(audit_entries.c.id)
            )
            return list(rows.scalars())
    finally:
        db.dispose()


def test_staff_accounts_get_a_one_time_password_roles_sites_and_can_be_disabled(helpdesk) -> None:
    """The generated password logs in; a new name keeps the session, new sites end it (the next login has them);
    disabling ends the session."""
    admin = helpdesk.session("adam")
    api = f"{helpdesk.base_url}/console/api/admin"
    login = unique("dana")
    created = admin.post(
        f"{api}/staff", json={"login": login, "display_name": "段", "role": "staff", "site_ids": ["south"]}
    )
    assert created.status_code == 201
    member = requests.Session()
    answer = member.post(
        f"{helpdesk.base_url}/api/v1/auth/login", json={"login": login, "password": created.json()["password"]}
    )
    assert answer.status_code == 200 and answer.json()["staff"]["site_ids"] == ["south"]
    renamed = {"display_name": "段さん", "role": "staff", "site_ids": ["south"]}
    assert admin.put(f"{api}/staff/{login}", json=renamed).status_code == 200
    assert member.get(f"{helpdesk.base_url}/api/v1/auth/me").json()["display_name"] == "段さん"
    edit = {"display_name": "段", "role": "staff", "site_ids": ["north", "south"]}
    assert admin.put(f"{api}/staff/{login}", json=edit).status_code == 200
    assert member.get(f"{helpdesk.base_url}/api/v1/auth/me").status_code == 401, "new sites end the sessions"
    answer = member.post(
        f"{helpdesk.base_url}/api/v1/auth/login", json={"login": login, "password": created.json()["password"]}
    )
    assert answer.json()["staff"]["site_ids"] == ["north", "south"]
    assert admin.put(f"{api}/staff/{login}", json={**edit, "site_ids": ["nowhere"]}).status_code == 404
    old_password = created.json()["password"]
    new_password = admin.post(f"{api}/staff/{login}/reset-password").json()["password"]
    assert member.get(f"{helpdesk.base_url}/api/v1/auth/me").status_code == 401, "a reset ends the sessions"
    login_url = f"{helpdesk.base_url}/api/v1/auth/login"
    assert requests.post(login_url, json={"login": login, "password": old_password}, timeout=10).status_code == 401
    member = requests.Session()
    assert member.post(login_url, json={"login": login, "password": new_password}).status_code == 200
    assert admin.post(f"{api}/staff/{login}/disable").status_code == 200
    assert member.get(f"{helpdesk.base_url}/api/v1/auth/me").status_code == 401
    listed = next(m for m in admin.get(f"{api}/staff").json()["staff"] if m["login"] == login)
    assert listed["disabled"] is True
    assert audited(helpdesk, login) == [
        "admin-add-staff",
        "admin-edit-staff",
        "admin-edit-staff",
        "admin-reset-password",
        "admin-disable-staff",
    ]
    assert admin.post(f"{api}/staff/adam/disable").status_code == 403, "an admin cannot lock themself out"


def test_canned_replies_reach_the_escalation_view_and_can_be_removed(helpdesk) -> None:
    """An added reply is offered on its site's escalations (resident's language first), not on other sites'."""
    admin = helpdesk.session("adam")
    api = f"{helpdesk.base_url}/console/api/admin"
    text = f"South only {uuid.uuid4().hex[:6]}"
    added = admin.post(f"{api}/canned", json={"language": "en", "text": text, "site_id": "south"})
    assert added.status_code == 201
    everywhere = admin.post(f"{api}/canned", json={"language": "ja", "text": "確認します", "site_id": None})
    south = helpdesk.escalate("south-1", language="en")
    north = helpdesk.escalate("north-1", language="en")
    south_canned = helpdesk.session("carol").get(f"{helpdesk.base_url}/console/api/escalations/{south['id']}")
    north_canned = helpdesk.session("alice").get(f"{helpdesk.base_url}/console/api/escalations/{north['id']}")
    assert south_canned.json()["canned"][0]["text"] == text
    assert "確認します" in [c["text"] for c in south_canned.json()["canned"]]
    assert text not in [c["text"] for c in north_canned.json()["canned"]]
    assert admin.post(f"{api}/canned/{added.json()['id']}/remove").status_code == 200
    assert admin.post(f"{api}/canned/{everywhere.json()['id']}/remove").status_code == 200
    assert text not in admin.get(f"{api}/canned").text
