"""Kiosks update their content themselves, against a real helpdesk on loopback: fetch in the background, verify
(SHA-256 + Ed25519), lint, stage, switch only at the start screen; refuse tampered and foreign-signed packs; keep
the last good pack when the download dies; guide from the shelf with no network."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import update

from content.loader import PACKAGED
from content.pack import Signer, generate_key
from helpdesk.content_store import site_settings
from helpdesk.content_store import versions as store
from helpdesk.database import Database
from helpdesk.embedded import EmbeddedServer, demo_app, seed_demo
from helpdesk.principals import StaffPrincipal
from helpdesk.tables import content_versions
from helpdesk.wire import ContentTarget
from kiosk.link.client import HelpdeskClient
from kiosk.updater.shelf import PackShelf
from kiosk.updater.updater import Updater
from tests.kiosk.conftest import mounted_kiosk
from tests.netfaults import FaultyProxy
from yorisoi.demo import demo_config

pytestmark = pytest.mark.slow

TITLE_V1 = "練習をはじめます"
TITLE_V2 = "では、練習をはじめます"


@pytest.fixture(scope="module")
def signing() -> tuple[Signer, str]:
    pem, public = generate_key()
    return Signer(pem), public


@pytest.fixture
def helpdesk(tmp_path):
    seed = seed_demo(tmp_path / "helpdesk.sqlite3")
    with EmbeddedServer(demo_app(seed)) as server:
        db = Database(seed.database_url)
        yield seed, server, db
        db.dispose()


def content(tmp_path: Path, name: str, title: str = TITLE_V1) -> Path:
    folder = tmp_path / name
    shutil.copytree(PACKAGED / "procedures", folder / "procedures")
    shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
    path = folder / "procedures" / "touch-practice.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"ja: {TITLE_V1}", f"ja: {title}", 1), "utf-8")
    return folder


def publish(db, folder: Path, signer: Signer, **kw) -> str:
    return store.publish_folder(db, folder, signer=signer, by="test", note=folder.name, **kw)[0]


def target(db, site: str) -> ContentTarget:
    with db.read() as conn:
        t = store.desired(conn, site)
    return ContentTarget(version=t.version, signature=t.signature, size=t.size)


def updater_for(url: str, key: str, shelf_dir: Path, public: str) -> Updater:
    client = HelpdeskClient(url, key)
    return Updater(PackShelf(shelf_dir, public), client.content_pack, background=lambda work: work())


def test_fetch_verify_stage_promote_and_refusals(helpdesk, signing, tmp_path):
    seed, server, db = helpdesk
    signer, public = signing
    good = publish(db, content(tmp_path, "v1"), signer)
    updater = updater_for(server.base_url, seed.kiosk_key, tmp_path / "shelf", public)
    assert updater.offer(target(db, seed.site_id))
    assert updater.shelf.staged == good and updater.shelf.current is None
    assert updater.take_staged().version == good and updater.shelf.current == good

    foreign = publish(db, content(tmp_path, "foreign", "別の鍵の練習"), Signer(generate_key()[0]))
    updater.offer(target(db, seed.site_id))
    tampered = publish(db, content(tmp_path, "tampered", "改ざんの練習"), signer)
    with db.write() as conn:  # the stored bytes change after signing (disk, proxy or insider)
        row = conn.execute(content_versions.select().where(content_versions.c.version == tampered)).one()
        data = bytes(row.pack)
        middle = len(data) // 2
        evil = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]  # one bit flipped
        conn.execute(update(content_versions).where(content_versions.c.version == tampered).values(pack=evil))
    updater.offer(target(db, seed.site_id))
    report = updater.report()
    assert report.running == good and report.staged is None
    assert {(r.version, r.code) for r in report.refused} >= {(foreign, "pack-signature-invalid")}
    assert {r.version: r.code for r in report.refused}[tampered] == "pack-hash-mismatch"
    assert "REFUSED" in updater.status_line()
    # nothing of a refused pack is kept, and a restart still boots the good one
    assert PackShelf(tmp_path / "shelf", public).boot().version == good


def test_helpdesk_dying_mid_download_leaves_the_last_good_version(helpdesk, signing, tmp_path):
    seed, server, db = helpdesk
    signer, public = signing
    good = publish(db, content(tmp_path, "v1"), signer)
    updater = updater_for(server.base_url, seed.kiosk_key, tmp_path / "shelf", public)
    updater.offer(target(db, seed.site_id))
    updater.take_staged()
    newer = publish(db, content(tmp_path, "v2", TITLE_V2), signer)
    proxy = FaultyProxy(server.port)
    proxy.drops, proxy.pass_bytes = 1, 20_000  # headers and the first part of the pack, then the line goes dead
    try:
        cut = updater_for(f"http://127.0.0.1:{proxy.port}", seed.kiosk_key, tmp_path / "shelf", public)
        cut.offer(target(db, seed.site_id))
    finally:
        proxy.close()
    assert proxy.dropped == 1
    assert cut.shelf.current == good and cut.shelf.staged is None and cut.last_error == "helpdesk-unreachable"
    assert not list((tmp_path / "shelf" / "packs").glob(f"{newer}*"))
    assert cut.offer(target(db, seed.site_id))  # not held against the version: tried again at the next heartbeat
    assert cut.shelf.staged == newer


def kiosk_config(seed, url: str, folder: Path, public: str):
    config = demo_config(seed, url, folder)
    return config.model_copy(update={"content_public_key": public, "content_store": folder / "shelf"})


def test_session_in_progress_finishes_on_its_version_then_the_kiosk_switches(window, helpdesk, signing, tmp_path):
    from kiosk.app import housekeeping, kiosk_status
    from kiosk.guide.actions import GoHome
    from kiosk.updater.switch import switch_at_start

    seed, server, db = helpdesk
    signer, public = signing
    v1 = publish(db, content(tmp_path, "v1"), signer)
    admin = StaffPrincipal(1, "admin", "Admin", "admin", frozenset(), "session")
    site_settings.set_values(db, admin, seed.site_id, {"counter_hours": "月曜から金曜の9時から5時"})
    with mounted_kiosk(window, kiosk_config(seed, server.base_url, tmp_path, public)) as driver:
        kiosk = driver.kiosk
        assert kiosk.updater.shelf.current is None  # first start: the shipped content, no pack yet
        housekeeping(kiosk)  # the heartbeat's answer names v1; the updater fetches it in the background
        driver.wait_for(lambda: kiosk.updater.shelf.staged == v1, frames=1500)
        assert switch_at_start(kiosk) and kiosk.content_version == v1
        # the site's values come from the helpdesk, not from the kiosk's file
        assert kiosk.runtime.guide.settings.site_values["counter_hours"] == "月曜から金曜の9時から5時"
        assert kiosk.config.site_values["counter_hours"] != "月曜から金曜の9時から5時"

        open_practice(driver)
        assert TITLE_V1 in driver.texts()
        v2 = publish(db, content(tmp_path, "v2", TITLE_V2), signer)
        housekeeping(kiosk)
        driver.wait_for(lambda: kiosk.updater.shelf.staged == v2, frames=1500)
        assert not switch_at_start(kiosk)  # a resident is in the middle of a session
        driver.touch("next")
        driver.touch("back")
        assert TITLE_V1 in driver.texts() and TITLE_V2 not in driver.texts()
        assert kiosk.content_version == v1
        assert "next " + v2[:12] in kiosk_status(kiosk)["content update"]

        kiosk.runtime.dispatch(GoHome())  # the session ends: the start screen again
        assert switch_at_start(kiosk) and kiosk.content_version == v2
        open_practice(driver)
        assert TITLE_V2 in driver.texts()
        driver.touch("help")
        driver.touch("reason-screen-unclear")
        housekeeping(kiosk)
        driver.wait_for(lambda: reported(seed, "running") == v2, frames=1500)
        # every event and the help request name the version the resident's screens came from
        driver.wait_for(lambda: stored(seed, "escalations") == {v2}, frames=1500)
        driver.wait_for(lambda: stored(seed, "session_events") == {v1, v2}, frames=1500)

    # a restart with the helpdesk gone: the kiosk guides from the pack it has
    server.stop()
    offline = kiosk_config(seed, "http://127.0.0.1:9", tmp_path, public)
    with mounted_kiosk(window, offline) as driver:
        assert driver.kiosk.content_version == v2
        assert driver.kiosk.runtime.guide.settings.site_values["counter_hours"] == "月曜から金曜の9時から5時"
        open_practice(driver)
        assert TITLE_V2 in driver.texts()


def open_practice(driver) -> None:
    driver.touch("begin")
    while "card-touch-practice" not in driver.button_ids():
        driver.touch("next-page")
    driver.touch("card-touch-practice")
    driver.touch("next")
    assert driver.view.screen == "step"


def stored(seed, table: str) -> set:
    with sqlite3.connect(seed.database_url.removeprefix("sqlite:///")) as conn:
        return {row[0] for row in conn.execute(f"SELECT DISTINCT content_version FROM {table}")}


def reported(seed, field: str):
    import json

    with sqlite3.connect(seed.database_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT last_status FROM kiosks WHERE id = ?", (seed.kiosk_id,)).fetchone()
    status = json.loads(row[0]) if row and row[0] else {}
    return (status.get("content") or {}).get(field)


def test_a_refused_pack_is_on_the_maintenance_screen(window, helpdesk, signing, tmp_path):
    from kiosk.app import open_maintenance
    from kiosk.ui.pilot import screenshot, touch
    from tests.kiosk.test_journal_and_maintenance import corner_touches, maintenance_panel

    seed, server, db = helpdesk
    _signer, public = signing
    foreign = publish(db, content(tmp_path, "foreign", "別の鍵の練習"), Signer(generate_key()[0]))
    with mounted_kiosk(window, kiosk_config(seed, server.base_url, tmp_path, public)) as driver:
        kiosk = driver.kiosk
        kiosk.updater.background = lambda work: work()
        kiosk.updater.offer(target(db, seed.site_id))
        assert kiosk.updater.report().refused[0].code == "pack-signature-invalid"
        driver.screen.on_corner = lambda: open_maintenance(kiosk, driver.window)
        corner_touches(driver, 5)
        panel = maintenance_panel(driver)
        for key in "0000":  # the demo configuration's PIN
            touch(panel, f"pin-{key}")
        touch(panel, "pin-OK")
        text = " ".join(driver.texts().split())  # the panel wraps long lines
        assert f"REFUSED {foreign[:12]}: pack-signature-invalid" in text
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "kiosk"
        artifacts.mkdir(parents=True, exist_ok=True)
        screenshot(artifacts / "maintenance-content-refused.png")
        touch(panel, "maint-close")
