"""Where a conversation sits in its owner's list: its folder, its pin, its archive."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.lookups import find_folder
from core.models import Conversation, utcnow

PLACEMENT = ("folder_id", "pinned", "archived")
"""The fields of a conversation's change that place it rather than change it."""


async def place(session: AsyncSession, conversation: Conversation, changes: dict[str, Any]) -> bool:
    """Apply the placement in `changes` (taking those fields out of it); whether it moved. A folder
    must be the owner's (NotFound otherwise, as for a folder that does not exist)."""
    placement = {field: changes.pop(field) for field in PLACEMENT if field in changes}
    moved = False
    if "folder_id" in placement:
        folder_id = placement["folder_id"]
        if folder_id is not None:
            await find_folder(session, folder_id, conversation.owner_id or "", held=True)
        moved |= conversation.folder_id != folder_id
        conversation.folder_id = folder_id
    now = utcnow()
    if "pinned" in placement and placement["pinned"] != (conversation.pinned_at is not None):
        conversation.pinned_at = now if placement["pinned"] else None
        moved = True
    if "archived" in placement and placement["archived"] != (conversation.archived_at is not None):
        conversation.archived_at = now if placement["archived"] else None
        moved = True
    return moved
