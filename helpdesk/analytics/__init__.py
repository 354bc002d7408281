"""Trainers' analytics: SQL analyses of session events, reports, handouts, replay. `mount(app)` adds the routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from helpdesk.analytics.settings import AnalyticsSettings


def mount(app: FastAPI, settings: AnalyticsSettings | None = None) -> None:
    """Add the trainer pages and analytics API to a helpdesk app (content is loaded once, here)."""
    from content.loader import load_catalog
    from helpdesk.analytics import compare_routes
    from helpdesk.analytics.routes import build_router
    from helpdesk.analytics.settings import AnalyticsSettings

    procedures = load_catalog().procedures
    router = build_router(procedures, settings or AnalyticsSettings())
    app.include_router(router)
    app.include_router(compare_routes.build_router(procedures))
