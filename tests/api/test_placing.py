"""A conversation moved into a folder while the folder is deleted, on Postgres (where two requests
really run at once): whichever commits first, neither request fails, and no conversation is left
pointing at a folder that is gone."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlmodel import select

from api.folders import delete_folder
from api.placing import place
from api.refusals import NotFound
from core.db import Sessionmaker, make_engine, make_sessionmaker
from core.eventlog import EventLog
from core.files.store import LocalFileStore
from core.migrate import upgrade
from core.models import Conversation, Folder, User
from tests.support.postgres import temporary_database


@pytest.fixture
async def sessions() -> AsyncIterator[Sessionmaker]:
    with temporary_database() as url:
        upgrade(url)
        engine = make_engine(url)
        yield make_sessionmaker(engine)
        await engine.dispose()


async def _owner_with_folder_and_conversation(sessions: Sessionmaker) -> tuple[str, str]:
    async with sessions() as session:
        user = User(email="mover@relaychat.test", password_hash="x")
        session.add(user)
        await session.flush()
        folder = Folder(owner_id=user.id, name="Doomed")
        conversation = Conversation(owner_id=user.id)
        session.add_all([folder, conversation])
        await session.commit()
        return folder.id, conversation.id


async def _delete(sessions: Sessionmaker, redis: Redis, files: Path, folder_id: str) -> None:
    async with sessions() as session:
        folder = await session.get(Folder, folder_id)
        assert folder is not None
        await delete_folder(
            session, EventLog(redis, 60), redis, LocalFileStore(files), folder, with_conversations=False
        )


async def test_a_move_under_way_makes_the_folders_delete_wait_and_is_unfiled_by_it(
    sessions: Sessionmaker, redis: Redis, tmp_path: Path
) -> None:
    folder_id, conversation_id = await _owner_with_folder_and_conversation(sessions)
    async with sessions() as moving:
        conversation = await moving.get(Conversation, conversation_id)
        assert conversation is not None
        await place(moving, conversation, {"folder_id": folder_id})
        moving.add(conversation)
        await moving.flush()
        deleting = asyncio.create_task(_delete(sessions, redis, tmp_path, folder_id))
        await asyncio.sleep(0.3)
        assert not deleting.done()  # it waits for the move's commit
        await moving.commit()
    await asyncio.wait_for(deleting, 10)
    async with sessions() as session:
        assert await session.get(Folder, folder_id) is None
        moved = await session.get(Conversation, conversation_id)
        assert moved is not None
        assert moved.folder_id is None


async def test_a_move_after_the_delete_began_waits_and_finds_the_folder_gone(
    sessions: Sessionmaker, redis: Redis, tmp_path: Path
) -> None:
    folder_id, conversation_id = await _owner_with_folder_and_conversation(sessions)
    async with sessions() as deleting:
        # The delete's first step, its lock, taken and held.
        await deleting.exec(select(Folder.id).where(Folder.id == folder_id).with_for_update())

        async def move() -> None:
            async with sessions() as moving:
                conversation = await moving.get(Conversation, conversation_id)
                assert conversation is not None
                await place(moving, conversation, {"folder_id": folder_id})

        moved = asyncio.create_task(move())
        await asyncio.sleep(0.3)
        assert not moved.done()  # it waits for the delete
        folder = await deleting.get(Folder, folder_id)
        assert folder is not None
        await delete_folder(
            deleting, EventLog(redis, 60), redis, LocalFileStore(tmp_path), folder, with_conversations=False
        )
    with pytest.raises(NotFound, match="Folder not found"):
        await asyncio.wait_for(moved, 10)
