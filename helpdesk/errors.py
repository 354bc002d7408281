"""Helpdesk errors: one class per failure, each with a stable `code` and the HTTP status it maps to."""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base class: `code` is stable (clients and tests match on it); the message is for humans."""

    code = "helpdesk-error"
    status = 400

    def __init__(self, message: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.headers = headers or {}


class InvalidTransition(HelpdeskError):
    """The escalation's state does not allow this action (e.g. resolving a waiting escalation)."""

    code = "invalid-transition"
    status = 409


class AlreadyClaimed(HelpdeskError):
    """Another staff member claimed the escalation first."""

    code = "already-claimed"
    status = 409


class ActiveLimitReached(HelpdeskError):
    """The staff member already handles as many escalations as allowed."""

    code = "active-limit-reached"
    status = 409


class IdempotencyConflict(HelpdeskError):
    """The same Idempotency-Key was used with a different body."""

    code = "idempotency-conflict"
    status = 409


class NotFound(HelpdeskError):
    """The thing does not exist, or the caller may not know that it exists."""

    code = "not-found"
    status = 404


class Unauthenticated(HelpdeskError):
    """No valid kiosk key, session or token."""

    code = "unauthenticated"
    status = 401


class Forbidden(HelpdeskError):
    """Authenticated, but the role or site scope does not allow this."""

    code = "forbidden"
    status = 403


class PasswordChangeRequired(HelpdeskError):
    """An administrator reset this member's password: they choose their own (POST /api/v1/auth/password) first."""

    code = "password-change-required"
    status = 403


class CsrfFailed(HelpdeskError):
    """A cookie-authenticated change came without the session's CSRF token."""

    code = "csrf-failed"
    status = 403


class RateLimited(HelpdeskError):
    """Too many requests from this kiosk (or login attempts); retry later."""

    code = "rate-limited"
    status = 429


class LoginThrottled(RateLimited):
    """Too many failed logins for this account or address."""

    code = "login-throttled"


class BadRequest(HelpdeskError):
    """A request the server cannot act on (e.g. a missing Idempotency-Key)."""

    code = "bad-request"
    status = 400


class AlreadyExists(HelpdeskError):
    """A site, kiosk or staff login with this id exists already."""

    code = "already-exists"
    status = 409


class DatabaseUnavailable(HelpdeskError):
    """The database does not answer; nothing was committed."""

    code = "database-unavailable"
    status = 503


class SchemaBehind(HelpdeskError):
    """The database schema is older than this code; run `yorisoi helpdesk migrate`."""

    code = "schema-behind"
    status = 503


class InvalidInput(HelpdeskError):
    """The body is well-formed but not acceptable from this caller."""

    code = "invalid-request"
    status = 422


class InvalidTransferTarget(HelpdeskError):
    """The transfer target is unknown, disabled, or does not work the escalation's site."""

    code = "invalid-transfer-target"
    status = 409
