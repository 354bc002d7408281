"""Group commit for SQLite: one thread writes the requests that arrive together in one transaction.

SQLite with synchronous=FULL pays one fsync per commit, and only one writer can commit at a time, so
committing each escalation alone caps throughput at 1/fsync. Here callers hand their work to a single
writer thread that runs everything waiting (up to `max_batch`) in one transaction; each caller gets its
own result or error only after that transaction has committed — never an answer without a commit.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Connection

from helpdesk.database import Database
from helpdesk.errors import HelpdeskError

Work = Callable[..., Any]
_STOP = object()


class GroupWriter:
    """Runs `work(conn, *args)` for every submission; submissions that queue up share a transaction."""

    def __init__(self, db: Database, work: Work, max_batch: int = 64) -> None:
        self.db = db
        self.work = work
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="helpdesk-group-writer", daemon=True)
        self._thread.start()

    def submit(self, *args: Any) -> Any:
        """Run the work in the next transaction and return its result once committed (or raise)."""
        future: Future = Future()
        self._queue.put((args, future))
        return future.result()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Finish what is queued, then end the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    self._commit(batch)
                    return
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[tuple[tuple, Future]]) -> None:
        outcomes: list[tuple[Future, Any, BaseException | None]] = []
        try:
            with self.db.write() as conn:
                for args, future in batch:
                    outcomes.append(self._one(conn, args, future))
        except BaseException as exc:  # the transaction failed: nobody's work was committed
            for _args, future in batch:
                future.set_exception(exc)
            return
        for future, result, error in outcomes:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _one(self, conn: Connection, args: tuple, future: Future) -> tuple[Future, Any, BaseException | None]:
        try:
            return future, self.work(conn, *args), None
        except HelpdeskError as exc:  # refused before writing anything (e.g. an idempotency conflict)
            return future, None, exc
