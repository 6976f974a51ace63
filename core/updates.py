"""Telling every browser that a conversation or a file changed outside its answers' streams."""

import json
from enum import StrEnum

from redis.asyncio import Redis

from core import keys


class Change(StrEnum):
    new_title = "title"  # a new title (generated, or set in another tab or device)
    title_failed = "title_failed"  # a title asked for could not be generated; the old one stays
    file = "file"  # a file's ingestion moved on (ready, or failed): read it again
    imported = "imported"  # a job import ended (done, or failed): read the list again
    conversation = "conversation"  # moved, pinned, archived, restored or deleted: read the list again
    folders = "folders"  # a folder made, renamed or deleted: read the folders again
    presets = "presets"  # a prompt preset of the user's made, changed or deleted: read them again


async def _publish(redis: Redis, owner_id: str | None, change: Change, **subject: str) -> None:
    """Every API process relays it to the owner's browsers only (api/routes/updates.py)."""
    payload = json.dumps({**subject, "owner_id": owner_id, "change": change.value})
    await redis.publish(keys.UPDATES_CHANNEL, payload)


async def publish_change(redis: Redis, conversation_id: str, owner_id: str | None, change: Change) -> None:
    """The owner's browsers hear that the conversation changed (`{"conversation_id", "change"}`)."""
    await _publish(redis, owner_id, change, conversation_id=conversation_id)


async def publish_file_change(redis: Redis, file_id: str, owner_id: str) -> None:
    """The file's owner's browsers hear that it changed (`{"file_id", "change": "file"}`)."""
    await _publish(redis, owner_id, Change.file, file_id=file_id)


async def publish_folders_change(redis: Redis, owner_id: str) -> None:
    """The owner's browsers hear that their folders changed (`{"change": "folders"}`)."""
    await _publish(redis, owner_id, Change.folders)


async def publish_presets_change(redis: Redis, owner_id: str) -> None:
    """The owner's browsers hear that their presets changed (`{"change": "presets"}`); a shared
    preset reaches the others' at their next read."""
    await _publish(redis, owner_id, Change.presets)


async def publish_import_change(redis: Redis, import_id: str, owner_id: str) -> None:
    """The importer's browsers hear that a job import ended (`{"import_id", "change": "imported"}`)."""
    await _publish(redis, owner_id, Change.imported, import_id=import_id)
