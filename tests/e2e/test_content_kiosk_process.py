"""A real kiosk process (offscreen window) against a real helpdesk process: it picks up each published version at
its start screen, reports it, and after a restart with the helpdesk killed it guides from the pack it has."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from content.loader import PACKAGED
from content.pack import Signer, generate_key
from helpdesk.content_store import versions as store
from helpdesk.database import Database

pytestmark = pytest.mark.slow


def content(tmp_path: Path, name: str, note: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(PACKAGED / "procedures", folder / "procedures")
    shutil.copytree(PACKAGED / "pictures", folder / "pictures", ignore=shutil.ignore_patterns("*.py"))
    path = folder / "procedures" / "touch-practice.yaml"
    path.write_text(path.read_text("utf-8") + f"# {note}\n", "utf-8")
    return folder


def kiosk_process(config: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}  # SDL offscreen
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1", KIVY_HOME=str(log.parent / "kivy"))
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "yorisoi.cli", "kiosk", "--config", str(config)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def reported(seed) -> dict:
    with sqlite3.connect(seed.database_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT last_status FROM kiosks WHERE id = ?", (seed.kiosk_id,)).fetchone()
    return (json.loads(row[0]) if row and row[0] else {}).get("content") or {}


def wait_for(predicate, what: str, proc: subprocess.Popen, log: Path, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the kiosk exited: {log.read_text()[-3000:]}")
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} not reached; kiosk log: {log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def test_kiosk_process_updates_itself_and_boots_offline_from_its_pack(helpdesk, tmp_path):
    seed = helpdesk.seed
    pem, public = generate_key()
    signer = Signer(pem)
    db = Database(seed.database_url)
    v1, _ = store.publish_folder(db, content(tmp_path, "v1", "one"), signer=signer, by="t", note="v1")
    helpdesk.start()
    (tmp_path / "kiosk.key").write_text(seed.kiosk_key)
    config = tmp_path / "kiosk.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "site": seed.site_id,
                "kiosk_id": seed.kiosk_id,
                "helpdesk_url": helpdesk.url,
                "key_file": "kiosk.key",
                "outbox_file": "outbox.sqlite3",
                "content_public_key": public,
                "content_store": "shelf",
                "heartbeat_s": 1,
                "voice": False,
            }
        )
    )
    log = tmp_path / "kiosk.log"
    kiosk = kiosk_process(config, log)
    try:
        wait_for(lambda: reported(seed).get("running") == v1, "v1 running", kiosk, log)
        v2, _ = store.publish_folder(db, content(tmp_path, "v2", "two"), signer=signer, by="t", note="v2")
        wait_for(lambda: reported(seed).get("running") == v2, "v2 running", kiosk, log)
    finally:
        stop(kiosk)
    pack_file = tmp_path / "shelf" / "packs" / f"{v2}.pack"
    written = pack_file.stat().st_mtime_ns

    helpdesk.kill()  # kill -9: the kiosk restarts with no helpdesk at all
    with sqlite3.connect(seed.database_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE kiosks SET last_status = NULL")
    kiosk = kiosk_process(config, log)
    try:
        time.sleep(8)
        assert kiosk.poll() is None, log.read_text()[-3000:]  # up and guiding with no network
        helpdesk.start()
        wait_for(lambda: reported(seed).get("running") == v2, "v2 reported after the helpdesk returned", kiosk, log)
    finally:
        stop(kiosk)
        db.dispose()
    assert pack_file.stat().st_mtime_ns == written  # it booted from the shelf: nothing was downloaded again
