"""Finding the user's conversation, message, response, session or key a request names, or
answering 404 with a sentence."""

from typing import TypeVar

from fastapi import HTTPException, status
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.response_objects import answer_id_of, asked
from core.models import ApiKey, Conversation, LoginSession, Message, Role, Source

CONVERSATION_NOT_FOUND = "Conversation not found"
MESSAGE_NOT_FOUND = "Message not found"
SESSION_NOT_FOUND = "Session not found"
KEY_NOT_FOUND = "API key not found"
RESPONSE_NOT_FOUND = "Response not found"


Owned = TypeVar("Owned", LoginSession, ApiKey)


async def find_owned(
    session: AsyncSession, model: type[Owned], row_id: str, owner_id: str, not_found: str
) -> Owned:
    """A row that belongs to an account (a sign-in session, an API key), if it is the owner's."""
    row = await session.get(model, row_id)
    if row is None or row.user_id != owner_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, not_found)
    return row


async def find_conversation(session: AsyncSession, conversation_id: str, owner_id: str) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.owner_id != owner_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND)
    return conversation


async def find_message(session: AsyncSession, message_id: str, owner_id: str) -> Message:
    message = (
        await session.exec(
            select(Message)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(Message.id == message_id, Conversation.owner_id == owner_id)
        )
    ).first()
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, MESSAGE_NOT_FOUND)
    return message


async def find_response(session: AsyncSession, response_id: str, owner_id: str) -> Message:
    """The answer behind a stored response of the owner's (one made with `store: false` is not)."""
    answer_id = answer_id_of(response_id)
    answer = (
        await session.exec(
            select(Message)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(
                Message.id == answer_id,
                Message.role == Role.assistant,
                Conversation.owner_id == owner_id,
                Conversation.source == Source.api,
            )
        )
    ).first()
    if answer_id is None or answer is None or not asked(answer.params).get("store", False):
        raise HTTPException(status.HTTP_404_NOT_FOUND, RESPONSE_NOT_FOUND)
    return answer
