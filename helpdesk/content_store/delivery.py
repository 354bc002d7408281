"""What kiosks ask of the content room: the version their site should run, and its pack."""

from __future__ import annotations

import re

from helpdesk.content_store.versions import Target, desired, pack_bytes
from helpdesk.database import Database
from helpdesk.errors import NotFound

_VERSION = re.compile(r"^[0-9a-f]{64}$")


def desired_for_site(db: Database, site_id: str) -> Target | None:
    """The version a site should run (None until something is published for it)."""
    with db.read() as conn:
        return desired(conn, site_id)


def pack_for_kiosk(db: Database, site_id: str, version: str) -> bytes:
    """A stored pack by its full id (a kiosk only ever asks for the id its heartbeat answer named)."""
    if not _VERSION.match(version):
        raise NotFound("no such content version")
    return pack_bytes(db, version)


def kiosk_content(db: Database, kiosks: list[dict]) -> list[dict]:
    """Add to each kiosk's reported content what its site should run and whether it lags (admin kiosks page)."""
    wanted = {site: desired_for_site(db, site) for site in {k["site_id"] for k in kiosks}}
    for kiosk in kiosks:
        target = wanted[kiosk["site_id"]]
        content = dict(kiosk.get("content") or {})
        content["desired"] = target.version if target else None
        content["behind"] = bool(target and content.get("running") != target.version)
        kiosk["content"] = content
    return kiosks
