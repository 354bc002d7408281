"""Storage on a real database: SQLite always, PostgreSQL when YORISOI_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from helpdesk import errors
from helpdesk.database import Database
from helpdesk.settings import HelpdeskSettings
from helpdesk.store import accounts, journal
from helpdesk.store.escalations import EscalationStore, NotClaimer
from helpdesk.tables import escalations, messages, metadata, session_events
from helpdesk.wire import EscalationRequest, SessionEvent, SessionEventBatch

from .conftest import World


def request(**overrides: object) -> EscalationRequest:
    body = {
        "session_id": uuid.uuid4().hex,
        "procedure_id": "moving-in",
        "step_id": "insert-card",
        "language": "ja",
        "reason": "card-unreadable",
        "path": [{"step_id": "start", "seconds": 2.0}],
    }
    body.update(overrides)
    return EscalationRequest.model_validate(body)


def member(db: Database, login: str) -> accounts.StaffPrincipal:
    account = accounts.find_login(db, login)
    assert account is not None
    _, token = accounts.create_api_token(db, staff_id=account.id, name="test")
    found = accounts.staff_by_token(db, token)
    assert found is not None
    return found


@pytest.fixture
def store(db: Database) -> Iterator[EscalationStore]:
    escalation_store = EscalationStore(db, HelpdeskSettings(active_limit_per_staff=2))
    yield escalation_store
    escalation_store.close()


def test_schema_matches_the_tables_after_migration(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert db.schema_is_current()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_create_is_idempotent_per_kiosk_and_key(store: EscalationStore, world: World) -> None:
    kiosk = world.kiosk("north-1")
    body = request()
    first, created = store.create(kiosk, "key-1", body)
    again, created_again = store.create(kiosk, "key-1", body)
    assert created and not created_again and again["id"] == first["id"]
    for column in ("created_at", "updated_at", "kiosk_contact_at", "path", "session_id", "reason", "status"):
        assert again[column] == first[column], column  # what was written is what is read back
    with pytest.raises(errors.IdempotencyConflict):
        store.create(kiosk, "key-1", request(reason="other"))
    other, created_other = store.create(world.kiosk("north-2"), "key-1", body)
    assert created_other and other["id"] != first["id"]
    with store.db.read() as conn:
        assert len(conn.execute(select(escalations.c.id)).all()) == 2


def test_concurrent_creates_with_one_key_store_one_escalation(store: EscalationStore, world: World) -> None:
    kiosk, body = world.kiosk("north-1"), request()
    results: list[str] = []
    barrier = threading.Barrier(8)

    def post() -> None:
        barrier.wait()
        results.append(store.create(kiosk, "same-key", body)[0]["id"])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and len(set(results)) == 1


def test_concurrent_claims_have_exactly_one_winner(store: EscalationStore, world: World, db: Database) -> None:
    row, _ = store.create(world.kiosk("north-1"), "k", request())
    claimers = [member(db, "alice"), member(db, "bob")] * 4
    outcomes: list[str] = []
    barrier = threading.Barrier(len(claimers))

    def claim(who: accounts.StaffPrincipal) -> None:
        barrier.wait()
        try:
            store.claim(who, row["id"])
            outcomes.append("won")
        except errors.AlreadyClaimed as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=claim, args=(who,)) for who in claimers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1
    assert outcomes.count("already-claimed") == len(claimers) - 1


def test_lifecycle_release_transfer_resolve(store: EscalationStore, world: World, db: Database) -> None:
    alice, bob = member(db, "alice"), member(db, "bob")
    row, _ = store.create(world.kiosk("north-1"), "k", request())
    with pytest.raises(errors.InvalidTransition):
        store.resolve(alice, row["id"], "solved")
    store.claim(alice, row["id"])
    with pytest.raises(NotClaimer):
        store.release(bob, row["id"])
    row, change = store.release(alice, row["id"])
    assert row["status"] == "waiting" and row["claimed_by"] is None and change.action == "release"
    store.claim(bob, row["id"])
    row, _ = store.transfer(bob, row["id"], "alice")
    assert row["claimed_by"] == alice.id and row["status"] == "claimed"
    with pytest.raises(errors.InvalidTransferTarget):
        store.transfer(alice, row["id"], "carol")  # carol works another site
    with pytest.raises(errors.BadRequest):
        store.resolve(alice, row["id"], "made-up-outcome")
    row, _ = store.resolve(alice, row["id"], "solved")
    assert row["status"] == "resolved" and row["outcome"] == "solved"
    with pytest.raises(errors.InvalidTransition):
        store.cancel(world.kiosk("north-1"), row["id"])
    texts = [m["text"] for m in store.messages_after(alice, row["id"], 0)[0]]
    assert texts == ["claimed", "released", "claimed", "transferred", "resolved"]


def test_kiosk_cancels_and_active_limit_holds(store: EscalationStore, world: World, db: Database) -> None:
    alice = member(db, "alice")
    ids = [store.create(world.kiosk("north-1"), f"k{i}", request())[0]["id"] for i in range(3)]
    store.claim(alice, ids[0])
    store.claim(alice, ids[1])
    with pytest.raises(errors.ActiveLimitReached):
        store.claim(alice, ids[2])
    row, _ = store.cancel(world.kiosk("north-1"), ids[0])
    assert row["status"] == "cancelled"
    store.claim(alice, ids[2])


def test_scoping_hides_other_kiosks_and_sites(store: EscalationStore, world: World, db: Database) -> None:
    row, _ = store.create(world.kiosk("north-1"), "k", request())
    for caller in (world.kiosk("north-2"), world.kiosk("south-1"), member(db, "carol"), member(db, "tina")):
        with pytest.raises(errors.NotFound):
            store.get(caller, row["id"])
    assert store.get(member(db, "alice"), row["id"])["id"] == row["id"]


def test_positions_follow_the_queue(store: EscalationStore, world: World, db: Database) -> None:
    rows = [store.create(world.kiosk("north-1"), f"k{i}", request())[0] for i in range(3)]
    assert [store.position_and_wait(r)[0] for r in rows] == [1, 2, 3]
    store.claim(member(db, "alice"), rows[0]["id"])
    assert [store.position_and_wait(store.get(world.kiosk("north-1"), r["id"]))[0] for r in rows] == [None, 1, 2]
    assert store.position_and_wait(store.get(world.kiosk("north-1"), rows[2]["id"])) == (
        2,
        2 * store.settings.default_handling_s,
    )


def test_messages_are_screened_before_storage(store: EscalationStore, world: World, db: Database) -> None:
    alice = member(db, "alice")
    row, _ = store.create(world.kiosk("north-1"), "k", request())
    store.claim(alice, row["id"])
    store.post_message(alice, row["id"], kind="text", text="番号は 1234 5678 9012、電話は 090-1234-5678 です")
    with db.read() as conn:
        stored = conn.execute(select(messages.c.text).where(messages.c.sender == "staff")).scalar_one()
    assert "1234" not in stored and "090" not in stored and "[番号]" in stored and "[電話番号]" in stored


def test_silent_kiosks_escalations_are_abandoned(store: EscalationStore, world: World) -> None:
    row, _ = store.create(world.kiosk("north-1"), "k", request())
    fresh, _ = store.create(world.kiosk("north-1"), "k2", request())
    with store.db.write() as conn:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=store.settings.abandon_after_s + 5)
        conn.execute(update(escalations).where(escalations.c.id == row["id"]).values(kiosk_contact_at=old))
    changes = store.sweep_abandoned()
    assert [c.escalation_id for c in changes] == [row["id"]]
    assert store.get(world.kiosk("north-1"), row["id"])["status"] == "abandoned"
    assert store.get(world.kiosk("north-1"), fresh["id"])["status"] == "waiting"


def event(kiosk_id: str, at: dt.datetime) -> SessionEvent:
    return SessionEvent(
        event_id=uuid.uuid4(),
        session_id=uuid.uuid4().hex,
        kiosk_id=kiosk_id,
        procedure_id="moving-in",
        step_id="start",
        action="next",
        seconds=1.5,
        at=at,
    )


def test_session_events_are_stored_once(db: Database, world: World) -> None:
    now = dt.datetime.now(dt.UTC)
    batch = SessionEventBatch(events=[event("north-1", now) for _ in range(5)])
    assert journal.ingest_events(db, world.kiosk("north-1"), batch) == (5, 0)
    assert journal.ingest_events(db, world.kiosk("north-1"), batch) == (0, 5)
    with pytest.raises(errors.Forbidden):
        journal.ingest_events(db, world.kiosk("north-2"), batch)


def test_purge_removes_only_what_is_past_retention(db: Database, world: World, store: EscalationStore) -> None:
    now = dt.datetime.now(dt.UTC)
    old, recent = now - dt.timedelta(days=200), now - dt.timedelta(days=10)
    batch = SessionEventBatch(events=[event("north-1", old), event("north-1", recent)])
    journal.ingest_events(db, world.kiosk("north-1"), batch)
    row, _ = store.create(world.kiosk("north-1"), "k", request())
    store.cancel(world.kiosk("north-1"), row["id"])
    with db.write() as conn:
        conn.execute(update(escalations).values(ended_at=old))
    counts = journal.purge(db, older_than_days=180)
    assert counts["session_events"] == 1 and counts["escalations"] == 1 and counts["messages"] == 1
    with db.read() as conn:
        assert conn.execute(select(session_events.c.at)).scalars().all() == [recent]


def test_kiosk_keys_rotate_and_revoke(db: Database, world: World) -> None:
    keys = accounts.KioskKeys(db, ttl_s=0)
    assert keys.lookup(world.keys["north-1"]) == world.kiosk("north-1")
    new_key, _ = accounts.rotate_kiosk_key(db, kiosk_id="north-1")
    assert keys.lookup(world.keys["north-1"]) is None
    assert keys.lookup(new_key) == world.kiosk("north-1")
    accounts.revoke_kiosk(db, kiosk_id="north-1")
    assert keys.lookup(new_key) is None
    assert keys.lookup("yk_" + "x" * 43) is None


def test_disabling_staff_ends_sessions_and_tokens(db: Database) -> None:
    account = accounts.find_login(db, "bob")
    assert account is not None
    session, _csrf = accounts.start_session(db, staff_id=account.id, max_age_s=600)
    _, token = accounts.create_api_token(db, staff_id=account.id, name="script")
    assert accounts.staff_by_session(db, session) is not None and accounts.staff_by_token(db, token) is not None
    accounts.disable_staff(db, login="bob")
    assert accounts.staff_by_session(db, session) is None and accounts.staff_by_token(db, token) is None


def test_accounts_refuse_duplicates_weak_passwords_and_unknown_sites(db: Database) -> None:
    with pytest.raises(errors.AlreadyExists):
        accounts.add_site(db, site_id="north", name="again")
    with pytest.raises(errors.BadRequest):
        accounts.add_staff(db, login=f"u{uuid.uuid4().hex[:8]}", role="staff", password="short", site_ids=[])
    with pytest.raises(errors.NotFound):
        accounts.add_kiosk(db, kiosk_id=f"k{uuid.uuid4().hex[:8]}", site_id="nowhere")
    with pytest.raises(errors.AlreadyExists):
        accounts.add_kiosk(db, kiosk_id="north-1", site_id="north")


def test_connections_are_durable(db: Database) -> None:
    from sqlalchemy import text

    with db.read() as conn:
        if db.is_sqlite:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        else:
            assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
