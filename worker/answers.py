"""An answer's database row, written only by the attempt that owns it.

Every write names its attempt and requires `status = 'streaming'`: a run whose attempt is no
longer the current one, or whose answer was deleted, updates nothing and learns it is fenced out.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select, update

from core.branches import Tree
from core.db import Sessionmaker
from core.models import ACTIVE_STATUSES, Conversation, Message, Role, Status, utcnow


@dataclass
class Claim:
    message: Message
    conversation: Conversation
    attempt: int | None  # None: the answer is final already
    # The answer's branch, from the root down to its question: all the model may see.
    history: list[Message] = field(default_factory=list)


async def claim_attempt(sessionmaker: Sessionmaker, message_id: str) -> Claim | None:
    """Start the next attempt (status `streaming`, attempt + 1); None when the answer is gone."""
    async with sessionmaker() as session:
        claimed = await session.exec(
            update(Message)
            .where(col(Message.id) == message_id, col(Message.role) == Role.assistant)
            .where(col(Message.status).in_(ACTIVE_STATUSES))
            .values(status=Status.streaming, attempt=col(Message.attempt) + 1, updated_at=utcnow())
            .returning(col(Message.attempt))
        )
        attempt = claimed.scalar_one_or_none()
        await session.commit()
        message = await session.get(Message, message_id)
        conversation = await session.get(Conversation, message.conversation_id) if message else None
        if message is None or conversation is None:
            return None
        if attempt is None:
            return Claim(message, conversation, None)
        messages = await session.exec(
            select(Message).where(Message.conversation_id == message.conversation_id)
        )
        history = Tree(messages).path_to(message.parent_id)
        return Claim(message, conversation, attempt, history)


async def save(sessionmaker: Sessionmaker, message_id: str, attempt: int, **values: Any) -> bool:
    """Update the attempt's row; False when it is fenced out (a newer attempt, or deleted)."""
    async with sessionmaker() as session:
        result = await session.exec(
            update(Message)
            .where(col(Message.id) == message_id, col(Message.attempt) == attempt)
            .where(col(Message.status) == Status.streaming)
            .values(**values, updated_at=utcnow())
        )
        await session.commit()
        return bool(result.rowcount)


async def load(sessionmaker: Sessionmaker, message_id: str) -> Message | None:
    async with sessionmaker() as session:
        return await session.get(Message, message_id)
