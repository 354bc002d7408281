"""The kiosk's HTTP client for the helpdesk: one interface (later driven by the durable outbox), timeouts on every
call, TLS verification on. Imports only `helpdesk.wire` from the helpdesk, so a kiosk needs no FastAPI."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from helpdesk.wire import (
    API_PREFIX,
    CallSignal,
    CallStarted,
    ErrorBody,
    EscalationRequest,
    EscalationStatus,
    EventBatchResult,
    HeartbeatAck,
    KioskHeartbeat,
    MessageList,
    ResidentAnswer,
    SessionEventBatch,
    StaffMessage,
    StepThresholds,
)

CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = 10.0


class HelpdeskCallFailed(Exception):
    """A helpdesk call failed; `code` is stable (`helpdesk-unreachable`, or the server's error code)."""

    code = "helpdesk-error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code or self.code
        self.status = status


class HelpdeskUnreachable(HelpdeskCallFailed):
    """No answer: connection refused, timeout, TLS failure, or a 5xx. Worth retrying with the same key."""

    code = "helpdesk-unreachable"


class HelpdeskRefused(HelpdeskCallFailed):
    """The helpdesk answered with a 4xx: retrying the same request will not help."""

    code = "helpdesk-refused"


class Helpdesk(Protocol):
    """What the kiosk asks of the helpdesk. The HTTP client implements it; tests use a fake with the same methods."""

    def create_escalation(self, request: EscalationRequest, idempotency_key: str) -> EscalationStatus: ...
    def escalation(self, escalation_id: str) -> EscalationStatus: ...
    def messages(self, escalation_id: str, after: int = 0, wait_s: float = 0) -> MessageList: ...
    def cancel(self, escalation_id: str) -> EscalationStatus: ...
    def send_events(self, batch: SessionEventBatch) -> EventBatchResult: ...
    def heartbeat(self, beat: KioskHeartbeat) -> HeartbeatAck: ...
    def step_thresholds(self) -> StepThresholds: ...
    def answer(self, escalation_id: str, answer: ResidentAnswer, idempotency_key: str) -> StaffMessage: ...
    def call_signal(self, escalation_id: str, signal: CallSignal) -> None: ...
    def call_ice_servers(self, escalation_id: str, call_id: str) -> CallStarted: ...
    def content_pack(self, version: str) -> bytes: ...


class HelpdeskClient:
    """`Helpdesk` over HTTPS with requests: bearer kiosk key, verified TLS (optionally a private CA file)."""

    def __init__(
        self, base_url: str, kiosk_key: str, *, ca_file: Path | None = None, timeout_s: float = READ_TIMEOUT_S
    ):
        import requests

        self.base_url = base_url.rstrip("/")
        self.timeout = (CONNECT_TIMEOUT_S, timeout_s)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {kiosk_key}"
        self.session.headers["User-Agent"] = "yorisoi-kiosk"
        self.session.verify = str(ca_file) if ca_file else True

    def _call(self, method: str, path: str, *, body=None, headers=None, params=None, read_s: float | None = None):
        import requests

        timeout = (self.timeout[0], read_s if read_s is not None else self.timeout[1])
        try:
            response = self.session.request(
                method,
                f"{self.base_url}{API_PREFIX}{path}",
                # optional fields left empty are not sent: a helpdesk older than a wire addition still accepts them
                data=body.model_dump_json(exclude_none=True) if body is not None else None,
                headers={"Content-Type": "application/json", **(headers or {})},
                params=params,
                timeout=timeout,
            )
        except requests.RequestException as exc:
            raise HelpdeskUnreachable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise HelpdeskUnreachable(f"{method} {path}: HTTP {response.status_code}", status=response.status_code)
        if response.status_code >= 400:
            raise _refused(method, path, response)
        return response.content

    def create_escalation(self, request: EscalationRequest, idempotency_key: str) -> EscalationStatus:
        """Ask for a staff member; retries must reuse `idempotency_key` (the server then returns the same one)."""
        raw = self._call("POST", "/escalations", body=request, headers={"Idempotency-Key": idempotency_key})
        return EscalationStatus.model_validate_json(raw)

    def escalation(self, escalation_id: str) -> EscalationStatus:
        """Status, queue position and estimated wait of an escalation."""
        return EscalationStatus.model_validate_json(self._call("GET", f"/escalations/{escalation_id}"))

    def messages(self, escalation_id: str, after: int = 0, wait_s: float = 0) -> MessageList:
        """Messages after id `after`; with `wait_s`, a long-poll held by the server until one arrives."""
        params = {"after": after, "wait": wait_s}
        raw = self._call("GET", f"/escalations/{escalation_id}/messages", params=params, read_s=wait_s + 10)
        return MessageList.model_validate_json(raw)

    def cancel(self, escalation_id: str) -> EscalationStatus:
        """The resident left: staff should not answer an empty kiosk."""
        return EscalationStatus.model_validate_json(self._call("POST", f"/escalations/{escalation_id}/cancel"))

    def send_events(self, batch: SessionEventBatch) -> EventBatchResult:
        """Deliver pseudonymous session events (a resent batch is counted as duplicates, not stored twice)."""
        return EventBatchResult.model_validate_json(self._call("POST", "/events", body=batch))

    def heartbeat(self, beat: KioskHeartbeat) -> HeartbeatAck:
        """Report the kiosk's status; the answer carries the site's fallback phone."""
        return HeartbeatAck.model_validate_json(self._call("POST", "/kiosks/heartbeat", body=beat))

    def step_thresholds(self) -> StepThresholds:
        """Per-step stuck thresholds learned from past sessions (for the kiosk's offer of help)."""
        return StepThresholds.model_validate_json(self._call("GET", "/analytics/step-thresholds"))

    def answer(self, escalation_id: str, answer: ResidentAnswer, idempotency_key: str) -> StaffMessage:
        """The resident's answer to staff; retries reuse `idempotency_key` (stored once)."""
        raw = self._call(
            "POST", f"/escalations/{escalation_id}/answers", body=answer, headers={"Idempotency-Key": idempotency_key}
        )
        return StaffMessage.model_validate_json(raw)

    def call_signal(self, escalation_id: str, signal: CallSignal) -> None:
        """One call signal to staff (not through the outbox: a call signal is worthless a few seconds later)."""
        self._call("POST", f"/escalations/{escalation_id}/call/signal", body=signal, read_s=5.0)

    def call_ice_servers(self, escalation_id: str, call_id: str) -> CallStarted:
        """STUN/TURN servers for this call, TURN credentials minted for this kiosk."""
        raw = self._call("GET", f"/escalations/{escalation_id}/call/ice-servers", params={"call_id": call_id})
        return CallStarted.model_validate_json(raw)

    def content_pack(self, version: str) -> bytes:
        """The bytes of a content pack (unverified: the updater checks hash and signature before any use)."""
        return self._call("GET", f"/content/packs/{version}", read_s=60.0)

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()


def _refused(method: str, path: str, response) -> HelpdeskRefused:
    try:
        error = ErrorBody.model_validate_json(response.content)
        return HelpdeskRefused(f"{method} {path}: {error.message}", code=error.code, status=response.status_code)
    except ValueError:
        return HelpdeskRefused(f"{method} {path}: HTTP {response.status_code}", status=response.status_code)
