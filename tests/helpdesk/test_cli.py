"""`yorisoi helpdesk ...` administration commands on a temporary SQLite database (YORISOI_DATABASE_URL)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from helpdesk import security
from helpdesk.database import Database
from helpdesk.store import accounts
from yorisoi.cli import main

GOOD_PASSWORD = "a long enough password"


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("YORISOI_DATABASE_URL", database_url)
    return database_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["helpdesk", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_refuse_until_migrated(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "add-site", "north", "--name", "北")
    assert code == 1 and "yorisoi helpdesk migrate" in err and "schema-behind" in err
    code, _, err = run(capsys, "serve", "--no-migrate", "--port", "1")
    assert code == 1 and "schema-behind" in err
    assert run(capsys, "migrate")[0] == 0
    assert Database(url).schema_is_current()


def test_sites_kiosks_and_keys(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "migrate")
    code, out, _ = run(capsys, "add-site", "north", "--name", "北公民館", "--fallback-phone", "03-0000-0000")
    assert code == 0
    code, _, err = run(capsys, "add-site", "north", "--name", "again")
    assert code == 1 and "already-exists" in err
    code, out, _ = run(capsys, "add-kiosk", "north-1", "--site", "north")
    key = out.strip().splitlines()[-1]
    assert code == 0 and key.startswith("yk_") and " " not in key
    db = Database(url)
    keys = accounts.KioskKeys(db, ttl_s=0)
    assert keys.lookup(key) == accounts.KioskPrincipal("north-1", "north")
    code, out, _ = run(capsys, "rotate-kiosk-key", "north-1")
    new_key = out.strip().splitlines()[-1]
    assert code == 0 and keys.lookup(key) is None and keys.lookup(new_key) is not None
    assert run(capsys, "revoke-kiosk", "north-1")[0] == 0
    assert keys.lookup(new_key) is None
    assert run(capsys, "revoke-kiosk", "nowhere")[0] == 1
    db.dispose()


def test_staff_accounts_take_passwords_only_from_stdin_or_prompt(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "migrate")
    run(capsys, "add-site", "north", "--name", "北")
    with pytest.raises(SystemExit):
        main(["helpdesk", "add-staff", "alice", "--role", "staff", "--password", GOOD_PASSWORD])
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "add-staff", "alice", "--role", "staff", "--site", "north", "--password-stdin")
    assert code == 1 and "12 characters" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    code, out, _ = run(capsys, "add-staff", "alice", "--role", "staff", "--site", "north", "--password-stdin")
    assert code == 0 and GOOD_PASSWORD not in out
    prompts = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(prompts))
    assert run(capsys, "add-staff", "tina", "--role", "trainer", "--site", "north")[0] == 0
    db = Database(url)
    account = accounts.find_login(db, "alice")
    assert account is not None and security.verify_password(account.password_hash, GOOD_PASSWORD)
    assert GOOD_PASSWORD not in account.password_hash
    assert run(capsys, "disable-staff", "alice")[0] == 0
    assert accounts.find_login(db, "alice").disabled  # type: ignore[union-attr]
    db.dispose()


def test_purge_reports_counts_and_refuses_zero_days(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "migrate")
    code, out, _ = run(capsys, "purge", "--older-than", "180")
    assert code == 0 and "session_events=0" in out
    assert run(capsys, "purge", "--older-than", "0")[0] == 1


def test_serve_refuses_several_workers_on_sqlite(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve", "--workers", "2", "--port", "1")
    assert code == 1 and "workers-need-postgres" in err and "PostgreSQL" in err
    assert not Database(url).schema_is_current()  # refused before it touched anything
    with pytest.raises(SystemExit):
        main(["helpdesk", "serve", "--workers", "0"])
    assert "1 or more" in capsys.readouterr().err


def test_worker_count_defaults_by_database() -> None:
    from helpdesk.cli import worker_count

    assert worker_count(None, postgres=False) == 1
    assert worker_count(1, postgres=False) == 1
    assert worker_count(None, postgres=True, cpus=1) == 2  # the bus crosses processes: at least two
    assert worker_count(None, postgres=True, cpus=4) == 4
    assert worker_count(None, postgres=True, cpus=64) == 8
    assert worker_count(3, postgres=True, cpus=64) == 3
