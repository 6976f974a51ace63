"""An answer's event log as an SSE response, from a cursor: what `GET …/stream` and a streaming
submit both send."""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import Request, Response, status
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.authenticator import Principal
from api.accounts.revocations import Revocations
from api.schemas import SubmitResult
from api.streams.event_stream import EventStream
from api.streams.quota import StreamQuota
from api.streams.relay import Relay
from core import tracing
from core.endings import end_from_row, terminal_event
from core.eventlog import EventLog
from core.events import Event, dumps, stream_id_key
from core.models import FINAL_STATUSES, Message
from core.schemas import MessageRead

# What a submit, an edit and a regenerate say of their `text/event-stream` answer, for the OpenAPI schema.
STREAMED_SUBMIT: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Asked with `Accept: text/event-stream`: a `submitted` event with both "
        "messages, then the answer's stream as `GET /messages/{id}/stream` sends it",
        "content": {"text/event-stream": {}},
    }
}

# The id of a terminal event served from the database: below every real log id, and answered
# with 204 if a browser reconnects with it.
DATABASE_COPY_ID = "0-1"

Translator = Callable[[AsyncGenerator[list[Event], None]], AsyncGenerator[bytes, None]]
"""Writes an answer's batches of events as another protocol's stream."""


def encode(event: Event) -> bytes:
    """The event as one SSE message: `id:`, `event:` and a single `data:` line."""
    # The data is JSON on one line (JSON escapes newlines): no need for sse-starlette's splitting.
    return f"id: {event.id}\nevent: {event.type.value}\ndata: {event.data}\n\n".encode()


def encode_without_id(event_type: str, data: str) -> bytes:
    """An event that is not in the log: with no `id:`, a reconnect's `Last-Event-ID` stays the log's."""
    return f"event: {event_type}\ndata: {data}\n\n".encode()


class AnswerStreams:
    """Opens answers' streams for clients: replayed, then live from the relay, until the end."""

    def __init__(
        self,
        relay: Relay,
        revocations: Revocations,
        quota: StreamQuota,
        log: EventLog,
        heartbeat_seconds: float,
    ) -> None:
        self._relay = relay
        self._revocations = revocations
        self._quota = quota
        self._log = log
        self._heartbeat = int(heartbeat_seconds)

    async def after_submit(
        self, request: Request, session: AsyncSession, user: Principal, question: Message, answer: Message
    ) -> SubmitResult | Response:
        """What a submit, an edit or a regenerate answers: the stored pair (202), or for a client
        that accepts `text/event-stream`, a `submitted` event with it, then the answer's stream.
        A client that loses it resumes with `GET /messages/{id}/stream` and the last event id."""
        result = SubmitResult(
            user_message=MessageRead.model_validate(question),
            assistant_message=MessageRead.model_validate(answer),
        )
        if "text/event-stream" not in request.headers.get("accept", ""):
            return result
        # SSE responses last minutes: give the database connection back now.
        await session.close()
        submitted = encode_without_id("submitted", result.model_dump_json())
        return await self.open(answer, "0", user, request.state.checked_at, first=submitted)

    async def open(
        self, answer: Message, cursor: str, user: Principal, checked_at: int, first: bytes = b""
    ) -> Response:
        """The answer's events after `cursor`, after `first` (already encoded). It ends within
        moments if the user's sign-in is revoked (every API process hears of it, and `checked_at`
        says what this request's check has heard); a client disconnecting never stops the answer."""
        # Where the log ends matters to a reconnect (a cursor at its end) and to a final answer;
        # a first read of a running one (every streaming submit) needs no round trip for it.
        from_start = cursor == "0" and answer.status not in FINAL_STATUSES
        final_id = None if from_start else await self._log.final_id(answer.id)
        if cursor == DATABASE_COPY_ID or (final_id and stream_id_key(cursor) >= stream_id_key(final_id)):
            # 204 is how SSE tells a browser to stop reconnecting: it already has the terminal event.
            return Response(status_code=status.HTTP_204_NO_CONTENT)
        if answer.status in FINAL_STATUSES and final_id is None:
            if not await self._log.exists(answer.id):
                return EventStream(_database_copy(first, answer))
            # Final in the database, but the worker died before appending the terminal event:
            # append it now from the database, so this reader (and every other) gets its end.
            await end_from_row(self._log, answer)
        closed = self._quota.take(user.user_id)
        revoked = asyncio.Event()
        held = self._revocations.hold(user, revoked, checked_at)
        parent = await tracing.stored_parent(self._log.redis, answer.id) if tracing.on else None
        batches = _relayed(first, self._relay.events(answer.id, cursor), held, parent, answer.id)
        return EventStream(batches, ping=self._heartbeat, ended=revoked, closed=closed)

    async def translated(
        self, answer: Message, user: Principal, checked_at: int, translate: Translator
    ) -> Response:
        """The answer's events from its start, as `translate` writes them (the OpenAI-compatible
        streams), held as every stream is: it ends within moments if the user's sign-in is revoked."""
        if answer.status in FINAL_STATUSES and await self._log.final_id(answer.id) is None:
            if not await self._log.exists(answer.id):
                return EventStream(translate(_one_batch([database_copy(answer)])))
            await end_from_row(self._log, answer)
        closed = self._quota.take(user.user_id)
        revoked = asyncio.Event()
        held = self._revocations.hold(user, revoked, checked_at)
        parent = await tracing.stored_parent(self._log.redis, answer.id) if tracing.on else None
        body = _translated(self._relay.events(answer.id, "0"), translate, held, parent, answer.id)
        return EventStream(body, ping=self._heartbeat, ended=revoked, closed=closed)


async def _translated(
    batches: AsyncGenerator[list[Event], None],
    translate: Translator,
    held: AbstractAsyncContextManager[None],
    parent: str | None,
    answer_id: str,
) -> AsyncIterator[bytes]:
    # aclosing both: a client that hangs up ends the translation (its clean-up runs) and unfollows.
    relayed = tracing.detached_span("answer.relay", parent, answer_id=answer_id)
    async with held, contextlib.aclosing(batches), contextlib.aclosing(translate(batches)) as written:
        with relayed:
            async for data in written:
                yield data


async def _relayed(
    first: bytes,
    batches: AsyncGenerator[list[Event], None],
    held: AbstractAsyncContextManager[None],
    parent: str | None,
    answer_id: str,
) -> AsyncIterator[bytes]:
    # aclosing: a client that hangs up unfollows the relay at once, not when garbage is collected.
    # The stream is a span of the answer's trace (traces on), from its first read to its end.
    relayed = tracing.detached_span("answer.relay", parent, answer_id=answer_id)
    async with held, contextlib.aclosing(batches):
        with relayed:
            if first:
                yield first
            async for batch in batches:
                yield b"".join(encode(event) for event in batch)


def database_copy(answer: Message) -> Event:
    """The answer as the database holds it, as one terminal event: what a log that expired held."""
    event_type, data = terminal_event(answer)
    return Event(DATABASE_COPY_ID, event_type, dumps(data))


async def _database_copy(first: bytes, answer: Message) -> AsyncIterator[bytes]:
    yield first + encode(database_copy(answer))


async def _one_batch(batch: list[Event]) -> AsyncGenerator[list[Event], None]:
    yield batch
