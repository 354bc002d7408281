"""The escalation context the console reads: resident's screen, path, holder, canned replies, site isolation."""

from __future__ import annotations

import pytest

from content.loader import load_catalog

pytestmark = pytest.mark.slow  # a real uvicorn server on 127.0.0.1


def test_context_renders_the_residents_step_in_the_residents_language(helpdesk) -> None:
    """Title, instruction, question and answers in やさしい日本語; path with titles; offer reasons marked."""
    escalation = helpdesk.escalate(
        "north-1",
        step_id="know-pin",
        language="ja-easy",
        reason="offer:time-on-step",
        path=[{"step_id": "has-card", "seconds": 40}],
    )
    admin_api = f"{helpdesk.base_url}/console/api/admin/canned"
    canned = {"language": "ja-easy", "text": "すこし まって ください", "site_id": "north"}
    canned_id = helpdesk.session("adam").post(admin_api, json=canned).json()["id"]
    context = helpdesk.session("alice").get(f"{helpdesk.base_url}/console/api/escalations/{escalation['id']}")
    assert context.status_code == 200
    body = context.json()
    step = load_catalog().get("konbini-juminhyo").step("know-pin")
    assert body["screen"]["title"] == step.title.get("ja-easy")
    assert body["screen"]["question"] == step.question.text.get("ja-easy")
    assert body["screen"]["choices"] == [c.label.get("ja-easy") for c in step.question.choices]
    assert body["screen"]["caution"] == step.caution.get("ja-easy")
    assert body["offered"] is True and body["offer_signal"] == "time-on-step"
    assert body["path"] == [{"step_id": "has-card", "seconds": 40.0, "title": "カードの確認"}]
    assert body["holder"] is None and body["status"] == "waiting"
    languages = [c["language"] for c in body["canned"]]
    assert languages[0] == "ja-easy" and languages == sorted(languages, key=lambda lang: lang != "ja-easy")
    helpdesk.session("adam").post(f"{admin_api}/{canned_id}/remove")
    assert {c["login"] for c in body["colleagues"]} == {"bob", "dora"}, "staff of the site, not me"
    assert len(body["steps"]) == len(load_catalog().get("konbini-juminhyo").steps)


def test_context_names_the_holder_and_tells_them_it_is_them(helpdesk) -> None:
    """After a claim, both staff see who holds it; only the claimer sees `me`."""
    escalation = helpdesk.escalate("north-1")
    alice, bob = helpdesk.session("alice"), helpdesk.session("bob")
    assert alice.post(f"{helpdesk.base_url}/api/v1/escalations/{escalation['id']}/claim").status_code == 200
    url = f"{helpdesk.base_url}/console/api/escalations/{escalation['id']}"
    assert alice.get(url).json()["holder"] == {"name": "青木", "login": "alice", "me": True}
    assert bob.get(url).json()["holder"] == {"name": "青木", "login": "alice", "me": False}


def test_other_sites_and_other_roles_get_nothing(helpdesk) -> None:
    """Staff of another site get 404 (ids do not leak); trainers and admins never read resident conversations."""
    escalation = helpdesk.escalate("north-1")
    url = f"{helpdesk.base_url}/console/api/escalations/{escalation['id']}"
    assert helpdesk.session("carol").get(url).status_code == 404
    assert helpdesk.session("tina").get(url).status_code == 403
    assert helpdesk.session("adam").get(url).status_code == 403
    import requests

    assert requests.get(url, timeout=10).status_code == 401


def test_titles_follow_the_console_language(helpdesk) -> None:
    """The queue shows procedure and step titles in the staff member's console language."""
    staff = helpdesk.staff_session("alice")
    japanese = staff.get(f"{helpdesk.base_url}/console/api/titles").json()["konbini-juminhyo"]
    staff.get(f"{helpdesk.base_url}/console/lang/en")
    english = staff.get(f"{helpdesk.base_url}/console/api/titles").json()["konbini-juminhyo"]
    procedure = load_catalog().get("konbini-juminhyo")
    assert japanese["title"] == procedure.title.get("ja")
    assert english["title"] == procedure.title.get("en")
    assert english["steps"]["pay"] == procedure.step("pay").title.get("en")


def test_help_asked_before_choosing_a_procedure_reads_as_such(helpdesk) -> None:
    """A help request from the catalog (wire ids `none`) shows staff where the resident is, not `none / none`."""
    escalation = helpdesk.escalate("north-1", procedure_id="none", step_id="none", reason="other")
    staff = helpdesk.staff_session("alice")
    body = staff.get(f"{helpdesk.base_url}/console/api/escalations/{escalation['id']}").json()
    assert (body["procedure_title"], body["step_title"], body["screen"]) == (
        "手続きを選ぶ前",
        "手続きの一覧の画面",
        None,
    )
    titles = staff.get(f"{helpdesk.base_url}/console/api/titles").json()
    assert titles["none"] == {"title": "手続きを選ぶ前", "steps": {"none": "手続きの一覧の画面"}}
