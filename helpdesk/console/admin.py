"""Admin JSON for the console: sites, kiosks (keys shown once), staff accounts, canned replies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from helpdesk import security
from helpdesk.api.deps import AnyStaffDep, ServicesDep
from helpdesk.console import store
from helpdesk.errors import Forbidden
from helpdesk.principals import StaffPrincipal
from helpdesk.store import accounts, audit

router = APIRouter(prefix="/console/api/admin", include_in_schema=False)

Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
IdentPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
LoginPath = Annotated[str, Path(min_length=1, max_length=100)]
Phone = Annotated[str, Field(max_length=40, pattern=r"^[0-9+() -]*$")]


async def admin_caller(member: AnyStaffDep) -> StaffPrincipal:
    """Only an administrator may call this."""
    if member.role != "admin":
        raise Forbidden("only administrators manage sites, kiosks and accounts")
    return member


AdminDep = Annotated[StaffPrincipal, Depends(admin_caller)]


async def _audit(svc: Any, admin: StaffPrincipal, action: str, target: str) -> None:
    """Record an administrator's change (what and on which id; never secrets)."""

    def write() -> None:
        with svc.db.write() as conn:
            audit.record(conn, admin, action, detail=target)

    await svc.run(write)


class Body(BaseModel):
    """Admin request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class SiteFields(Body):
    """A site's editable fields."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    fallback_phone: Phone | None = None
    sla_minutes: Annotated[int, Field(ge=1, le=240)] = 10


class SiteCreate(SiteFields):
    """A new site."""

    site_id: Ident


class KioskCreate(Body):
    """A new kiosk at a site."""

    kiosk_id: Ident
    site_id: Ident
    name: Annotated[str | None, Field(max_length=100)] = None
    """What staff call it (e.g. 入口の左), shown beside its id."""


class StaffFields(Body):
    """A staff member's role, sites and display name."""

    display_name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Literal["staff", "trainer", "admin", "editor"]
    site_ids: Annotated[list[Ident], Field(max_length=100)] = []


class StaffCreate(StaffFields):
    """A new staff account (the initial password is generated and shown once)."""

    login: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]


class CannedCreate(Body):
    """A new canned reply."""

    language: Literal["ja", "ja-easy", "en"]
    text: Annotated[str, Field(min_length=1, max_length=1000)]
    site_id: Ident | None = None


@router.get("/sites")
async def sites(_admin: AdminDep, svc: ServicesDep) -> dict[str, Any]:
    """Every site."""
    return {"sites": await svc.run(store.list_sites, svc.db)}


@router.post("/sites", status_code=201)
async def add_site(body: SiteCreate, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Register a site."""
    await svc.run(
        lambda: accounts.add_site(
            svc.db,
            site_id=body.site_id,
            name=body.name,
            fallback_phone=body.fallback_phone or None,
            sla_minutes=body.sla_minutes,
        )
    )
    await _audit(svc, admin, "admin-add-site", body.site_id)
    return {"site_id": body.site_id}


@router.put("/sites/{site_id}")
async def edit_site(site_id: IdentPath, body: SiteFields, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Change a site's name, fallback phone and SLA threshold."""
    await svc.run(
        lambda: store.update_site(
            svc.db,
            site_id=site_id,
            name=body.name,
            fallback_phone=body.fallback_phone or None,
            sla_minutes=body.sla_minutes,
        )
    )
    await _audit(svc, admin, "admin-edit-site", site_id)
    return {"site_id": site_id}


@router.get("/kiosks")
async def kiosks(_admin: AdminDep, svc: ServicesDep) -> dict[str, Any]:
    """Every kiosk with last seen, online/offline, version, outbox length, voice and content status."""
    from helpdesk.content_store.delivery import kiosk_content

    return {"kiosks": await svc.run(kiosk_content, svc.db, await svc.run(store.list_kiosks, svc.db))}


@router.post("/kiosks", status_code=201)
async def register_kiosk(body: KioskCreate, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Register a kiosk; its key is in this answer only."""
    key = await svc.run(
        lambda: accounts.add_kiosk(svc.db, kiosk_id=body.kiosk_id, site_id=body.site_id, name=body.name or None)
    )
    await _audit(svc, admin, "admin-add-kiosk", body.kiosk_id)
    return {"kiosk_id": body.kiosk_id, "key": key}


@router.post("/kiosks/{kiosk_id}/revoke")
async def revoke_kiosk(kiosk_id: IdentPath, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Stop accepting a kiosk's key (at once in this process, and in the others as the bus tells them)."""
    changed = await svc.run(lambda: accounts.revoke_kiosk(svc.db, kiosk_id=kiosk_id))
    svc.kiosk_keys.forget()
    await svc.bus.committed([changed])
    await _audit(svc, admin, "admin-revoke-kiosk", kiosk_id)
    return {"kiosk_id": kiosk_id}


@router.post("/kiosks/{kiosk_id}/rotate")
async def rotate_kiosk(kiosk_id: IdentPath, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Give a kiosk a new key (shown once); the old key stops working."""
    key, changed = await svc.run(lambda: accounts.rotate_kiosk_key(svc.db, kiosk_id=kiosk_id))
    svc.kiosk_keys.forget()
    await svc.bus.committed([changed])
    await _audit(svc, admin, "admin-rotate-kiosk", kiosk_id)
    return {"kiosk_id": kiosk_id, "key": key}


@router.get("/staff")
async def staff(_admin: AdminDep, svc: ServicesDep) -> dict[str, Any]:
    """Every staff account."""
    return {"staff": await svc.run(store.list_staff, svc.db)}


@router.post("/staff", status_code=201)
async def add_staff(body: StaffCreate, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Create an account; the generated initial password is in this answer only."""
    password = security.generate_password()
    await svc.run(
        lambda: accounts.add_staff(
            svc.db,
            login=body.login,
            role=body.role,
            password=password,
            site_ids=body.site_ids,
            display_name=body.display_name,
        )
    )
    await _audit(svc, admin, "admin-add-staff", body.login)
    return {"login": body.login, "password": password}


@router.put("/staff/{login}")
async def edit_staff(login: LoginPath, body: StaffFields, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Change a member's role, sites and display name."""
    ended = await svc.run(
        lambda: store.update_staff(
            svc.db, login=login, role=body.role, site_ids=body.site_ids, display_name=body.display_name
        )
    )
    await svc.bus.committed(ended)
    await _audit(svc, admin, "admin-edit-staff", login)
    return {"login": login}


@router.post("/staff/{login}/disable")
async def disable_staff(login: LoginPath, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """Disable an account: its sessions and tokens end at once."""
    if login == admin.login:
        raise Forbidden("you cannot disable your own account")
    ended = await svc.run(lambda: accounts.disable_staff(svc.db, login=login))
    await svc.bus.committed(ended)
    await _audit(svc, admin, "admin-disable-staff", login)
    return {"login": login}


@router.post("/staff/{login}/reset-password")
async def reset_password(login: LoginPath, admin: AdminDep, svc: ServicesDep) -> dict[str, str]:
    """A new generated password (in this answer only); the member's sessions end."""
    password, ended = await svc.run(lambda: store.reset_password(svc.db, login=login))
    await svc.bus.committed(ended)
    await _audit(svc, admin, "admin-reset-password", login)
    return {"login": login, "password": password}


@router.get("/canned")
async def canned(_admin: AdminDep, svc: ServicesDep) -> dict[str, Any]:
    """Every active canned reply."""
    return {"canned": await svc.run(store.list_canned, svc.db)}


@router.post("/canned", status_code=201)
async def add_canned(body: CannedCreate, admin: AdminDep, svc: ServicesDep) -> dict[str, int]:
    """Add a canned reply."""
    new_id = await svc.run(
        lambda: store.add_canned(svc.db, language=body.language, text=body.text, site_id=body.site_id)
    )
    await _audit(svc, admin, "admin-add-canned", str(new_id))
    return {"id": new_id}


@router.post("/canned/{canned_id}/remove")
async def remove_canned(
    canned_id: Annotated[int, Path(ge=1, le=2**62)], admin: AdminDep, svc: ServicesDep
) -> dict[str, int]:
    """Stop offering a canned reply."""
    await svc.run(lambda: store.remove_canned(svc.db, canned_id=canned_id))
    await _audit(svc, admin, "admin-remove-canned", str(canned_id))
    return {"id": canned_id}
