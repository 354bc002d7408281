"""Throwaway PostgreSQL databases for tests: each run creates randomly named ones and drops them afterwards.

The server URL comes from YORISOI_TEST_POSTGRES_URL (CI: postgresql+psycopg://postgres@127.0.0.1:5432/test);
tests that need it skip with a clear reason when it is unset."""

from __future__ import annotations

import os
import uuid

import pytest

POSTGRES_ENV = "YORISOI_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    """The PostgreSQL URL to create test databases from, or skip the test."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL to test against")
    return url


def create_postgres_database(admin_url: str, prefix: str = "yorisoi_test") -> str:
    """Create a randomly named database; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    base = make_url(admin_url)
    with psycopg.connect(base.set(drivername="postgresql").render_as_string(False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    """Drop a test database, ending its leftover connections."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    base = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
