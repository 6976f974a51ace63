"""A migrated database holding one user (`u`) and one conversation (`c`) of theirs, and a session on it:
what the core modules' tests of a conversation's objects (shares, feedback) start from."""

from collections.abc import AsyncIterator

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from core.models import Conversation, User


async def seeded(database_url: str, email: str, title: str = "New chat") -> AsyncIterator[AsyncSession]:
    """The session, open while the caller iterates; the engine disposed after."""
    upgrade(database_url)
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as opened:
        opened.add(User(id="u", email=email, password_hash="x"))
        await opened.flush()
        opened.add(Conversation(id="c", owner_id="u", title=title))
        await opened.commit()
        yield opened
    await engine.dispose()
