"""`create_app(settings)`: the helpdesk FastAPI application, with its database and bus built here."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.api import auth, call, errors, escalations, kiosk, queue, talk
from helpdesk.api.body_limit import BodyLimit
from helpdesk.api.key_watch import watching
from helpdesk.api.models import Health
from helpdesk.api.services import Services
from helpdesk.bus.postgres import PostgresBus, running
from helpdesk.bus.sqlite import SqliteBus
from helpdesk.database import Database
from helpdesk.settings import HelpdeskSettings
from helpdesk.wire import API_PREFIX, WIRE_VERSION, EscalationRequest

log = logging.getLogger("helpdesk")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    # the console calls kiosks (its own microphone; the camera stays off until staff video is built)
    "Permissions-Policy": "camera=(), microphone=(self), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(
    settings: HelpdeskSettings | None = None, *, database: Database | None = None, web: bool = True
) -> FastAPI:
    """Build the app. The schema must be current (run migrations first); otherwise startup refuses.

    `web=False` serves the JSON API alone (no staff console or trainer pages)."""
    settings = settings or HelpdeskSettings()
    db = database or Database(
        settings.resolved_database_url(),
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    if db.url.startswith("postgresql"):
        bus: PostgresBus | SqliteBus = PostgresBus(db.url, retain_s=settings.bus_replay_s)
    else:
        bus = SqliteBus(db, retain_s=settings.bus_replay_s)
    svc = Services(settings=settings, db=db, bus=bus, fault_after_commit=fault_injection(os.environ))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await svc.run(db.require_current_schema)
        sweeper = asyncio.create_task(_sweep_forever(svc))
        try:
            async with running(bus), watching(svc):
                yield
        finally:
            sweeper.cancel()
            svc.escalations.close()
            if database is None:
                db.dispose()

    app = FastAPI(
        title="Yorisoi helpdesk",
        version=f"{WIRE_VERSION}.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = svc
    errors.install(app)
    for module in (escalations, talk, call, queue, kiosk, auth):
        app.include_router(module.router, prefix=API_PREFIX)
    document_wire_models(app, EscalationRequest)

    @app.get("/healthz", response_model=Health, responses={503: {"model": Health}}, tags=["health"])
    async def healthz() -> Response:
        """200 when the database answers, 503 otherwise."""
        ok = await svc.run(db.ping)
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    if web:
        from helpdesk import analytics, console

        console.mount(app)
        analytics.mount(app)

        @app.get("/", include_in_schema=False)
        async def home() -> RedirectResponse:
            """Staff land on the console."""
            return RedirectResponse("/console/", status_code=303)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Adds security headers and `Cache-Control: no-store` to every answer (plain ASGI: no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _sweep_forever(svc: Services) -> None:
    """Abandon escalations whose kiosk went silent, every `sweep_interval_s`."""
    while True:
        await asyncio.sleep(svc.settings.sweep_interval_s)
        try:
            changes = await svc.run(svc.escalations.sweep_abandoned)
        except Exception as exc:  # the database may be down for a while; try again next round
            log.warning("abandon sweep failed: %s", type(exc).__name__)
            continue
        for change in changes:
            await escalations.publish(svc, change.events)
        trim = getattr(svc.bus, "trim", None)  # the PostgreSQL bus keeps replayable events in a table
        if trim is not None:
            try:
                await svc.run(trim)
            except Exception as exc:
                log.warning("bus trim failed: %s", type(exc).__name__)


FAULT_ENV = "YORISOI_TEST_EXIT_AFTER_COMMIT"
"""Fault injection for tests (never set in production): with N, the process exits at once (as under `kill -9`: no
cleanup) after the N-th change it committed, before that change's events are published."""


def fault_injection(environment: Mapping[str, str]):
    """The fault to inject after a commit, when the test variable asks for one."""
    wanted = environment.get(FAULT_ENV, "")
    if not wanted.isdigit() or int(wanted) < 1:
        return None
    log.warning("%s=%s: this process exits after that many commits (a test of event delivery)", FAULT_ENV, wanted)
    commits = itertools.count(1)

    def after_commit() -> None:
        if next(commits) >= int(wanted):
            os._exit(137)

    return after_commit


def app_from_environment() -> FastAPI:
    """The app with settings from `YORISOI_*` (the uvicorn factory used by `yorisoi helpdesk serve`)."""
    return create_app(HelpdeskSettings())


def document_wire_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put wire models that operations read themselves (their docs name them by $ref) into /openapi.json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                found = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(found.pop("$defs", {}))
                schemas[model.__name__] = found
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
