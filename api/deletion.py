"""Deleting conversations, answers and files: running answers are stopped and their open streams
ended; a conversation takes the files its questions brought that no other conversation uses."""

import logging
from collections.abc import Sequence

from redis.asyncio import Redis
from sqlalchemy import ColumnElement
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.response_inputs import input_turns
from api.refusals import Conflict
from core.endings import end_deleted
from core.eventlog import EventLog
from core.files.store import FileStore
from core.models import ACTIVE_STATUSES, Conversation, Message, StoredFile, is_active_answer
from core.stops import request_stop

logger = logging.getLogger(__name__)


async def delete_conversations(
    session: AsyncSession, log: EventLog, redis: Redis, files: FileStore, conversation_ids: list[str]
) -> None:
    """Delete them (messages cascade) and the files only they use, and commit; then end their
    running answers, and forget the files' bytes.

    Their workers can no longer save anything, so they would never end the answers themselves.
    """
    if not conversation_ids:
        await session.commit()
        return
    running = list(
        await session.exec(
            select(Message).where(col(Message.conversation_id).in_(conversation_ids), is_active_answer())
        )
    )
    owners = set(
        await session.exec(select(Conversation.owner_id).where(col(Conversation.id).in_(conversation_ids)))
    )
    attached = await _attachments(session, col(Message.conversation_id).in_(conversation_ids))
    await session.exec(delete(Conversation).where(col(Conversation.id).in_(conversation_ids)))
    # What the owners' other conversations still bring (the deleted messages are gone already).
    kept = await _attachments(session, col(Conversation.owner_id).in_(owners))
    orphans = sorted(attached - kept)
    if orphans:
        await session.exec(delete(StoredFile).where(col(StoredFile.id).in_(orphans)))
    await session.commit()
    for answer in running:
        await end_deleted(log, answer)
        await request_stop(redis, answer.id)
    await forget_bytes(files, orphans)


async def _attachments(session: AsyncSession, where: ColumnElement[bool]) -> set[str]:
    """The files the questions `where` selects brought."""
    found = await session.exec(
        select(Message.attachments)
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(where, col(Message.attachments).is_not(None))
    )
    return {file_id for attachments in found for file_id in attachments or ()}


async def forget_bytes(files: FileStore, file_ids: Sequence[str]) -> None:
    """Forget deleted files' bytes (their rows are gone: nothing can read them any more). One that
    cannot be forgotten now is logged; its bytes stay, unreachable."""
    for file_id in file_ids:
        try:
            await files.delete(file_id)
        except Exception:
            logger.exception("could not forget the bytes of deleted file %s", file_id)


async def delete_response_turns(
    session: AsyncSession, log: EventLog, redis: Redis, files: FileStore, answer: Message, *, continued: str
) -> None:
    """Delete a response's own turns: its answer, then its input turns from the question up, each
    only while nothing else follows it (a branch made in the app under the response, a regenerated
    answer beside it, keeps the turns it stands on: no message is left without its parent). The
    conversation goes when nothing is left of it. A running answer is ended; an answer that later
    turns continue is refused (Conflict) with the sentence `continued`."""
    if await _has_children(session, answer.id, set()):
        raise Conflict(continued)
    inputs, _ = await input_turns(session, answer)
    doomed = {answer.id}
    for turn in reversed(inputs):  # the question first, then up
        if await _has_children(session, turn.id, doomed):
            break
        doomed.add(turn.id)
    remaining = await session.exec(
        select(Message.id).where(
            Message.conversation_id == answer.conversation_id, col(Message.id).not_in(doomed)
        )
    )
    if remaining.first() is None:
        await delete_conversations(session, log, redis, files, [answer.conversation_id])
        return
    running = answer.status in ACTIVE_STATUSES
    await session.exec(delete(Message).where(col(Message.id).in_(doomed)))
    conversation = await session.get(Conversation, answer.conversation_id)
    if conversation is not None and conversation.selected_leaf_id in doomed:
        # The branch shown was the response's: show what it followed, or the newest message left.
        newest = await session.exec(
            select(Message.id)
            .where(Message.conversation_id == conversation.id)
            .order_by(col(Message.id).desc())
            .limit(1)
        )
        followed = next((turn.parent_id for turn in inputs if turn.id in doomed), answer.parent_id)
        conversation.selected_leaf_id = followed or newest.first()
        session.add(conversation)
    await session.commit()
    if running:
        await end_deleted(log, answer)
        await request_stop(redis, answer.id)


async def _has_children(session: AsyncSession, message_id: str, leaving: set[str]) -> bool:
    """Whether any message but those `leaving` follows `message_id`."""
    children = await session.exec(
        select(Message.id).where(Message.parent_id == message_id, col(Message.id).not_in(leaving)).limit(1)
    )
    return children.first() is not None
