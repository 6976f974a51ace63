"""A throwaway Postgres database on the machine's server, for running database tests there too."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

ADMIN_URL = os.environ.get("RELAYCHAT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def reachable() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@contextmanager
def temporary_database() -> Iterator[str]:
    """A new, empty database; dropped afterwards. Skips (or fails, in CI) without a server."""
    if not reachable():
        if os.environ.get("RELAYCHAT_REQUIRE_POSTGRES"):
            pytest.fail(f"RELAYCHAT_REQUIRE_POSTGRES is set but no Postgres answers at {ADMIN_URL}")
        pytest.skip(f"no Postgres server at {ADMIN_URL}")
    name = f"relaychat_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
