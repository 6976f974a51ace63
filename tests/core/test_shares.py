"""Shared links in a real database: the token kept only as its hash, the copy's messages, a new
link replacing the old, and the site's switch that hides every link without deleting one."""

import asyncio
import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import shares
from core.db import make_engine, make_sessionmaker
from core.models import Conversation, Message, Role, Share, Status
from tests.support.seeded import seeded


@pytest.fixture
async def session(empty_database: str) -> AsyncIterator[AsyncSession]:
    async for opened in seeded(empty_database, "owner@example.com", "Plans"):
        yield opened


async def add(
    session: AsyncSession, role: Role, parent: Message | None, content: str, status: Status
) -> Message:
    message = Message(
        conversation_id="c",
        role=role,
        parent_id=parent.id if parent else None,
        content=content,
        status=status,
    )
    session.add(message)
    await session.commit()
    return message


async def test_a_link_keeps_its_hash_and_a_copy_of_what_may_be_seen(session: AsyncSession) -> None:
    question = await add(session, Role.user, None, "q1", Status.complete)
    failed = await add(session, Role.assistant, question, "", Status.failed)
    again = await add(session, Role.user, failed, "q2", Status.complete)
    silent = await add(session, Role.assistant, again, " ", Status.stopped)
    retried = await add(session, Role.user, silent, "q3", Status.complete)
    running = await add(session, Role.assistant, retried, "partial", Status.streaming)
    conversation = await session.get(Conversation, "c")
    assert conversation is not None

    token, row = await shares.share(session, conversation, running.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = list(await session.exec(select(Share)))
    assert len(stored) == 1
    assert token not in repr(stored[0].model_dump())
    shown = await shares.shared(session, token)
    assert shown is not None
    assert (shown.title, [m.content for m in shown.messages]) == ("Plans", ["q1", "q2", "q3"])

    newer, _ = await shares.share(session, conversation, running.id)
    assert await shares.shared(session, token) is None
    assert len(list(await session.exec(select(Share)))) == 1

    assert await shares.sharing_on(session)
    await shares.set_sharing(session, False)
    assert await shares.shared(session, newer) is None
    with pytest.raises(shares.SharingOff):
        await shares.share(session, conversation, running.id)
    await shares.set_sharing(session, True)
    assert await shares.shared(session, newer) is not None
    await shares.unshare(session, "c")
    assert await shares.shared(session, newer) is None


async def test_concurrent_shares_of_one_conversation_all_succeed_and_the_last_link_alone_opens(
    empty_database: str,
) -> None:
    """Once a 500: both requests saw no share and inserted one, and the second broke the unique key."""
    async for session in seeded(empty_database, "owner@example.com", "Plans"):
        answer = await add(session, Role.user, None, "q1", Status.complete)
        # Each writer its own engine (SQLite's holds one connection) and its own conversation, as
        # a request has them.
        engines = [make_engine(empty_database) for _ in range(6)]
        others = [make_sessionmaker(engine)() for engine in engines]
        try:
            conversations = []
            for other in others:
                conversations.append(await other.get(Conversation, "c"))
                await other.commit()  # SQLite: the next one's transaction need not wait for it
            made = await asyncio.gather(
                *(
                    shares.share(other, conversation, answer.id)
                    for other, conversation in zip(others, conversations, strict=True)
                    if conversation is not None
                )
            )
        finally:
            for other, engine in zip(others, engines, strict=True):
                await other.close()
                await engine.dispose()
        assert len(made) == len(others)
        stored = list(await session.exec(select(Share)))
        assert len(stored) == 1
        opening = [token for token, _ in made if await shares.shared(session, token) is not None]
        # Exactly one link opens: the one whose write came last (not necessarily the last to return).
        assert len(opening) == 1
        assert stored[0].token_hash == hashlib.sha256(opening[0].encode()).hexdigest()


async def test_the_sharing_switch_is_written_only_when_the_caller_commits(session: AsyncSession) -> None:
    """The admin's settings route commits once: a request changing two settings changes both or neither."""
    await shares.set_sharing(session, False)
    assert not await shares.sharing_on(session)
    await session.rollback()
    assert await shares.sharing_on(session)
