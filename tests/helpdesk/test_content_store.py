"""The helpdesk's content room: publish (lint, pack, sign, keep), versions, per-site rollout, rollback, export,
and the heartbeat answer and pack download a kiosk sees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from content.loader import PACKAGED
from content.pack import Signer, generate_key, pack_folder, verify_pack
from helpdesk.content_store import versions as store
from helpdesk.database import Database
from helpdesk.tables import audit_entries, content_versions
from tests.helpdesk.conftest import World


@pytest.fixture(scope="module")
def signing() -> tuple[Signer, str, bytes]:
    pem, public = generate_key()
    return Signer(pem), public, pem


@pytest.fixture
def db(sqlite_world: World):
    database = Database(sqlite_world.url)
    yield database
    database.dispose()


def content_copy(tmp_path: Path, name: str = "content") -> Path:
    folder = tmp_path / name
    shutil.copytree(PACKAGED / "procedures", folder / "procedures")
    shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
    return folder


def edit(folder: Path, old: str, new: str, file: str = "touch-practice.yaml") -> None:
    path = folder / "procedures" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_publish_keeps_an_immutable_signed_version(db: Database, signing, tmp_path: Path) -> None:
    signer, public, _ = signing
    folder = content_copy(tmp_path)
    version, new = store.publish_folder(db, folder, signer=signer, by="adam", note="first")
    assert new and version == pack_folder(folder).version
    again, new_again = store.publish_folder(db, folder, signer=signer, by="adam", note="same folder")
    assert again == version and not new_again  # content-addressed: stored once
    with db.read() as conn:
        row = conn.execute(select(content_versions).where(content_versions.c.version == version)).one()
        actions = [r.action for r in conn.execute(select(audit_entries.c.action))]
    assert verify_pack(bytes(row.pack), version, row.signature, public).version == version
    assert row.published_by == "adam" and row.note == "first" and row.lint["errors"] == 0
    assert actions.count("content-publish") == 1 and actions.count("content-rollout") == 2
    listed = store.versions(db)
    assert [v["version"] for v in listed] == [version] and listed[0]["sites"] == ["north", "south"]


def test_content_that_fails_check_is_never_published(db: Database, signing, tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    edit(folder, "next:", "next: nowhere-at-all\n    # was:")
    with pytest.raises(store.ContentRefused) as refused:
        store.publish_folder(db, folder, signer=signing[0], by="adam", note="broken")
    assert refused.value.code == "content-check-failed" and any("unknown-step" in p for p in refused.value.problems)
    assert store.versions(db) == []


def test_roll_out_to_one_site_then_all_then_roll_back(db: Database, signing, tmp_path: Path) -> None:
    signer = signing[0]
    old, _ = store.publish_folder(db, content_copy(tmp_path, "a"), signer=signer, by="adam", note="v1")
    changed = content_copy(tmp_path, "b")
    edit(changed, "minutes:", "# a trainer's note\nminutes:")
    new, _ = store.publish_folder(db, changed, signer=signer, by="adam", note="v2", site_id="north")
    with db.read() as conn:
        assert store.desired(conn, "north").version == new
        assert store.desired(conn, "south").version == old  # the other centre keeps the old version
    store.rollout(db, new[:8], by="adam")
    with db.read() as conn:
        assert {store.desired(conn, s).version for s in ("north", "south")} == {new}
    store.rollout(db, old, by="adam", note="rollback", site_id="south")
    with db.read() as conn:
        assert store.desired(conn, "south").version == old and store.desired(conn, "north").version == new


def test_export_gives_back_the_folder_byte_for_byte(db: Database, signing, tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    edit(folder, "minutes:", "# comments, key order and spacing survive\nminutes:  ")
    version, _ = store.publish_folder(db, folder, signer=signing[0], by="adam", note="x")
    out = store.export(db, version[:10], tmp_path / "exported")
    for sub in ("procedures", "pictures"):
        assert {p.name: p.read_bytes() for p in (out / sub).iterdir()} == {
            p.name: p.read_bytes() for p in (folder / sub).iterdir()
        }
    again, new = store.publish_folder(db, out, signer=signing[0], by="adam", note="import of the export")
    assert again == version and not new


def test_stored_versions_cannot_be_changed_silently(db: Database, signing, tmp_path: Path) -> None:
    version, _ = store.publish_folder(db, content_copy(tmp_path), signer=signing[0], by="adam", note="x")
    with db.write() as conn:  # someone edits the database behind the helpdesk's back
        conn.execute(update(content_versions).values(pack=b'{"format":"yorisoi-content-pack"}'))
    from content.pack import PackError

    with pytest.raises(PackError) as error:
        store.load(db, version)
    assert error.value.code == "pack-hash-mismatch"


def test_heartbeat_answer_names_the_site_version_and_the_pack_downloads(sqlite_world: World, signing, tmp_path):
    from starlette.testclient import TestClient

    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings

    db = Database(sqlite_world.url)
    version, _ = store.publish_folder(
        db, content_copy(tmp_path), signer=signing[0], by="adam", note="x", site_id="south"
    )
    db.dispose()
    beat = {"kiosk_version": "0.1.0", "content_version": "x", "voice_available": True, "outbox_length": 0}
    app = create_app(HelpdeskSettings(database_url=sqlite_world.url, cookie_secure=False), web=False)
    with TestClient(app) as client:
        north = {"Authorization": f"Bearer {sqlite_world.keys['north-1']}"}
        south = {"Authorization": f"Bearer {sqlite_world.keys['south-1']}"}
        assert client.post("/api/v1/kiosks/heartbeat", json=beat, headers=north).json()["content"] is None
        target = client.post("/api/v1/kiosks/heartbeat", json=beat, headers=south).json()["content"]
        assert target["version"] == version
        pack = client.get(f"/api/v1/content/packs/{version}", headers=south)
        assert pack.status_code == 200 and len(pack.content) == target["size"]
        assert verify_pack(pack.content, version, target["signature"], signing[1]).version == version
        assert client.get(f"/api/v1/content/packs/{version}").status_code == 401
        assert client.get("/api/v1/content/packs/" + "0" * 64, headers=south).status_code == 404
        report = {"running": version, "refused": [{"version": "1" * 64, "code": "pack-signature-invalid"}]}
        ok = client.post("/api/v1/kiosks/heartbeat", json={**beat, "content": report}, headers=south)
        assert ok.status_code == 200
        bad = client.post("/api/v1/kiosks/heartbeat", json={**beat, "content": {"running": "nope"}}, headers=south)
        assert bad.status_code == 422  # the addition is as strict as the rest of the heartbeat


def test_cli_keygen_publish_versions_rollback_export(sqlite_world: World, tmp_path: Path, monkeypatch, capsys):
    from yorisoi.cli import main

    key = tmp_path / "keys" / "content.key"
    assert main(["content", "keygen", "--out", str(key)]) == 0
    public = capsys.readouterr().out.strip().splitlines()[-1].removeprefix("content_public_key: ")
    assert public.startswith("ed25519:") and key.stat().st_mode & 0o077 == 0
    assert main(["content", "keygen", "--out", str(key)]) == 1  # never overwritten
    monkeypatch.setenv("YORISOI_DATABASE_URL", sqlite_world.url)
    monkeypatch.setenv("YORISOI_CONTENT_SIGNING_KEY_FILE", str(key))
    folder = content_copy(tmp_path)
    assert main(["content", "publish", str(folder), "--note", "first", "--site", "north"]) == 0
    first = capsys.readouterr().out.strip().splitlines()[-1]
    edit(folder, "minutes:", "# second\nminutes:")
    assert main(["content", "publish", str(folder), "--note", "second"]) == 0
    second = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["content", "versions"]) == 0
    listing = capsys.readouterr().out
    assert first[:12] in listing and second[:12] in listing and "north,south" in listing
    assert main(["content", "rollback", first[:8], "--site", "south"]) == 0
    capsys.readouterr()
    assert main(["content", "export", first[:8], "--out", str(tmp_path / "out")]) == 0
    assert pack_folder(tmp_path / "out").version == first
    edit(folder, "next:", "next: nowhere\n    # was:")
    assert main(["content", "publish", str(folder), "--note", "broken"]) == 1
    assert "unknown-step" in capsys.readouterr().out


def test_who_may_roll_out_and_edit_site_settings(sqlite_world: World, signing, tmp_path):
    """An editor changes only their own site; a trainer reads versions but publishes nothing; an admin does all."""
    from starlette.testclient import TestClient

    from helpdesk.api.app import create_app
    from helpdesk.settings import HelpdeskSettings
    from helpdesk.store import accounts
    from tests.helpdesk.conftest import PASSWORD

    db = Database(sqlite_world.url)
    accounts.add_staff(db, login="eddie", role="editor", password=PASSWORD, site_ids=["north"], display_name="Ed")
    version, _ = store.publish_folder(db, content_copy(tmp_path), signer=signing[0], by="adam", note="x")
    db.dispose()
    app = create_app(HelpdeskSettings(database_url=sqlite_world.url, cookie_secure=False))
    with TestClient(app) as client:

        def as_(login: str) -> dict:
            client.cookies.clear()
            answer = client.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            return {"X-CSRF-Token": answer.json()["csrf_token"]}

        base = "/console/api/content"
        eddie = as_("eddie")
        table = client.get(f"{base}/sites/north/settings", headers=eddie).json()
        library = next(r for r in table["settings"] if r["name"] == "library_url")
        assert library["procedures"] == ["library-reservation"] and library["empty"] is True
        url = "https://lib.example.jp/"
        assert client.put(f"{base}/sites/north/settings", json={"values": {"library_url": url}}, headers=eddie).json()[
            "values"
        ] == {"library_url": url}
        assert (
            client.put(f"{base}/sites/south/settings", json={"values": {"library_url": "x"}}, headers=eddie).status_code
            == 403
        )
        assert client.get(f"{base}/sites/south/settings", headers=eddie).status_code == 403
        assert (
            client.post(f"{base}/rollout", json={"version": version, "site_id": "north"}, headers=eddie).status_code
            == 200
        )
        assert (
            client.post(f"{base}/rollout", json={"version": version, "site_id": "south"}, headers=eddie).status_code
            == 403
        )
        assert client.post(f"{base}/rollout", json={"version": version}, headers=eddie).status_code == 403

        tina = as_("tina")
        assert client.get(f"{base}/versions", headers=tina).json()["versions"][0]["version"] == version
        assert (
            client.post(f"{base}/rollout", json={"version": version, "site_id": "north"}, headers=tina).status_code
            == 403
        )
        assert client.put(f"{base}/sites/north/settings", json={"values": {"x": "y"}}, headers=tina).status_code == 403
        alice = as_("alice")
        assert client.get(f"{base}/versions", headers=alice).status_code == 403

        adam = as_("adam")
        assert (
            client.post(f"{base}/rollout", json={"version": version[:8], "note": "all"}, headers=adam).status_code
            == 200
        )
        assert (
            client.put(f"{base}/sites/south/settings", json={"values": {"library_url": url}}, headers=adam).status_code
            == 200
        )

        client.cookies.clear()
        beat = {"kiosk_version": "0.1.0", "content_version": "x", "voice_available": True, "outbox_length": 0}
        kiosk = {"Authorization": f"Bearer {sqlite_world.keys['north-1']}"}
        answer = client.post("/api/v1/kiosks/heartbeat", json=beat, headers=kiosk).json()
        assert answer["site_values"] == {"library_url": url}
    db = Database(sqlite_world.url)
    with db.read() as conn:
        details = [
            r.detail for r in conn.execute(select(audit_entries).where(audit_entries.c.action == "site-setting"))
        ]
    db.dispose()
    assert details == ["north: library_url", "south: library_url"]


def test_wire_additions_do_not_change_what_old_messages_look_like() -> None:
    """A kiosk without content updates sends exactly what it sent before the content loop; the escalation hash of
    such a request is unchanged, so a retry across the server's upgrade is still the same request."""
    import datetime as dt
    import uuid

    from helpdesk.wire import EscalationRequest, KioskHeartbeat, SessionEvent

    beat = KioskHeartbeat(kiosk_version="0.1.0", content_version="c", voice_available=True, outbox_length=0)
    assert '"content":' not in beat.model_dump_json(exclude_none=True)
    request = EscalationRequest(
        session_id="a" * 32, procedure_id="none", step_id="none", language="ja", reason="other", path=[]
    )
    assert request.model_dump_json(exclude_none=True) == (
        '{"session_id":"' + "a" * 32 + '","procedure_id":"none","step_id":"none","language":"ja","reason":"other",'
        '"path":[]}'
    )
    event = SessionEvent(
        event_id=uuid.uuid4(), session_id="a" * 32, kiosk_id="k", action="session-start", at=dt.datetime.now(dt.UTC)
    )
    assert "content_version" not in event.model_dump_json(exclude_none=True)
