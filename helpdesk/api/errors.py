"""Every error leaves as JSON `{"code", "message"}` with a stable code; never a stack trace (a browser asking for
a trainer page without a session is sent to the login page instead)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from helpdesk.errors import HelpdeskError, Unauthenticated
from helpdesk.wire import ErrorBody

log = logging.getLogger("helpdesk.api")

HTTP_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    401: "unauthenticated",
    403: "forbidden",
    413: "body-too-large",
}
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        400: "Bad request",
        401: "Not authenticated",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        422: "Invalid input",
        429: "Too many requests",
        503: "Database unavailable",
    }.items()
}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error answer."""
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this request's path (for a 405's Allow header)."""
    from starlette.routing import Match

    def answers(route, method: str) -> bool:
        if route.matches({**request.scope, "method": method})[0] is not Match.FULL:
            return False
        inner = getattr(route, "routes", None)
        if getattr(route, "methods", None) is not None or inner is None:
            return True
        return any(answers(child, method) for child in inner)  # an included router: ask its own routes

    return [m for m in METHODS if any(answers(route, m) for route in request.app.router.routes)]


def _wants_page(request: Request) -> bool:
    """A browser navigating to a trainer page (not a script fetching JSON, a CSV or a PDF)."""
    path = request.url.path
    html = "text/html" in request.headers.get("accept", "")
    return html and request.method == "GET" and path.startswith("/trainer/") and "." not in path.rsplit("/", 1)[-1]


def install(app: FastAPI) -> None:
    """Register the exception handlers on `app`."""

    @app.exception_handler(HelpdeskError)
    async def _helpdesk(request: Request, exc: HelpdeskError) -> Response:
        if isinstance(exc, Unauthenticated) and _wants_page(request):  # a person at a browser: the login page
            return RedirectResponse("/console/login", status_code=303)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(422, "invalid-request", f"{where}: {first.get('msg', 'invalid input')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, f"http-{exc.status_code}")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Starlette names the first matching route's methods; a path may have several
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return error_response(exc.status_code, code, str(exc.detail), headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
        return error_response(500, "internal-error", "something went wrong on the server")
