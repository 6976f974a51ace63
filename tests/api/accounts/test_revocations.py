"""Holding a stream: a revocation heard between a request's sign-in and its stream ends the stream;
with none heard, opening a stream reads nothing (real SQLite and Redis, no API process)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import delete

from api.accounts.authenticator import Authenticator, Principal
from api.accounts.revocations import Revocations
from core import accounts
from core.db import Sessionmaker, make_engine, make_sessionmaker
from core.migrate import upgrade
from core.models import ApiKey


async def account_with_key(tmp_path: Path) -> tuple[AsyncEngine, Sessionmaker, str]:
    """A migrated SQLite database with one account, and an API key of it."""
    url = f"sqlite:///{tmp_path / 'held.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        user = await accounts.create_user(session, "ann@relaychat.test", "a tester's passphrase", first=True)
        key, _ = await accounts.create_key(session, user, "tests")
    return engine, sessionmaker, key


@pytest.fixture
async def signed_in(
    tmp_path: Path, redis: Redis
) -> AsyncIterator[tuple[Authenticator, Revocations, Principal, Sessionmaker]]:
    engine, sessionmaker, key = await account_with_key(tmp_path)
    authenticator = Authenticator(sessionmaker, timedelta(days=1))
    principal = await authenticator.by_key(key)
    assert principal is not None
    yield authenticator, Revocations(redis, authenticator), principal, sessionmaker
    await engine.dispose()


async def delete_key(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker() as session:
        await session.exec(delete(ApiKey))
        await session.commit()


async def test_a_revocation_heard_after_the_sign_in_ends_the_stream_it_opens(
    signed_in: tuple[Authenticator, Revocations, Principal, Sessionmaker],
) -> None:
    authenticator, revocations, principal, sessionmaker = signed_in
    checked_at = authenticator.generation  # the request is signed in
    await delete_key(sessionmaker)
    authenticator.forget(key_id=principal.key_id)  # the announcement, heard before the stream is held
    revoked = asyncio.Event()
    async with revocations.hold(principal, revoked, checked_at):
        assert revoked.is_set()


async def test_with_no_revocation_heard_a_stream_opens_without_reading_the_database(
    signed_in: tuple[Authenticator, Revocations, Principal, Sessionmaker],
) -> None:
    authenticator, revocations, principal, sessionmaker = signed_in
    checked_at = authenticator.generation
    await delete_key(sessionmaker)  # a lookup now would find the key gone: none is made
    revoked = asyncio.Event()
    async with revocations.hold(principal, revoked, checked_at):
        assert not revoked.is_set()


async def test_a_revoked_key_is_refused_at_once_by_the_process_that_revoked_it(
    tmp_path: Path, redis: Redis
) -> None:
    # Regression: the revoking request's own process served the credential from its two-second
    # cache until its own announcement came back through Redis (a revoked session answered 200).
    engine, sessionmaker, key = await account_with_key(tmp_path)
    authenticator = Authenticator(sessionmaker, timedelta(days=1))
    principal = await authenticator.by_key(key)
    assert principal is not None
    await delete_key(sessionmaker)
    assert await authenticator.by_key(key) is not None  # still cached: nothing said otherwise yet
    revocations = Revocations(redis, authenticator)  # not listening: it hears no announcement back
    await revocations.revoke(redis, key_id=principal.key_id)
    assert await authenticator.by_key(key) is None
    await engine.dispose()
