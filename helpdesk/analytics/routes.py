"""Trainer pages (`/trainer/...`), CSV and PDF exports, the analytics JSON API, and step thresholds for kiosks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import AfterValidator, BeforeValidator, Field

from content.loader import picture_path
from content.schema import Procedure
from helpdesk.analytics import handout, pages, replay, report, steps, views
from helpdesk.analytics.settings import AnalyticsSettings
from helpdesk.analytics.sql import Scope
from helpdesk.api.deps import Caller, ServicesDep
from helpdesk.api.errors import ERROR_RESPONSES
from helpdesk.errors import Forbidden, NotFound
from helpdesk.principals import KioskPrincipal, StaffPrincipal
from helpdesk.wire import API_PREFIX, StepThresholds

TRAINER_ROLES = frozenset({"trainer", "admin"})


def _blank_is_none(value: object) -> object:
    """An empty form field means "all", not an invalid value."""
    return None if value == "" else value


def _identifier(value: object) -> object:
    """A lower-case id (procedure, site), or None for an empty field."""
    if value in ("", None):
        return None
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise ValueError("expected a lower-case id such as konbini-juminhyo")
    return value


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)
"""Filter days outside these cannot hold sessions, and near year 1 or 9999 the local-midnight arithmetic overflows."""


def _plausible_day(value: dt.date | None) -> dt.date | None:
    """A filter day within FIRST_DAY..LAST_DAY (a clear 422 otherwise, not a 500)."""
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"a day between {FIRST_DAY} and {LAST_DAY}, such as 2026-04-01")
    return value


IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
Blank = BeforeValidator(_blank_is_none)
Ident = Annotated[Annotated[str, Field(pattern=r"^([a-z0-9][a-z0-9-]{0,62})?$")] | None, BeforeValidator(_identifier)]
"""A lower-case id or empty (= all); the pattern is in the OpenAPI schema, so clients know what is refused."""
Language = Literal["ja", "ja-easy", "en"]
Day = Annotated[dt.date | None, Blank, AfterValidator(_plausible_day)]
PICTURE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.png$")


async def trainer(caller: Caller) -> StaffPrincipal:
    """A trainer or admin (queue staff and kiosks cannot open analytics)."""
    if not isinstance(caller, StaffPrincipal) or caller.role not in TRAINER_ROLES:
        raise Forbidden("only trainers open analytics")
    return caller


async def kiosk_or_trainer(caller: Caller) -> KioskPrincipal | StaffPrincipal:
    """A kiosk (fetching its thresholds) or a trainer."""
    if isinstance(caller, KioskPrincipal):
        return caller
    return await trainer(caller)


TrainerDep = Annotated[StaffPrincipal, Depends(trainer)]


@dataclasses.dataclass(frozen=True)
class Filters:
    """The query parameters every analysis page accepts."""

    procedure: Ident = None
    site: Ident = None
    language: Annotated[Language | None, Blank] = None
    since: Day = None
    until: Day = None

    def scope(self, settings: AnalyticsSettings) -> Scope:
        """The scope these filters select (dates are local calendar days)."""
        return Scope(
            procedure_id=self.procedure,
            site_id=self.site,
            language=self.language,
            since=settings.local_midnight(self.since) if self.since else None,
            until=settings.local_midnight(self.until + dt.timedelta(days=1)) if self.until else None,
            utc_offset_s=settings.utc_offset_s(),
        )

    def query(self) -> str:
        """The filters as a query string for links ('' when none)."""
        pairs = {k: v for k, v in dataclasses.asdict(self).items() if v}
        return "?" + urlencode(pairs) if pairs else ""


FiltersDep = Annotated[Filters, Depends()]


def build_router(procedures: dict[str, Procedure], settings: AnalyticsSettings) -> APIRouter:
    """All analytics routes, bound to the loaded content and settings."""
    router = APIRouter()

    def procedure_or_404(procedure_id: str) -> Procedure:
        if procedure_id not in procedures:
            raise NotFound("no such procedure")
        return procedures[procedure_id]

    async def build_report(svc, filters: Filters) -> report.Report:
        scope = filters.scope(settings)
        return await svc.run(report.build, svc.db, scope, procedures, min_sessions=settings.report_min_sessions)

    @router.get("/trainer/", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard(_member: TrainerDep, svc: ServicesDep, filters: FiltersDep) -> HTMLResponse:
        data = await build_report(svc, filters)
        return HTMLResponse(views.dashboard(data, procedures, query=filters.query()))

    @router.get("/trainer/report", response_class=HTMLResponse, include_in_schema=False)
    async def workshop(_member: TrainerDep, svc: ServicesDep, filters: FiltersDep) -> HTMLResponse:
        data = await build_report(svc, filters)
        return HTMLResponse(views.workshop_report(data, procedures, query=filters.query()))

    @router.get("/trainer/report.pdf", include_in_schema=False)
    async def workshop_pdf(_member: TrainerDep, svc: ServicesDep, filters: FiltersDep) -> Response:
        from helpdesk.analytics.pdf import html_to_pdf

        data = await build_report(svc, filters)
        html = views.workshop_report(data, procedures, standalone=True)
        body = await svc.run(html_to_pdf, html)
        return _download(body, "application/pdf", "workshop-report.pdf")

    @router.get("/trainer/csv/{name}.csv", include_in_schema=False)
    async def csv_table(name: str, _member: TrainerDep, svc: ServicesDep, filters: FiltersDep) -> Response:
        if name not in report.TABLES:
            raise NotFound("no such table")
        data = await build_report(svc, filters)
        return _download(
            report.to_csv(*report.table(data, name)).encode("utf-8"), "text/csv; charset=utf-8", f"{name}.csv"
        )

    @router.get("/trainer/handouts", response_class=HTMLResponse, include_in_schema=False)
    async def handouts(_member: TrainerDep) -> HTMLResponse:
        return HTMLResponse(views.handout_index(procedures))

    async def handout_html(svc, procedure_id: str, lang: str, standalone: bool) -> str:
        procedure = procedure_or_404(procedure_id)
        scope = Filters(procedure=procedure_id).scope(settings)
        stats = await svc.run(_step_stats, svc, scope)
        hard = handout.hard_steps(stats, procedure_id, min_sessions=settings.report_min_sessions)
        return views.handout_page(procedure, lang, hard=hard, standalone=standalone)

    @router.get("/trainer/handouts/{procedure_id}.pdf", include_in_schema=False)
    async def handout_pdf(procedure_id: str, _member: TrainerDep, svc: ServicesDep, lang: Language = "ja") -> Response:
        from helpdesk.analytics.pdf import html_to_pdf

        body = await svc.run(html_to_pdf, await handout_html(svc, procedure_id, lang, True))
        return _download(body, "application/pdf", f"handout-{procedure_id}-{lang}.pdf")

    @router.get("/trainer/handouts/{procedure_id}", response_class=HTMLResponse, include_in_schema=False)
    async def handout_page(
        procedure_id: str, _member: TrainerDep, svc: ServicesDep, lang: Language = "ja"
    ) -> HTMLResponse:
        return HTMLResponse(await handout_html(svc, procedure_id, lang, False))

    @router.get("/trainer/sessions", response_class=HTMLResponse, include_in_schema=False)
    async def sessions(_member: TrainerDep, svc: ServicesDep, filters: FiltersDep) -> HTMLResponse:
        found = await svc.run(_recent, svc, filters.scope(settings))
        return HTMLResponse(views.sessions_page(found, procedures, query=filters.query()))

    @router.get("/trainer/sessions.json", include_in_schema=False)
    async def sessions_export(
        _member: TrainerDep,
        svc: ServicesDep,
        filters: FiltersDep,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Response:
        """The latest ended sessions in the filters as a workshop file for `yorisoi kiosk --workshop`."""
        found = await svc.run(_export_recent, svc, filters.scope(settings), limit, settings.timezone)
        return _download(found.model_dump_json().encode("utf-8"), "application/json", "workshop-replay.json")

    @router.get("/trainer/sessions/{session_id}.json", include_in_schema=False)
    async def session_export(
        session_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")], _member: TrainerDep, svc: ServicesDep
    ) -> Response:
        """One session as a workshop file."""
        found = await svc.run(_replay, svc, session_id, settings.timezone)
        if found is None or not found.frames:
            raise NotFound("no such session")
        body = replay.to_export([found], dt.datetime.now(dt.UTC)).model_dump_json().encode("utf-8")
        return _download(body, "application/json", f"replay-{session_id[:12]}.json")

    @router.get("/trainer/sessions/{session_id}", response_class=HTMLResponse, include_in_schema=False)
    async def replay_page(
        session_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
        _member: TrainerDep,
        svc: ServicesDep,
        frame: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    ) -> HTMLResponse:
        found = await svc.run(_replay, svc, session_id, settings.timezone)
        if found is None or not found.frames:
            raise NotFound("no such session")
        return HTMLResponse(views.replay_page(found, procedures, frame))

    @router.get("/trainer/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        path = pages.static_file(name)
        if path is None:
            raise NotFound("no such file")
        return FileResponse(path, media_type="text/javascript" if name.endswith(".js") else "text/css")

    @router.get("/trainer/pictures/{name}", include_in_schema=False)
    async def picture(name: str, _member: TrainerDep) -> Response:
        if not PICTURE.match(name) or not picture_path(name).is_file():
            raise NotFound("no such picture")
        return FileResponse(picture_path(name), media_type="image/png")

    @router.get(f"{API_PREFIX}/analytics/report", tags=["analytics"], responses=ERROR_RESPONSES)
    async def report_json(_member: TrainerDep, svc: ServicesDep, filters: FiltersDep) -> JSONResponse:
        """Every analysis for the filters (trainers and admins)."""
        data = await build_report(svc, filters)
        return JSONResponse(jsonable_encoder(_as_dict(data)))

    @router.get(
        f"{API_PREFIX}/analytics/step-thresholds",
        tags=["analytics"],
        responses=ERROR_RESPONSES,
        response_model=StepThresholds,
    )
    async def thresholds(
        _caller: Annotated[KioskPrincipal | StaffPrincipal, Depends(kiosk_or_trainer)],
        svc: ServicesDep,
        procedure: Ident = None,
    ) -> JSONResponse:
        """p90 seconds per step (`procedure/step`) for the kiosk's stuck detector, once enough sessions exist."""
        if procedure is not None:
            procedure_or_404(procedure)
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.threshold_days)
        scope = Scope(procedure_id=procedure, since=since)
        ends = frozenset(f"{pid}/{s.id}" for pid, p in procedures.items() for s in p.steps if s.end is not None)
        found = await svc.run(_thresholds, svc, scope, settings.threshold_min_sessions, ends)
        return JSONResponse(
            {"min_sessions": settings.threshold_min_sessions, "days": settings.threshold_days, "step_seconds": found}
        )

    return router


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _as_dict(data: report.Report) -> dict:
    out = dataclasses.asdict(data)
    out["weeks"] = [{**dataclasses.asdict(w), "change": c} for w, c in data.weeks]
    out["hardest"] = [{**dataclasses.asdict(s), "hardness": s.hardness} for s in data.hardest]
    return out


def _step_stats(svc, scope: Scope) -> list[steps.StepStats]:
    with svc.db.read() as conn:
        return steps.step_stats(conn, scope)


def _recent(svc, scope: Scope) -> list[dict]:
    with svc.db.read() as conn:
        return replay.recent_sessions(conn, scope)


def _replay(svc, session_id: str, timezone: str) -> replay.Replay | None:
    with svc.db.read() as conn:
        return replay.load(conn, session_id, timezone=timezone)


def _export_recent(svc, scope: Scope, limit: int, timezone: str):
    with svc.db.read() as conn:
        return replay.export_recent(conn, scope, limit=limit, timezone=timezone)


def _thresholds(svc, scope: Scope, min_sessions: int, ends: frozenset[str]) -> dict[str, float]:
    with svc.db.read() as conn:
        return steps.step_thresholds(conn, scope, min_sessions=min_sessions, end_steps=ends)
