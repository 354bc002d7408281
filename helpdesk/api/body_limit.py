"""A request body limit per route, in the app itself (a 30 MB anonymous login body must not be read in full, also
when no nginx stands in front).

Plain ASGI: a declared Content-Length over the limit is refused before anything is read; a chunked body is counted
as it arrives and refused the moment it passes the limit. The answer is a JSON 413 with the limit in words.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.wire import API_PREFIX

KIB = 1024
DEFAULT_LIMIT = 64 * KIB
"""Every form and JSON body but the ones below fits easily (an escalation with 200 path steps is ~15 KiB)."""
LIMITS: tuple[tuple[str, int], ...] = (
    (f"{API_PREFIX}/events", 1024 * KIB),  # up to 1000 session events in one batch
    (f"{API_PREFIX}/auth/", 8 * KIB),  # login: a name and a password
    ("/console/login", 8 * KIB),
    ("/trainer/login", 8 * KIB),
)


def limit_for(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    for prefix, limit in LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


class BodyTooLarge(HTTPException):
    """Raised inside `receive` when a streamed body passes its limit (an HTTP error, so that FastAPI's body parsing
    passes it on as it is instead of calling it a parse error)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


def _message(limit: int) -> str:
    return f"the request body is over {limit // KIB} KiB; send less at once"


class BodyLimit:
    """Refuses (413) request bodies over their route's limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"code": "body-too-large", "message": _message(limit)}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
