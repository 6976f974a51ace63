"""What routes get from FastAPI: the request's session, the process's shared objects, what the path names."""

from collections.abc import AsyncIterator
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import UserDep
from api.accounts.revocations import Revocations
from api.lookups import (
    KEY_NOT_FOUND,
    SESSION_NOT_FOUND,
    find_conversation,
    find_message,
    find_owned,
    find_response,
)
from api.schemas import SubmitResult
from api.starting import start_answer
from api.streams.answer_stream import AnswerStreams
from api.streams.relay import Relay
from api.streams.updates import UpdateFeed
from core.catalog import Catalog
from core.db import read_only
from core.eventlog import EventLog
from core.models import ApiKey, Conversation, LoginSession, Message
from core.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD"})


# Async, every one: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request.
async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    # One per request: FastAPI caches a dependency's value for the request, so the lookups below
    # and the route share this session and its transaction.
    async with request.app.state.sessionmaker() as session:
        if request.method in SAFE_METHODS:
            await read_only(session)  # a GET never writes: on SQLite it need not wait for writers
        yield session


async def _redis(request: Request) -> ArqRedis:
    redis: ArqRedis = request.app.state.redis
    return redis


async def _log(request: Request) -> EventLog:
    log: EventLog = request.app.state.log
    return log


async def _answer_streams(request: Request) -> AnswerStreams:
    streams: AnswerStreams = request.app.state.answer_streams
    return streams


async def _relay(request: Request) -> Relay:
    relay: Relay = request.app.state.relay
    return relay


async def _updates(request: Request) -> UpdateFeed:
    feed: UpdateFeed = request.app.state.updates
    return feed


async def _revocations(request: Request) -> Revocations:
    revocations: Revocations = request.app.state.revocations
    return revocations


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


SessionDep = Annotated[AsyncSession, Depends(_session)]
RedisDep = Annotated[ArqRedis, Depends(_redis)]
LogDep = Annotated[EventLog, Depends(_log)]
RelayDep = Annotated[Relay, Depends(_relay)]
AnswerStreamsDep = Annotated[AnswerStreams, Depends(_answer_streams)]
UpdatesDep = Annotated[UpdateFeed, Depends(_updates)]
RevocationsDep = Annotated[Revocations, Depends(_revocations)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]


# The lookups of what a path names. Every route with a `{conversation_id}`, `{message_id}`,
# `{response_id}`, `{session_id}` or `{key_id}` takes one of these rather than the id, so what a
# request may see is decided here alone: the signed-in user's own, and 404 for anyone else's,
# exactly as for one that does not exist.
async def _conversation(conversation_id: str, user: UserDep, session: SessionDep) -> Conversation:
    return await find_conversation(session, conversation_id, user.user_id)


async def _message(message_id: str, user: UserDep, session: SessionDep) -> Message:
    return await find_message(session, message_id, user.user_id)


async def _response(response_id: str, user: UserDep, session: SessionDep) -> Message:
    return await find_response(session, response_id, user.user_id)


ConversationDep = Annotated[Conversation, Depends(_conversation)]
MessageDep = Annotated[Message, Depends(_message)]
ResponseDep = Annotated[Message, Depends(_response)]
"""The answer behind a response of the Responses API."""


async def _login_session(session_id: str, user: UserDep, session: SessionDep) -> LoginSession:
    return await find_owned(session, LoginSession, session_id, user.user_id, SESSION_NOT_FOUND)


async def _api_key(key_id: str, user: UserDep, session: SessionDep) -> ApiKey:
    return await find_owned(session, ApiKey, key_id, user.user_id, KEY_NOT_FOUND)


LoginSessionDep = Annotated[LoginSession, Depends(_login_session)]
ApiKeyDep = Annotated[ApiKey, Depends(_api_key)]


async def _read_only_checks(session: SessionDep) -> None:
    await read_only(session)


class StartAnswer:
    """`start_answer` with the request's clients, for submit, edit and regenerate, answered as the
    client asked: the stored pair (202), or its `submitted` event and the answer's stream."""

    def __init__(
        self,
        request: Request,
        user: UserDep,
        session: SessionDep,
        redis: RedisDep,
        settings: SettingsDep,
        catalog: CatalogDep,
        streams: AnswerStreamsDep,
    ) -> None:
        self._request, self._user, self._session = request, user, session
        self._redis, self._settings, self._catalog, self._streams = redis, settings, catalog, streams

    async def __call__(
        self,
        conversation: Conversation,
        question: Message,
        client_id: str | None,
        *,
        new_question: bool,
        names_conversation: bool = False,
    ) -> SubmitResult | Response:
        result = await start_answer(
            self._session,
            self._redis,
            self._settings,
            self._catalog,
            conversation,
            question,
            client_id,
            new_question=new_question,
            names_conversation=names_conversation,
        )
        return await self._streams.after_submit(self._request, self._session, self._user, result)


StartAnswerDep = Annotated[StartAnswer, Depends()]

READ_ONLY_CHECKS = Depends(_read_only_checks)
"""For routes that check a lot before a short write (submit, edit, regenerate): their reads, the
lookups above included, run in a read-only transaction, and `start_answer` writes in one of its own,
so that on SQLite the write lock is not held while they check. A route's `dependencies=[...]` run
before the dependencies of its parameters: declared there, this comes before the lookups' first
read, which would otherwise begin the transaction as one that may write."""
