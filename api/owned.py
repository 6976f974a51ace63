"""How many of a kind a user owns, counted for a cap with their other creates held back."""

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Folder, PromptPreset, User

Capped = type[Folder] | type[PromptPreset]
"""The kinds a user may keep only so many of."""


async def count_for_cap(session: AsyncSession, model: Capped, owner_id: str) -> int:
    """The owner's rows of `model`, counted after locking the owner's account row: on Postgres a
    second create of theirs waits here until this transaction ends, so two at once cannot both see
    room for one. The lock is `FOR NO KEY UPDATE`, so rows that merely name the account (a new
    conversation, a file, an import's) never wait behind it. SQLite's immediate write
    transactions already run one at a time."""
    await session.exec(select(User.id).where(User.id == owner_id).with_for_update(key_share=True))
    counted = await session.exec(select(func.count()).select_from(model).where(model.owner_id == owner_id))
    return counted.one()
