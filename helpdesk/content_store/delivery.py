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
