"""Finding the conversation or message a request names, or answering 404 with a sentence."""

from fastapi import HTTPException, status
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Conversation, Message

CONVERSATION_NOT_FOUND = "Conversation not found"
MESSAGE_NOT_FOUND = "Message not found"


async def find_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND)
    return conversation


async def find_message(session: AsyncSession, message_id: str) -> Message:
    message = await session.get(Message, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, MESSAGE_NOT_FOUND)
    return message
