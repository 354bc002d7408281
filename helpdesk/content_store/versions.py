"""Content versions: publish a folder (lint, pack, sign, keep), list, roll out per site, roll back, export.

A version is immutable: its key is the SHA-256 of its canonical pack, and publishing the same folder twice stores
it once. What a site runs is the newest rollout naming that site or all sites, so rolling back is a new rollout of
an older version (the history keeps both)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, desc, insert, or_, select

from content.pack import Pack, Signer, lint_pack, make_pack, pack_folder, read_pack, unpack
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.errors import BadRequest, NotFound
from helpdesk.store import audit
from helpdesk.tables import content_rollouts, content_versions, sites


class ContentRefused(BadRequest):
    """The content fails `content check`: nothing is published; `problems` lists each error."""

    code = "content-check-failed"

    def __init__(self, problems: list):
        lines = [str(p) for p in problems]
        super().__init__(f"{len(lines)} content errors; fix them and publish again: " + "; ".join(lines[:5]))
        self.problems = lines


@dataclass(frozen=True)
class Target:
    """The version a site should run, with what a kiosk needs to fetch and trust it."""

    version: str
    signature: str
    size: int


def publish_folder(db: Database, folder: Path, **kwargs) -> tuple[str, bool]:
    """Publish a content folder; see `publish`."""
    return publish(db, pack_folder(folder), **kwargs)


def publish(
    db: Database,
    pack: Pack,
    *,
    signer: Signer,
    by: str,
    note: str,
    site_id: str | None = None,
    actor=None,
) -> tuple[str, bool]:
    """Lint, sign and keep a pack, then roll it out (to one site, or all). Returns (version, newly stored)."""
    problems = lint_pack(pack)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentRefused(errors)
    warnings = [str(p) for p in problems if p.severity != "error"]
    now = utcnow()
    with db.write() as conn:
        _require_site(conn, site_id)
        known = conn.execute(select(content_versions.c.version).where(content_versions.c.version == pack.version))
        new = known.first() is None
        if new:
            conn.execute(
                insert(content_versions).values(
                    version=pack.version,
                    pack=pack.data,
                    signature=signer.sign(pack.version),
                    public_key=signer.public_key,
                    size=len(pack.data),
                    procedures=pack.procedures(),
                    lint={"errors": 0, "warnings": warnings[:200]},
                    published_by=by,
                    published_at=now,
                    note=note,
                )
            )
            audit.record(conn, actor, "content-publish", detail=f"{pack.short} by {by}: {note}")
        _rollout(conn, pack.version, site_id, by, note, actor)
    return pack.version, new


def rollout(db: Database, version: str, *, by: str, note: str = "", site_id: str | None = None, actor=None) -> str:
    """Make a stored version the one a site (or every site) runs; also how a rollback is done. Returns the id."""
    with db.write() as conn:
        _require_site(conn, site_id)
        full = resolve(conn, version)
        _rollout(conn, full, site_id, by, note, actor)
    return full


def _rollout(conn: Connection, version: str, site_id: str | None, by: str, note: str, actor) -> None:
    conn.execute(insert(content_rollouts).values(version=version, site_id=site_id, by=by, at=utcnow(), note=note))
    audit.record(conn, actor, "content-rollout", detail=f"{version[:12]} to {site_id or 'all sites'} by {by}")


def _require_site(conn: Connection, site_id: str | None) -> None:
    if site_id is not None and conn.execute(select(sites.c.id).where(sites.c.id == site_id)).first() is None:
        raise NotFound(f"no site {site_id!r}")


def resolve(conn: Connection, version: str) -> str:
    """The full version id for an id or an unambiguous prefix of at least 6 hex digits."""
    if len(version) < 6:
        raise BadRequest("give at least 6 hex digits of the version")
    rows = conn.execute(
        select(content_versions.c.version).where(content_versions.c.version.startswith(version.lower()))
    ).all()
    if not rows:
        raise NotFound(f"no content version {version}")
    if len(rows) > 1:
        raise BadRequest(f"{version} matches {len(rows)} versions: give more digits")
    return rows[0].version


def desired(conn: Connection, site_id: str) -> Target | None:
    """The version a site should run (None: nothing published yet, kiosks keep what they have)."""
    row = conn.execute(
        select(content_versions.c.version, content_versions.c.signature, content_versions.c.size)
        .join(content_rollouts, content_rollouts.c.version == content_versions.c.version)
        .where(or_(content_rollouts.c.site_id == site_id, content_rollouts.c.site_id.is_(None)))
        .order_by(desc(content_rollouts.c.id))
        .limit(1)
    ).first()
    return Target(row.version, row.signature, row.size) if row else None


def pack_bytes(db: Database, version: str) -> bytes:
    """The stored canonical pack of a version (exact id)."""
    with db.read() as conn:
        data = conn.execute(select(content_versions.c.pack).where(content_versions.c.version == version)).scalar()
    if data is None:
        raise NotFound(f"no content version {version[:12]}")
    return bytes(data)


def load(db: Database, version: str) -> Pack:
    """A stored version as a Pack (id or prefix)."""
    with db.read() as conn:
        full = resolve(conn, version)
    return read_pack(pack_bytes(db, full), expected_version=full)


def export(db: Database, version: str, folder: Path) -> Path:
    """Write a version back as its YAML folder (procedures/, pictures/), byte for byte as it was published."""
    return unpack(load(db, version), folder)


def versions(db: Database) -> list[dict]:
    """Every stored version, newest first, with who published it, when, the note and the lint result."""
    with db.read() as conn:
        rows = conn.execute(
            select(
                content_versions.c.version,
                content_versions.c.size,
                content_versions.c.procedures,
                content_versions.c.lint,
                content_versions.c.published_by,
                content_versions.c.published_at,
                content_versions.c.note,
            ).order_by(desc(content_versions.c.published_at))
        ).all()
        site_ids = [r.id for r in conn.execute(select(sites.c.id).order_by(sites.c.id))]
        running = {site: (t.version if (t := desired(conn, site)) else None) for site in site_ids}
    return [{**r._asdict(), "sites": [s for s, v in running.items() if v == r.version]} for r in rows]


def files_pack(files: dict[str, bytes]) -> Pack:
    """A pack of files given in memory (the browser editor's drafts)."""
    return make_pack(files)
