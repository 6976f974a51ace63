"""The lookups: the user's conversation, message, response, file, folder, prompt preset, sign-in
or key a request's path names. Anyone else's is not found, exactly as one that does not exist.

Every route with a `{conversation_id}`, `{message_id}`, `{response_id}`, `{file_id}`,
`{folder_id}`, `{preset_id}`, `{import_id}`, `{sign_in_id}` or `{key_id}` in its path takes one of the
dependencies below rather than the id, so what a request may see is decided here alone
(tests/api/test_lookups.py walks the OpenAPI schema to hold every route to it).
"""

from typing import Annotated, TypeVar

from fastapi import Depends
from redis.asyncio import Redis
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.openai.response_objects import answer_id_of, asked
from api.refusals import (
    CONVERSATION_NOT_FOUND,
    FILE_NOT_FOUND,
    FOLDER_NOT_FOUND,
    IMPORT_NOT_FOUND,
    KEY_NOT_FOUND,
    MESSAGE_NOT_FOUND,
    PRESET_NOT_FOUND,
    RESPONSE_NOT_FOUND,
    SIGN_IN_NOT_FOUND,
    NotFound,
)
from core.imports import jobs
from core.imports.jobs import Progress
from core.models import ApiKey, Conversation, Folder, Message, PromptPreset, Role, SignIn, Source, StoredFile

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


async def find_folder(session: AsyncSession, folder_id: str, owner_id: str, *, held: bool = False) -> Folder:
    """A folder of the user's. `held`: its row key-share locked to the commit (Postgres), as a
    conversation moved into it is: a delete of the folder then waits for the move, or the move
    for the delete, and finds the folder gone."""
    folder = await session.get(Folder, folder_id, with_for_update={"key_share": True} if held else None)
    if folder is None or folder.owner_id != owner_id:
        raise NotFound(FOLDER_NOT_FOUND)
    return folder


async def find_preset(session: AsyncSession, preset_id: str, owner_id: str) -> PromptPreset:
    """A prompt preset the user may change: their own. Another's, shared or not, is not found
    (a shared one is read in the list alone)."""
    preset = await session.get(PromptPreset, preset_id)
    if preset is None or preset.owner_id != owner_id:
        raise NotFound(PRESET_NOT_FOUND)
    return preset


async def find_import(redis: Redis, import_id: str, owner_id: str) -> Progress:
    """A job import's progress, if the import is the owner's (in Redis, for a day)."""
    progress = await jobs.read(redis, import_id) if len(import_id) <= 36 else None
    if progress is None or progress.owner_id != owner_id:
        raise NotFound(IMPORT_NOT_FOUND)
    return progress


async def _conversation(conversation_id: str, user: UserDep, session: SessionDep) -> Conversation:
    return await find_conversation(session, conversation_id, user.user_id)


async def _message(message_id: str, user: UserDep, session: SessionDep) -> Message:
    return await find_message(session, message_id, user.user_id)


async def _response(response_id: str, user: UserDep, session: SessionDep) -> Message:
    return await find_response(session, response_id, user.user_id)


async def _file(file_id: str, user: UserDep, session: SessionDep) -> StoredFile:
    return await find_file(session, file_id, user.user_id)


async def _folder(folder_id: str, user: UserDep, session: SessionDep) -> Folder:
    return await find_folder(session, folder_id, user.user_id)


async def _preset(preset_id: str, user: UserDep, session: SessionDep) -> PromptPreset:
    return await find_preset(session, preset_id, user.user_id)


async def _import(import_id: str, user: UserDep, deps: DepsDep) -> Progress:
    return await find_import(deps.redis, import_id, user.user_id)


async def _sign_in_of(sign_in_id: str, user: UserDep, session: SessionDep) -> SignIn:
    return await find_owned(session, SignIn, sign_in_id, user.user_id, SIGN_IN_NOT_FOUND)


async def _api_key(key_id: str, user: UserDep, session: SessionDep) -> ApiKey:
    return await find_owned(session, ApiKey, key_id, user.user_id, KEY_NOT_FOUND)


ConversationDep = Annotated[Conversation, Depends(_conversation)]
MessageDep = Annotated[Message, Depends(_message)]
ResponseDep = Annotated[Message, Depends(_response)]
"""The answer behind a response of the Responses API."""
FileDep = Annotated[StoredFile, Depends(_file)]
FolderDep = Annotated[Folder, Depends(_folder)]
PresetDep = Annotated[PromptPreset, Depends(_preset)]
ImportDep = Annotated[Progress, Depends(_import)]
"""A job import's progress (core/imports/jobs.py)."""
SignInDep = Annotated[SignIn, Depends(_sign_in_of)]
ApiKeyDep = Annotated[ApiKey, Depends(_api_key)]
