"""Deleting conversations: their running answers are stopped and their open streams ended."""

from redis.asyncio import Redis
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.endings import end_deleted
from core.eventlog import EventLog
from core.models import Conversation, Message, is_active_answer
from core.stops import request_stop


async def delete_conversations(
    session: AsyncSession, log: EventLog, redis: Redis, conversation_ids: list[str]
) -> None:
    """Delete them (messages cascade) and commit, then end their running answers.

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
    await session.exec(delete(Conversation).where(col(Conversation.id).in_(conversation_ids)))
    await session.commit()
    for answer in running:
        await end_deleted(log, answer)
        await request_stop(redis, answer.id)
