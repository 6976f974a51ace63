"""A user's folders of conversations: making, renaming and deleting them, with or without their
conversations (those go through api/deletion.py, which ends their running answers)."""

from redis.asyncio import Redis
from sqlalchemy import func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deletion import delete_conversations
from api.owned import count_for_cap
from api.refusals import Conflict, Invalid
from core.eventlog import EventLog
from core.files.store import FileStore
from core.models import Conversation, Folder, utcnow
from core.updates import publish_folders_change

MAX_FOLDERS = 200
"""A user's folders at most: the sidebar shows them all, so a list past this would be no use."""


async def list_folders(session: AsyncSession, owner_id: str) -> list[Folder]:
    """The owner's folders, A to Z (then oldest first, for folders named alike)."""
    rows = await session.exec(
        select(Folder)
        .where(Folder.owner_id == owner_id)
        .order_by(func.lower(Folder.name), col(Folder.created_at), col(Folder.id))
    )
    return list(rows)


def _named(name: str) -> str:
    if not name.strip():
        raise Invalid("A folder's name cannot be blank.")
    return name.strip()


async def create_folder(session: AsyncSession, redis: Redis, owner_id: str, name: str) -> Folder:
    """A new folder; refused (Conflict) past MAX_FOLDERS."""
    name = _named(name)
    count = await count_for_cap(session, Folder, owner_id)
    if count >= MAX_FOLDERS:
        raise Conflict(f"You have {count} folders, the most there may be: delete one before making another.")
    folder = Folder(owner_id=owner_id, name=name)
    session.add(folder)
    await session.commit()
    await publish_folders_change(redis, owner_id)
    return folder


async def rename_folder(session: AsyncSession, redis: Redis, folder: Folder, name: str) -> Folder:
    folder.name = _named(name)
    folder.updated_at = utcnow()
    session.add(folder)
    await session.commit()
    await publish_folders_change(redis, folder.owner_id)
    return folder


async def delete_folder(
    session: AsyncSession,
    log: EventLog,
    redis: Redis,
    files: FileStore,
    folder: Folder,
    *,
    with_conversations: bool,
) -> None:
    """Delete the folder. Its conversations are deleted with it if asked (archived ones too), else
    they become unfiled."""
    # Locked first (Postgres): a move into the folder under way commits before this goes on, and
    # is unfiled or deleted below; one that comes after waits, then finds the folder gone.
    await session.exec(select(Folder.id).where(Folder.id == folder.id).with_for_update())
    doomed: list[str] = []
    if with_conversations:
        doomed = list(await session.exec(select(Conversation.id).where(Conversation.folder_id == folder.id)))
    owner_id = folder.owner_id
    # Unfiled first: the foreign key has no ON DELETE (see migration 0018), so the folder can go.
    await session.exec(
        update(Conversation).where(col(Conversation.folder_id) == folder.id).values(folder_id=None)
    )
    await session.delete(folder)
    # One transaction: the folder and its conversations go together, or neither does.
    await delete_conversations(session, log, redis, files, doomed)
    # The list follows from this one change: the browsers read their folders and their list again.
    await publish_folders_change(redis, owner_id)
