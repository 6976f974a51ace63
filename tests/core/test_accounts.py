"""Accounts in a real SQLite database, without any process."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import accounts
from core.credentials import digest
from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from core.models import ApiKey, Conversation, SignIn, SignupMode, UserRole, UserStatus

PASSWORD = "a tester's own passphrase"


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as opened:
        yield opened
    await engine.dispose()


async def test_the_first_account_is_an_active_admin_and_takes_every_conversation_from_before(
    session: AsyncSession,
) -> None:
    session.add_all([Conversation(title="before accounts"), Conversation(title="also before")])
    await session.commit()
    admin = await accounts.create_user(session, "Ann@Example.com", PASSWORD, role=UserRole.user, first=True)
    assert (admin.email, admin.role, admin.status) == ("ann@example.com", UserRole.admin, UserStatus.active)
    owners = {c.owner_id for c in await session.exec(select(Conversation))}
    assert owners == {admin.id}
    with pytest.raises(accounts.SetupDone):
        await accounts.create_user(session, "bob@example.com", PASSWORD, first=True)


async def test_emails_are_one_account_however_they_are_typed(session: AsyncSession) -> None:
    await accounts.create_user(session, "ann@example.com", PASSWORD)
    with pytest.raises(accounts.EmailTaken):
        await accounts.create_user(session, "  ANN@example.COM", PASSWORD)
    assert await accounts.find_by_email(session, "Ann@Example.com") is not None
    assert await accounts.find_by_email(session, "not an address") is None
    with pytest.raises(accounts.AccountError, match="not an email address"):
        accounts.normalize_email("two@at@signs")


async def test_secrets_are_stored_only_as_hashes(session: AsyncSession) -> None:
    user = await accounts.create_user(session, "ann@example.com", PASSWORD)
    key, key_row = await accounts.create_key(session, user, "script")
    token, session_row, _ = await accounts.sign_in(
        session, user, timedelta(days=30), "agent", "127.0.0.1", 20
    )
    assert key.startswith("rck_")
    assert token.startswith("rcs_")
    stored = [row.key_hash for row in await session.exec(select(ApiKey))]
    stored += [row.token_hash for row in await session.exec(select(SignIn))]
    assert stored == [digest(key), digest(token)]
    assert key not in str(stored)
    assert token not in str(stored)
    assert (key_row.user_id, session_row.user_id) == (user.id, user.id)


async def test_a_user_keeps_only_so_many_sign_ins_the_oldest_ending_first(session: AsyncSession) -> None:
    user = await accounts.create_user(session, "ann@example.com", PASSWORD)
    made = [await accounts.sign_in(session, user, timedelta(days=1), "", "", most=3) for _ in range(5)]
    assert [ended for _, _, ended in made] == [[], [], [], [made[0][1].id], [made[1][1].id]]
    kept = {row.id for row in await session.exec(select(SignIn))}
    assert kept == {row.id for _, row, _ in made[2:]}


async def test_ending_sign_ins_keeps_the_one_asked_for(session: AsyncSession) -> None:
    user = await accounts.create_user(session, "ann@example.com", PASSWORD)
    rows = [(await accounts.sign_in(session, user, timedelta(days=1), "", "", 20))[1] for _ in range(3)]
    ended = await accounts.end_sign_ins(session, user.id, keep=rows[0].id)
    assert sorted(ended) == sorted(row.id for row in rows[1:])
    assert [row.id for row in await session.exec(select(SignIn))] == [rows[0].id]


async def test_signups_are_closed_until_an_admin_opens_them(session: AsyncSession) -> None:
    assert await accounts.signup_mode(session) == SignupMode.closed
    await accounts.set_signup_mode(session, SignupMode.approval)
    assert await accounts.signup_mode(session) == SignupMode.approval
