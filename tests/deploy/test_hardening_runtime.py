"""The helpdesk-side programs really run under the limits their units set: NoNewPrivileges=,
MemoryDenyWriteExecute=, RestrictAddressFamilies= and the SystemCallFilter= allow-list (applied by tests/deploy/sandbox.py the way systemd
applies them). Python, argon2-cffi, psycopg/libpq, SQLite and pg_dump must all work inside them."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DEPLOY, sandbox_problem, sandboxed

YORISOI = str(Path(sys.executable).with_name("yorisoi"))


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    problem = sandbox_problem()
    if problem:
        pytest.skip(problem)


def _run(unit: str, command: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YORISOI_DATABASE_URL": url, "YORISOI_PYTHON": sys.executable}
    return subprocess.run(sandboxed(unit, command), env=env, capture_output=True, text=True, timeout=180, check=False)


def test_the_sandbox_enforces_the_limits() -> None:
    """A call outside the filter (setpriority, in @resources) and a writable+executable mapping are refused."""
    nice = subprocess.run(
        sandboxed("yorisoi-helpdesk.service", ["/usr/bin/nice", "-n", "5", "/bin/true"]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert "cannot set niceness: Operation not permitted" in nice.stderr  # GNU nice goes on regardless
    outside = subprocess.run(["/usr/bin/nice", "-n", "5", "/bin/true"], capture_output=True, text=True, check=False)
    assert outside.stderr == ""
    probe = "import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
    wx = subprocess.run(
        sandboxed("yorisoi-helpdesk.service", [sys.executable, "-c", probe]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert wx.returncode != 0 and "Permission denied" in wx.stderr
    families = (
        "import socket\n"
        "socket.socket(socket.AF_INET6).close(); socket.socket(socket.AF_UNIX).close()\n"
        "socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\n"
    )
    netlink = subprocess.run(
        sandboxed("yorisoi-helpdesk.service", [sys.executable, "-c", families]), capture_output=True, text=True
    )
    assert netlink.returncode != 0 and "Operation not permitted" in netlink.stderr
    assert netlink.stderr.count("Error") == 1  # INET6 and UNIX went through; only NETLINK was refused
    status = subprocess.run(
        sandboxed("yorisoi-helpdesk.service", ["/bin/cat", "/proc/self/status"]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "NoNewPrivs:\t1" in status and "Seccomp:\t2" in status


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get("YORISOI_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("YORISOI_TEST_POSTGRES_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    psycopg = pytest.importorskip("psycopg")
    name = f"yorisoi_hardening_{secrets.token_hex(6)}"
    with psycopg.connect(base.replace("+psycopg", "", 1), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield base.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migrate_purge_and_backup_work_inside_their_units_limits(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue(f"{backend}_url")
    done = _run("yorisoi-migrate.service", [YORISOI, "helpdesk", "migrate"], url)
    assert done.returncode == 0, done.stderr
    done = _run("yorisoi-purge.service", [YORISOI, "helpdesk", "purge", "--older-than", "180"], url)
    assert done.returncode == 0, done.stderr
    done = _run("yorisoi-backup.service", [str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], url)
    assert done.returncode == 0, done.stderr
    (backup,) = (tmp_path / "backups").glob("helpdesk-*")
    if backend == "sqlite":
        with sqlite3.connect(backup) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    else:
        assert backup.read_bytes().startswith(b"PGDMP")
