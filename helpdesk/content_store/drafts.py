"""Browser editing: drafts saved on the server (the whole content as a pack), step edits in every language, the
same linter as the CLI, the length meter, the step graph, checked picture uploads, and publishing with a note.

An edited procedure file is written back from its parsed form (YAML comments in that one file are not kept; every
other file keeps its bytes). Who may do what: trainers, editors and admins edit drafts; only editors and admins
publish (see routes)."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import insert, select, update

from content.limits import step_fit
from content.loader import PACKAGED, Catalog, load_catalog, parse_yaml
from content.pack import Pack, folder_files, lint_pack, make_pack, read_pack, unpack
from helpdesk.clock import utcnow
from helpdesk.database import Database
from helpdesk.errors import BadRequest, NotFound
from helpdesk.store import audit
from helpdesk.tables import content_drafts
from yorisoi.vocabulary import LANGUAGES

TEXT_FIELDS = ("title", "instruction", "caution")
MAX_PICTURE_BYTES = 1024 * 1024
MAX_PICTURE_SIDE = 2000


@dataclass(frozen=True)
class Draft:
    """A draft: its id, the version it started from, and its content."""

    id: int
    base_version: str | None
    pack: Pack


def create(db: Database, member, base_version: str | None) -> int:
    """A new draft from a published version (or, with none, the content shipped with Yorisoi)."""
    from helpdesk.content_store.versions import load

    pack = load(db, base_version) if base_version else make_pack(folder_files(PACKAGED))
    now = utcnow()
    with db.write() as conn:
        draft_id = conn.execute(  # type: ignore[index]  # an insert always has a key
            insert(content_drafts).values(
                base_version=pack.version if base_version else None, pack=pack.data, created_by=member.login,
                updated_by=member.login, updated_at=now,
            )
        ).inserted_primary_key[0]  # fmt: skip
        audit.record(conn, member, "draft-create", detail=f"draft {draft_id} from {(base_version or 'shipped')[:12]}")
    return int(draft_id)


def get(db: Database, draft_id: int) -> Draft:
    """A stored draft (NotFound when absent)."""
    with db.read() as conn:
        row = conn.execute(select(content_drafts).where(content_drafts.c.id == draft_id)).first()
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return Draft(row.id, row.base_version, read_pack(bytes(row.pack)))


def _save(db: Database, member, draft_id: int, pack: Pack, what: str) -> None:
    with db.write() as conn:
        conn.execute(
            update(content_drafts)
            .where(content_drafts.c.id == draft_id)
            .values(pack=pack.data, updated_by=member.login, updated_at=utcnow())
        )
        audit.record(conn, member, "draft-edit", detail=f"draft {draft_id}: {what}")


def catalog_of(pack: Pack) -> Catalog:
    """Load a pack's procedures (in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="yorisoi-draft-") as tmp:
        return load_catalog(unpack(pack, Path(tmp) / "c") / "procedures")


def edit_step(db: Database, member, draft_id: int, procedure_id: str, step_id: str, texts: dict) -> Draft:
    """Change a step's title / instruction / caution in any languages (an empty caution removes it)."""
    draft = get(db, draft_id)
    path = f"procedures/{procedure_id}.yaml"
    if path not in draft.pack.files:
        raise NotFound(f"no procedure {procedure_id}")
    raw = parse_yaml(draft.pack.files[path].decode("utf-8"))
    step = next((s for s in raw.get("steps", []) if isinstance(s, dict) and s.get("id") == step_id), None)
    if step is None:
        raise NotFound(f"no step {step_id} in {procedure_id}")
    for name, value in texts.items():
        if name not in TEXT_FIELDS or not isinstance(value, dict) or set(value) - set(LANGUAGES):
            raise BadRequest(f"{name}: give texts for {', '.join(LANGUAGES)} of {', '.join(TEXT_FIELDS)}")
        cleaned = {lang: str(v).strip() for lang, v in value.items() if str(v).strip()}
        if cleaned:
            step[name] = cleaned
        elif name == "caution":
            step.pop(name, None)
        else:
            raise BadRequest(f"{name} needs at least the Japanese text")
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
    files = {**draft.pack.files, path: text.encode("utf-8")}
    pack = make_pack(files)
    _save(db, member, draft_id, pack, f"{procedure_id}/{step_id}")
    return Draft(draft_id, draft.base_version, pack)


def add_picture(db: Database, member, draft_id: int, name: str, data: bytes) -> str:
    """Add a PNG picture: checked (PNG, size, dimensions) and re-encoded, so no metadata (GPS, names) survives."""
    from PIL import Image, UnidentifiedImageError

    if not name.endswith(".png") or not name[:-4].replace("-", "a").isalnum() or name != name.lower():
        raise BadRequest("picture names are lower-case letters, digits and - ending in .png")
    if len(data) > MAX_PICTURE_BYTES:
        raise BadRequest(f"the picture is larger than {MAX_PICTURE_BYTES // 1024} KB")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise BadRequest("only PNG pictures are accepted")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise BadRequest("only PNG pictures are accepted")
            if max(image.size) > MAX_PICTURE_SIDE:
                raise BadRequest(f"the picture is larger than {MAX_PICTURE_SIDE}×{MAX_PICTURE_SIDE} pixels")
            image.load()
            clean = Image.frombytes(image.mode, image.size, image.tobytes())  # pixels only: no text, EXIF, ICC
            if image.mode == "P":
                clean.putpalette(image.getpalette() or [])
            out = io.BytesIO()
            clean.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise BadRequest("the file is not a readable PNG picture") from exc
    draft = get(db, draft_id)
    pack = make_pack({**draft.pack.files, f"pictures/{name}": out.getvalue()})
    _save(db, member, draft_id, pack, f"picture {name}")
    return name


def step_report(pack: Pack, procedure_id: str, step_id: str) -> dict:
    """Everything the step editor shows beside the texts: lint problems, length per language, graph, preview."""
    from helpdesk.console.screens import step_screen

    catalog = catalog_of(pack)
    problems = [str(p) for p in lint_pack(pack) if p.file == f"{procedure_id}.yaml"]
    procedure = catalog.procedures.get(procedure_id)
    if procedure is None:
        return {"problems": problems, "meter": {}, "graph": None, "preview": {}}
    step = procedure.step(step_id)
    meter = {}
    for lang in LANGUAGES:
        blocks = [step.instruction.get(lang)] + [
            b.get(lang) for b in (step.caution, step.question.text if step.question else None) if b
        ]
        fit = step_fit(step.title.get(lang), blocks, has_picture=bool(step.picture or step.qr))
        meter[lang] = {"needed": fit.needed, "available": fit.available, "fits": fit.fits}
    ids = {s.id for s in procedure.steps}
    graph = {
        "nodes": [{"id": s.id, "end": s.end.kind if s.end else None} for s in procedure.steps],
        "edges": [{"from": s.id, "to": t, "known": t in ids} for s in procedure.steps for t in s.targets()],
    }
    preview = {lang: step_screen(catalog, procedure_id, step_id, lang) for lang in LANGUAGES}
    return {"problems": problems, "meter": meter, "graph": graph, "preview": preview}


def step_diff(old: Pack, new: Pack) -> list[dict]:
    """Per step, per language: every text that differs between two packs (added and removed steps included)."""
    a, b = catalog_of(old), catalog_of(new)
    changes: list[dict] = []
    for pid in sorted(set(a.procedures) | set(b.procedures)):
        old_steps = {s.id: s for s in a.procedures[pid].steps} if pid in a.procedures else {}
        new_steps = {s.id: s for s in b.procedures[pid].steps} if pid in b.procedures else {}
        for sid in sorted(set(old_steps) | set(new_steps)):
            for name in TEXT_FIELDS:
                before = getattr(old_steps.get(sid), name, None)
                after = getattr(new_steps.get(sid), name, None)
                for lang in LANGUAGES:
                    was = before.root.get(lang) if before else None
                    now = after.root.get(lang) if after else None
                    if was != now:
                        changes.append(
                            {
                                "procedure": pid,
                                "step": sid,
                                "field": name,
                                "language": lang,
                                "before": was,
                                "after": now,
                            }
                        )
    return changes


def mark_published(db: Database, draft_id: int, version: str) -> None:
    """Remember which version a draft became."""
    with db.write() as conn:
        conn.execute(update(content_drafts).where(content_drafts.c.id == draft_id).values(published_version=version))
