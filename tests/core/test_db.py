"""The SQLite engine's locking: writers take the write lock up front, readers none."""

import asyncio
import sqlite3
from pathlib import Path

from sqlmodel import col, select, update

from core.db import make_engine, make_sessionmaker, one_statement, read_only
from core.migrate import upgrade
from core.models import Conversation


async def test_a_read_only_session_reads_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    upgrade(url)
    writer = sqlite3.connect(tmp_path / "locks.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            await read_only(session)
            found = await asyncio.wait_for(session.exec(select(Conversation)), 2)
            assert found.all() == []

        # A session that may write waits for the lock, and gets it once the other process is done.
        async def read_in_a_writing_session() -> list[Conversation]:
            async with sessionmaker() as session:
                return list((await session.exec(select(Conversation))).all())

        waiting = asyncio.create_task(read_in_a_writing_session())
        await asyncio.sleep(0.5)
        assert not waiting.done()
        writer.rollback()
        assert await asyncio.wait_for(waiting, 5) == []
    finally:
        writer.rollback()
        writer.close()
        await engine.dispose()


async def test_a_one_statement_write_holds_the_lock_only_while_it_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    other = sqlite3.connect(tmp_path / "one.db", isolation_level=None, timeout=0)
    try:
        async with sessionmaker() as session:
            session.add(Conversation(id="c1", title="before"))
            await session.commit()

        async with sessionmaker() as session:
            await one_statement(session)
            await session.exec(update(Conversation).where(col(Conversation.id) == "c1").values(title="after"))
            # Not committed by the session yet, and still another process may write at once.
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            await session.commit()

        assert other.execute("SELECT title FROM conversation").fetchone() == ("after",)
    finally:
        other.close()
        await engine.dispose()
