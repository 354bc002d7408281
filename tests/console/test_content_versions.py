"""The console renders the resident's step from exactly the content version the kiosk ran, and says when that
version is older than the one the kiosk's site should run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import PACKAGED, load_catalog
from content.pack import Signer, generate_key
from helpdesk.content_store import versions as store
from helpdesk.database import Database

pytestmark = pytest.mark.slow  # a real uvicorn server on 127.0.0.1

OLD_TITLE = "暗証番号を入れる（旧版）"


def folder_with_title(tmp_path: Path, name: str, title: str | None) -> Path:
    folder = tmp_path / name
    shutil.copytree(PACKAGED / "procedures", folder / "procedures")
    shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
    if title:
        path = folder / "procedures" / "konbini-juminhyo.yaml"
        path.write_text(path.read_text("utf-8").replace("ja: 暗証番号を入れる\n", f"ja: {title}\n", 1), "utf-8")
    return folder


def test_escalation_is_rendered_from_its_own_version(helpdesk, tmp_path: Path) -> None:
    signer = Signer(generate_key()[0])
    db = Database(helpdesk.database_url)
    try:
        old, _ = store.publish_folder(
            db, folder_with_title(tmp_path, "old", OLD_TITLE), signer=signer, by="t", note="old", site_id="north"
        )
        new, _ = store.publish_folder(
            db, folder_with_title(tmp_path, "new", None), signer=signer, by="t", note="new", site_id="north"
        )
    finally:
        db.dispose()
    alice = helpdesk.session("alice")
    on_old = helpdesk.escalate("north-1", content_version=old)
    body = alice.get(f"{helpdesk.base_url}/console/api/escalations/{on_old['id']}").json()
    assert body["screen"]["title"] == OLD_TITLE  # what the resident saw, not what the helpdesk has now
    assert body["content"] == {"version": old[:12], "exact": True, "site_version": new[:12], "older": True}
    picture = alice.get(helpdesk.base_url + body["screen"]["picture_url"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.content == (PACKAGED / "pictures" / "keypad-hidden.png").read_bytes()

    on_new = helpdesk.escalate("north-1", content_version=new)
    body = alice.get(f"{helpdesk.base_url}/console/api/escalations/{on_new['id']}").json()
    assert body["screen"]["title"] == load_catalog().get("konbini-juminhyo").step("enter-pin").title.get("ja")
    assert body["content"]["older"] is False and body["content"]["exact"] is True

    unknown = helpdesk.escalate("north-1", content_version="ab" * 32)
    body = alice.get(f"{helpdesk.base_url}/console/api/escalations/{unknown['id']}").json()
    assert body["content"]["exact"] is False and body["screen"] is not None  # shown from current content, and said
    missing = alice.get(f"{helpdesk.base_url}/console/api/content/{old}/pictures/nothing.png")
    assert missing.status_code == 404
    assert alice.get(f"{helpdesk.base_url}/console/api/content/{old}/pictures/..%2Fx.png").status_code == 404
