"""The SQLite group writer: shared transactions, per-caller errors, nothing acknowledged without a commit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from helpdesk.database import Database
from helpdesk.errors import IdempotencyConflict
from helpdesk.store.group_writer import GroupWriter


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'g.sqlite3'}")
    with database.write() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    yield database
    database.dispose()


def insert(conn, n: int) -> int:  # type: ignore[no-untyped-def]
    if n < 0:
        raise IdempotencyConflict("refused before writing")
    conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    return n


def test_concurrent_submissions_share_transactions_and_each_gets_its_answer(db: Database) -> None:
    writer = GroupWriter(db, insert)
    results: dict[int, object] = {}
    barrier = threading.Barrier(20)

    def submit(n: int) -> None:
        barrier.wait()
        try:
            results[n] = writer.submit(n)
        except IdempotencyConflict as exc:
            results[n] = exc.code

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(-2, 18)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.stop()
    assert results[-2] == results[-1] == "idempotency-conflict"
    assert [results[n] for n in range(18)] == list(range(18))
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 18


def test_a_failed_transaction_fails_every_caller_in_it(db: Database) -> None:
    writer = GroupWriter(db, insert)
    writer.submit(1)
    with pytest.raises(IntegrityError):
        writer.submit(1)  # the commit fails: the caller is told, nothing is acknowledged
    assert writer.submit(2) == 2  # and the writer carries on
    writer.stop()
