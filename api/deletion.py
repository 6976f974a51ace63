"""Deleting conversations and answers: running answers are stopped and their open streams ended."""

from redis.asyncio import Redis
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.response_inputs import input_turns
from api.refusals import Conflict
from core.endings import end_deleted
from core.eventlog import EventLog
from core.models import ACTIVE_STATUSES, Conversation, Message, is_active_answer
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


async def delete_response_turns(
    session: AsyncSession, log: EventLog, redis: Redis, answer: Message, *, continued: str
) -> None:
    """Delete a response's answer and the turns that led to it since the previous response (the whole
    conversation when nothing comes before them), ending the answer if it runs; an answer that
    later turns continue is refused (Conflict) with the sentence `continued`."""
    if (await session.exec(select(Message.id).where(Message.parent_id == answer.id))).first():
        raise Conflict(continued)
    inputs, parent_id = await input_turns(session, answer)
    turns = [answer.id, *(turn.id for turn in inputs)]
    if parent_id is None:
        await delete_conversations(session, log, redis, [answer.conversation_id])
        return
    running = answer.status in ACTIVE_STATUSES
    await session.exec(delete(Message).where(col(Message.id).in_(turns)))
    await session.exec(
        update(Conversation)
        .where(col(Conversation.id) == answer.conversation_id)
        .values(selected_leaf_id=parent_id)
    )
    await session.commit()
    if running:
        await end_deleted(log, answer)
        await request_stop(redis, answer.id)
