"""The browser editor's JSON: drafts, step texts with lint / length meter / graph / preview, picture upload, diff,
and publish with a note. Trainers, editors and admins edit drafts; only editors (to their sites) and admins publish.
Every change is in the audit log (drafts module)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.deps import AnyStaffDep, ServicesDep
from helpdesk.content_store import drafts, versions
from helpdesk.errors import BadRequest, Forbidden
from helpdesk.principals import StaffPrincipal

router = APIRouter(prefix="/console/api/content/drafts", include_in_schema=False)
EDITING_ROLES = frozenset({"trainer", "editor", "admin"})
Ident = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Texts = dict[str, dict[str, Annotated[str, Field(max_length=2000)]]]


class NewDraft(BaseModel):
    """Start a draft from a published version (none: the shipped content)."""

    model_config = ConfigDict(extra="forbid")
    base_version: Annotated[str | None, Field(pattern=r"^[0-9a-f]{6,64}$")] = None


class StepTexts(BaseModel):
    """New texts of a step: {title|instruction|caution: {ja, ja-easy, en}}."""

    model_config = ConfigDict(extra="forbid")
    texts: Texts


class Publish(BaseModel):
    """Publish a draft with a note, to one site or (admins) all."""

    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(min_length=1, max_length=500)]
    site_id: Annotated[str | None, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")] = None


def _editor(member: StaffPrincipal) -> StaffPrincipal:
    if member.role not in EDITING_ROLES:
        raise Forbidden("content is edited by trainers, editors and administrators")
    return member


@router.post("")
async def new_draft(body: NewDraft, member: AnyStaffDep, svc: ServicesDep) -> dict[str, Any]:
    """Start a draft."""
    draft_id = await svc.run(drafts.create, svc.db, _editor(member), body.base_version)
    return {"id": draft_id}


@router.get("/{draft_id}")
async def draft_outline(draft_id: int, member: AnyStaffDep, svc: ServicesDep) -> dict[str, Any]:
    """The draft's procedures and steps (ids and Japanese titles) and its pictures."""
    _editor(member)
    draft = await svc.run(drafts.get, svc.db, draft_id)
    catalog = await svc.run(drafts.catalog_of, draft.pack)
    return {
        "id": draft.id,
        "base_version": draft.base_version,
        "procedures": [
            {
                "id": p.id,
                "title": p.title.get("ja"),
                "steps": [{"id": s.id, "title": s.title.get("ja")} for s in p.steps],
            }
            for p in sorted(catalog.procedures.values(), key=lambda p: p.id)
        ],
        "pictures": sorted(p.split("/", 1)[1] for p in draft.pack.files if p.startswith("pictures/")),
    }


@router.get("/{draft_id}/steps/{procedure_id}/{step_id}")
async def step(draft_id: int, procedure_id: Ident, step_id: Ident, member: AnyStaffDep, svc: ServicesDep) -> dict:
    """A step's texts in every language, with lint, length meter, graph and preview."""
    _editor(member)
    draft = await svc.run(drafts.get, svc.db, draft_id)
    return await svc.run(_step_view, draft, procedure_id, step_id)


@router.put("/{draft_id}/steps/{procedure_id}/{step_id}")
async def edit_step(
    draft_id: int, procedure_id: Ident, step_id: Ident, body: StepTexts, member: AnyStaffDep, svc: ServicesDep
) -> dict:
    """Save new texts of a step; the answer shows the lint result and the meter at once."""
    draft = await svc.run(drafts.edit_step, svc.db, _editor(member), draft_id, procedure_id, step_id, body.texts)
    return await svc.run(_step_view, draft, procedure_id, step_id)


def _step_view(draft: drafts.Draft, procedure_id: str, step_id: str) -> dict:
    catalog = drafts.catalog_of(draft.pack)
    procedure = catalog.procedures.get(procedure_id)
    texts = {}
    if procedure is not None:
        current = procedure.step(step_id)
        texts = {name: (getattr(current, name).root if getattr(current, name) else {}) for name in drafts.TEXT_FIELDS}
    return {"texts": texts, **drafts.step_report(draft.pack, procedure_id, step_id)}


@router.post("/{draft_id}/pictures")
async def upload_picture(
    draft_id: int, request: Request, name: Annotated[str, Query(max_length=80)], member: AnyStaffDep, svc: ServicesDep
) -> dict:
    """Add a PNG (the body is the file): checked and re-encoded before it is kept."""
    data = await request.body()
    stored = await svc.run(drafts.add_picture, svc.db, _editor(member), draft_id, name, data)
    return {"name": stored}


@router.get("/{draft_id}/diff")
async def diff(
    draft_id: int,
    member: AnyStaffDep,
    svc: ServicesDep,
    against: Annotated[str | None, Query(pattern=r"^[0-9a-f]{6,64}$")] = None,
) -> dict:
    """Per step, per language: what the draft changes against a version (default: the one it started from)."""
    _editor(member)
    draft = await svc.run(drafts.get, svc.db, draft_id)
    base = against or draft.base_version
    if base is None:
        raise BadRequest("this draft started from the shipped content: name a version to compare with")
    old = await svc.run(versions.load, svc.db, base)
    return {"changes": await svc.run(drafts.step_diff, old, draft.pack)}


@router.post("/{draft_id}/publish")
async def publish(draft_id: int, body: Publish, request: Request, member: AnyStaffDep, svc: ServicesDep) -> dict:
    """Publish the draft (refused while `content check` finds errors) and roll it out."""
    allowed = member.role == "admin" or (
        member.role == "editor" and body.site_id is not None and body.site_id in member.site_ids
    )
    if not allowed:
        raise Forbidden("only an administrator, or an editor rolling out to their own site, may publish")
    key_file = svc.settings.content_signing_key_file
    if key_file is None:
        raise BadRequest("this helpdesk has no content signing key (YORISOI_CONTENT_SIGNING_KEY_FILE)")
    from content.pack import Signer

    def run() -> tuple[str, bool]:
        draft = drafts.get(svc.db, draft_id)
        version, new = versions.publish(
            svc.db, draft.pack, signer=Signer.from_file(key_file), by=member.login, note=body.note,
            site_id=body.site_id, actor=member,
        )  # fmt: skip
        drafts.mark_published(svc.db, draft_id, version)
        return version, new

    version, new = await svc.run(run)
    return {"version": version, "new": new, "site_id": body.site_id}
