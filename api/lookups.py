"""The lookups: the user's conversation, message, response, file, sign-in or key a request's path
names. Anyone else's is not found, exactly as one that does not exist.

Every route with a `{conversation_id}`, `{message_id}`, `{response_id}`, `{file_id}`,
`{sign_in_id}` or `{key_id}` in its path takes one of the dependencies below rather than the id,
so what a request may see is decided here alone (tests/api/test_lookups.py walks the OpenAPI
schema to hold every route to it).
"""

from typing import Annotated, TypeVar

from fastapi import Depends
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import UserDep
from api.deps import SessionDep
from api.openai.response_objects import answer_id_of, asked
from api.refusals import (
    CONVERSATION_NOT_FOUND,
    FILE_NOT_FOUND,
    KEY_NOT_FOUND,
    MESSAGE_NOT_FOUND,
    RESPONSE_NOT_FOUND,
    SIGN_IN_NOT_FOUND,
    NotFound,
)
from core.models import ApiKey, Conversation, Message, Role, SignIn, Source, StoredFile

Owned = TypeVar("Owned", SignIn, ApiKey)


async def find_owned(
    session: AsyncSession, model: type[Owned], row_id: str, owner_id: str, not_found: str
) -> Owned:
    """A row that belongs to an account (a sign-in, an API key), if it is the owner's."""
    row = await session.get(model, row_id)
    if row is None or row.user_id != owner_id:
        raise NotFound(not_found)
    return row


async def find_conversation(session: AsyncSession, conversation_id: str, owner_id: str) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.owner_id != owner_id:
        raise NotFound(CONVERSATION_NOT_FOUND)
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
        raise NotFound(MESSAGE_NOT_FOUND)
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
                Conversation.source == Source.openai,
            )
        )
    ).first()
    if answer_id is None or answer is None or not asked(answer.params).get("store", False):
        raise NotFound(RESPONSE_NOT_FOUND)
    return answer


async def find_file(session: AsyncSession, file_id: str, owner_id: str) -> StoredFile:
    stored = await session.get(StoredFile, file_id)
    if stored is None or stored.owner_id != owner_id:
        raise NotFound(FILE_NOT_FOUND)
    return stored


async def _conversation(conversation_id: str, user: UserDep, session: SessionDep) -> Conversation:
    return await find_conversation(session, conversation_id, user.user_id)


async def _message(message_id: str, user: UserDep, session: SessionDep) -> Message:
    return await find_message(session, message_id, user.user_id)


async def _response(response_id: str, user: UserDep, session: SessionDep) -> Message:
    return await find_response(session, response_id, user.user_id)


async def _file(file_id: str, user: UserDep, session: SessionDep) -> StoredFile:
    return await find_file(session, file_id, user.user_id)


async def _sign_in_of(sign_in_id: str, user: UserDep, session: SessionDep) -> SignIn:
    return await find_owned(session, SignIn, sign_in_id, user.user_id, SIGN_IN_NOT_FOUND)


async def _api_key(key_id: str, user: UserDep, session: SessionDep) -> ApiKey:
    return await find_owned(session, ApiKey, key_id, user.user_id, KEY_NOT_FOUND)


ConversationDep = Annotated[Conversation, Depends(_conversation)]
MessageDep = Annotated[Message, Depends(_message)]
ResponseDep = Annotated[Message, Depends(_response)]
"""The answer behind a response of the Responses API."""
FileDep = Annotated[StoredFile, Depends(_file)]
SignInDep = Annotated[SignIn, Depends(_sign_in_of)]
ApiKeyDep = Annotated[ApiKey, Depends(_api_key)]
