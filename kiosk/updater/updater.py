"""Fetch the version the helpdesk names in its heartbeat answer, in the background, onto the shelf; switch to it
only when the kiosk is on its start screen with nobody using it (a session in progress finishes on its version)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from content.pack import PackError
from helpdesk.wire import ContentRefusal, ContentReport, ContentTarget
from kiosk.updater.shelf import Loaded, PackShelf

log = logging.getLogger(__name__)

RETRY_REFUSED_S = 600.0
"""A refused version is tried again after this long (a truncated download looks like a bad hash)."""


class Updater:
    """Owns the shelf; `offer` is called from the courier's thread, `take_staged` on the UI thread."""

    def __init__(
        self,
        shelf: PackShelf,
        fetch: Callable[[str], bytes],
        *,
        clock: Callable[[], float] = time.monotonic,
        background: Callable[[Callable[[], None]], None] | None = None,
    ):
        self.shelf, self.fetch, self.clock = shelf, fetch, clock
        self.background = background or _daemon_thread
        self.refused: dict[str, tuple[float, ContentRefusal]] = {}
        self.last_error: str | None = None
        self._busy: str | None = None
        self._lock = threading.Lock()
        self._pending_values: dict[str, str] | None = None

    def offer_answer(self, answer: dict) -> None:
        """A heartbeat answer arrived: fetch its content target if it names a version we do not have."""
        raw = answer.get("content")
        if raw:
            self.offer(ContentTarget.model_validate(raw))
        values = answer.get("site_values")
        if isinstance(values, dict) and values != self.shelf.site_values():
            self.shelf.save_site_values(values)
            with self._lock:
                self._pending_values = dict(values)

    def take_site_values(self) -> dict[str, str] | None:
        """New site values to apply (call only at the start screen); None when nothing changed."""
        with self._lock:
            values, self._pending_values = self._pending_values, None
        return values

    def offer(self, target: ContentTarget) -> bool:
        """Start fetching `target` in the background unless it is current, staged, being fetched or just refused."""
        with self._lock:
            if target.version in (self.shelf.current, self.shelf.staged) or self._busy:
                return False
            refused = self.refused.get(target.version)
            if refused and self.clock() - refused[0] < RETRY_REFUSED_S:
                return False
            self._busy = target.version
        self.background(lambda: self._fetch_and_stage(target))
        return True

    def _fetch_and_stage(self, target: ContentTarget) -> None:
        from kiosk.link.client import HelpdeskCallFailed

        try:
            data = self.fetch(target.version)
            self.shelf.stage(data, target.version, target.signature)
            self.refused.pop(target.version, None)
            self.last_error = None
            log.info("content %s staged for the next start screen", target.version[:12])
        except HelpdeskCallFailed as exc:  # the network or the helpdesk went away: keep what we have, retry later
            self.last_error = exc.code
        except PackError as exc:
            log.warning("content %s refused: %s (%s)", target.version[:12], exc, exc.code)
            refusal = ContentRefusal(version=target.version, code=exc.code, message=str(exc)[:200])
            self.refused[target.version] = (self.clock(), refusal)
        finally:
            with self._lock:
                self._busy = None

    def take_staged(self) -> Loaded | None:
        """Promote the staged pack (call only at the start screen); None when nothing is waiting."""
        return self.shelf.promote()

    def report(self) -> ContentReport:
        """What the heartbeat says about content: running, staged, refused."""
        refused = [r for _, r in sorted(self.refused.values(), key=lambda pair: pair[0])][-10:]
        return ContentReport(running=self.shelf.current, staged=self.shelf.staged, refused=refused)

    def status_line(self) -> str:
        """One line for the maintenance screen."""
        parts = [f"pack {self.shelf.current[:12]}" if self.shelf.current else "no pack (content folder)"]
        if self.shelf.staged:
            parts.append(f"next {self.shelf.staged[:12]} at the start screen")
        if self._busy:
            parts.append(f"downloading {self._busy[:12]}")
        parts += [f"REFUSED {r.version[:12]}: {r.code}" for _, r in self.refused.values()]
        if self.last_error:
            parts.append(f"last download: {self.last_error}")
        return "; ".join(parts)


def _daemon_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, daemon=True, name="content-updater").start()
