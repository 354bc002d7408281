"""Browser editing through its JSON: drafts, a too-long step caught by the same linter and fixed, publishing by an
editor (not by a trainer), per-step per-language diff, checked and re-encoded PNG uploads, all audited."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from content.loader import PACKAGED
from content.pack import generate_key, write_private_key
from helpdesk.content_store import versions as store
from helpdesk.database import Database
from helpdesk.store import accounts
from helpdesk.tables import audit_entries
from tests.helpdesk.conftest import PASSWORD, World

PID, SID = "konbini-juminhyo", "has-card"


@pytest.fixture
def editor_app(sqlite_world: World, tmp_path: Path):
    from starlette.testclient import TestClient

    from content.pack import Signer
    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings

    key = tmp_path / "content.key"
    pem, _public = generate_key()
    write_private_key(key, pem)
    db = Database(sqlite_world.url)
    accounts.add_staff(db, login="eddie", role="editor", password=PASSWORD, site_ids=["north"], display_name="Ed")
    folder = tmp_path / "v1"
    shutil.copytree(PACKAGED / "procedures", folder / "procedures")
    shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
    v1, _ = store.publish_folder(db, folder, signer=Signer(pem), by="adam", note="v1")
    settings = HelpdeskSettings(database_url=sqlite_world.url, cookie_secure=False, content_signing_key_file=key)
    with TestClient(create_app(settings)) as client:
        yield client, db, v1
    db.dispose()


def login(client, who: str) -> dict:  # type: ignore[no-untyped-def]
    client.cookies.clear()
    answer = client.post("/api/v1/auth/login", json={"login": who, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf_token"]}


def test_editor_fixes_a_too_long_step_and_publishes_it(editor_app) -> None:  # type: ignore[no-untyped-def]
    client, db, v1 = editor_app
    base = "/console/api/content/drafts"
    eddie = login(client, "eddie")
    draft = client.post(base, json={"base_version": v1[:10]}, headers=eddie).json()["id"]
    outline = client.get(f"{base}/{draft}", headers=eddie).json()
    assert any(p["id"] == PID for p in outline["procedures"]) and "card.png" in outline["pictures"]
    step_url = f"{base}/{draft}/steps/{PID}/{SID}"
    shown = client.get(step_url, headers=eddie).json()
    assert shown["problems"] == [] and shown["meter"]["ja"]["fits"] and shown["preview"]["ja"]["title"]
    assert {"from": SID, "to": "can-use", "known": True} in shown["graph"]["edges"]

    too_long = {**shown["texts"]["instruction"], "ja": "カードを用意してください。" * 40}
    answer = client.put(step_url, json={"texts": {"instruction": too_long}}, headers=eddie).json()
    assert any("too-long" in p for p in answer["problems"]) and not answer["meter"]["ja"]["fits"]
    refused = client.post(f"{base}/{draft}/publish", json={"note": "longer", "site_id": "north"}, headers=eddie)
    assert refused.status_code == 400 and refused.json()["code"] == "content-check-failed"

    fixed = {**shown["texts"]["instruction"], "ja": "マイナンバーカードを手元に用意してください。"}
    answer = client.put(step_url, json={"texts": {"instruction": fixed}}, headers=eddie).json()
    assert answer["problems"] == [] and answer["meter"]["ja"]["fits"]
    assert answer["preview"]["ja"]["instruction"] == fixed["ja"]  # the console's renderer shows the new text
    diff = client.get(f"{base}/{draft}/diff", headers=eddie).json()["changes"]
    assert diff == [
        {"procedure": PID, "step": SID, "field": "instruction", "language": "ja",
         "before": shown["texts"]["instruction"]["ja"], "after": fixed["ja"]}
    ]  # fmt: skip

    assert (
        client.post(f"{base}/{draft}/publish", json={"note": "all", "site_id": None}, headers=eddie).status_code == 403
    )
    assert (
        client.post(f"{base}/{draft}/publish", json={"note": "x", "site_id": "south"}, headers=eddie).status_code == 403
    )
    published = client.post(
        f"{base}/{draft}/publish", json={"note": "shorter wording", "site_id": "north"}, headers=eddie
    )
    assert published.status_code == 200, published.text
    version = published.json()["version"]
    with db.read() as conn:
        assert store.desired(conn, "north").version == version and store.desired(conn, "south").version == v1
        actions = [r.action for r in conn.execute(select(audit_entries.c.action))]
    assert actions.count("draft-edit") == 2 and "draft-create" in actions and "content-publish" in actions


def test_a_trainer_edits_but_cannot_publish_and_staff_cannot_edit(editor_app) -> None:  # type: ignore[no-untyped-def]
    client, _db, v1 = editor_app
    base = "/console/api/content/drafts"
    tina = login(client, "tina")
    draft = client.post(base, json={"base_version": v1}, headers=tina).json()["id"]
    step_url = f"{base}/{draft}/steps/{PID}/{SID}"
    title = client.get(step_url, headers=tina).json()["texts"]["title"]
    assert (
        client.put(step_url, json={"texts": {"title": {**title, "en": "Your card"}}}, headers=tina).status_code == 200
    )
    assert (
        client.post(f"{base}/{draft}/publish", json={"note": "x", "site_id": "north"}, headers=tina).status_code == 403
    )
    alice = login(client, "alice")
    assert client.get(step_url, headers=alice).status_code == 403
    assert client.post(base, json={}, headers=alice).status_code == 403


def test_uploaded_pictures_are_checked_and_re_encoded(editor_app) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, PngImagePlugin

    client, _db, v1 = editor_app
    base = "/console/api/content/drafts"
    eddie = login(client, "eddie")
    draft = client.post(base, json={"base_version": v1}, headers=eddie).json()["id"]
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "山田太郎")  # metadata a phone or editor leaves behind
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(png, format="PNG", pnginfo=info)
    assert b"Author" in png.getvalue()
    url = f"{base}/{draft}/pictures"
    stored = client.post(url, params={"name": "red-card.png"}, content=png.getvalue(), headers=eddie)
    assert stored.status_code == 200, stored.text
    from helpdesk.content_store import drafts

    kept = drafts.get(_db, draft).pack.files["pictures/red-card.png"]
    assert b"Author" not in kept and Image.open(io.BytesIO(kept)).size == (64, 48)
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    assert client.post(url, params={"name": "x.png"}, content=jpeg.getvalue(), headers=eddie).status_code == 400
    huge = io.BytesIO()
    Image.new("1", (3000, 10)).save(huge, format="PNG")
    assert client.post(url, params={"name": "wide.png"}, content=huge.getvalue(), headers=eddie).status_code == 400
    assert client.post(url, params={"name": "../x.png"}, content=png.getvalue(), headers=eddie).status_code == 400
