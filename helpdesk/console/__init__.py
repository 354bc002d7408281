"""The staff console: live queue, escalation view and admin pages, served by the helpdesk itself.

`mount(app)` adds the pages, their JSON helpers and the static files (all shipped in this package: no CDN,
no build step, no third-party requests) to an app made by `helpdesk.api.app.create_app`.

Pages: /console/login, /console/queue (live over /api/v1/queue/stream), /console/escalations/<id>,
/console/admin/{sites,kiosks,staff,canned}. The browser works through the public JSON API (same cookie session
and CSRF header as every staff client); /console/api/* adds only what the API lacks: the resident's screen
rendered from the content files, titles, and the admin operations. 日本語 by default, English by a cookie.
"""

from __future__ import annotations

from typing import Any


def mount(app: Any) -> None:
    """Add the console's routes, templates, static files and content pictures to `app`."""
    from fastapi.staticfiles import StaticFiles
    from fastapi.templating import Jinja2Templates

    from content.loader import PACKAGED, load_catalog
    from helpdesk.console import admin, api, pages
    from helpdesk.content_store import editor_routes
    from helpdesk.content_store import routes as content_routes

    app.state.console_templates = Jinja2Templates(directory=pages.HERE / "templates")
    app.state.console_catalog = load_catalog()
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(admin.router)
    app.include_router(content_routes.router)
    app.include_router(editor_routes.router)
    app.mount("/console/static", StaticFiles(directory=pages.HERE / "static"), name="console-static")
    app.mount("/console/pictures", StaticFiles(directory=PACKAGED / "pictures"), name="console-pictures")
