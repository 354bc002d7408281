"""`/trainer/compare`: a procedure before and after a content version (page and JSON), for trainers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import func, select

from content.schema import Procedure
from helpdesk.analytics import compare, pages
from helpdesk.analytics.routes import TrainerDep
from helpdesk.api.deps import ServicesDep
from helpdesk.content_store.versions import resolve
from helpdesk.errors import NotFound
from helpdesk.tables import content_versions, session_events

ProcedureId = Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Version = Annotated[str | None, Query(pattern=r"^[0-9a-f]{6,64}$")]


def versions_with_sessions(db, procedure_id: str) -> list[dict]:
    """Content versions under which residents started this procedure, oldest first, with session counts."""
    with db.read() as conn:
        rows = conn.execute(
            select(
                session_events.c.content_version,
                func.count(session_events.c.session_id.distinct()).label("sessions"),
                func.min(session_events.c.at).label("first"),
                content_versions.c.note,
                content_versions.c.published_at,
            )
            .join(content_versions, content_versions.c.version == session_events.c.content_version)
            .where(session_events.c.procedure_id == procedure_id, session_events.c.action == "procedure-start")
            .group_by(session_events.c.content_version, content_versions.c.note, content_versions.c.published_at)
            .order_by(content_versions.c.published_at)
        ).all()
    return [r._asdict() for r in rows]


def run_comparison(db, procedure: Procedure, before: str | None, after: str | None) -> dict[str, Any]:
    """The comparison (by default: the two newest versions with sessions) and the versions to choose from."""
    choices = versions_with_sessions(db, procedure.id)
    with db.read() as conn:
        before = resolve(conn, before) if before else (choices[-2]["content_version"] if len(choices) > 1 else None)
        after = resolve(conn, after) if after else (choices[-1]["content_version"] if choices else None)
        result = (
            compare.compare(conn, procedure.id, before, after, [s.id for s in procedure.steps])
            if before and after and before != after
            else None
        )
    return {"choices": choices, "result": result}


def build_router(procedures: dict[str, Procedure]) -> APIRouter:
    """The compare routes, bound to the loaded content (step titles and order)."""
    router = APIRouter()

    def procedure_or_404(procedure_id: str) -> Procedure:
        if procedure_id not in procedures:
            raise NotFound("no such procedure")
        return procedures[procedure_id]

    @router.get("/trainer/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page(
        _member: TrainerDep,
        svc: ServicesDep,
        procedure: ProcedureId,
        before: Version = None,
        after: Version = None,
    ) -> HTMLResponse:
        chosen = procedure_or_404(procedure)
        data = await svc.run(run_comparison, svc.db, chosen, before, after)
        steps = {s.id: s.title.get("ja") for s in chosen.steps}
        return HTMLResponse(
            pages.render(
                "compare.html",
                procedure=chosen,
                steps=steps,
                min_sessions=compare.MIN_SESSIONS,
                alpha=compare.ALPHA,
                **data,
            )
        )

    @router.get("/trainer/compare.json", include_in_schema=False)
    async def compare_json(
        _member: TrainerDep,
        svc: ServicesDep,
        procedure: ProcedureId,
        before: Version = None,
        after: Version = None,
    ) -> JSONResponse:
        data = await svc.run(run_comparison, svc.db, procedure_or_404(procedure), before, after)
        return JSONResponse(_json(data["result"]))

    return router


def _json(result: compare.Comparison | None) -> dict[str, Any]:
    """The comparison as JSON: counts, intervals and p-values beside every rate."""
    if result is None:
        return {"result": None}

    def rate(r: compare.Rate) -> dict[str, Any]:
        return {"k": r.k, "n": r.n, "value": r.value, "interval95": r.interval}

    return {
        "procedure_id": result.procedure_id,
        "before": result.before,
        "after": result.after,
        "too_few": result.too_few,
        "completion": {
            "before": rate(result.completion[0]),
            "after": rate(result.completion[1]),
            "p": result.completion_p,
        },
        "help": {"before": rate(result.help[0]), "after": rate(result.help[1]), "p": result.help_p},
        "steps": [
            {
                "step_id": s.step_id,
                "verdict": s.verdict,
                "visits": [s.before_visits, s.after_visits],
                "median_s": [s.before_median_s, s.after_median_s],
                "time_p": s.time_p,
                "help": [rate(s.before_help), rate(s.after_help)],
                "help_p": s.help_p,
            }
            for s in result.steps
        ],
    }
