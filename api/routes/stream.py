"""`GET /api/messages/{id}/stream`: an answer's event log as Server-Sent Events, replayed then live."""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status

from api.auth import UserDep
from api.deps import LogDep, MessageDep, RelayDep, RevocationsDep, SessionDep, SettingsDep
from api.event_stream import EventStream
from core.endings import end_from_row, terminal_event
from core.events import Event, dumps, is_stream_id, stream_id_key
from core.models import FINAL_STATUSES, Message, Role

router = APIRouter(tags=["messages"])


def _encode(event: Event) -> bytes:
    """The event as one SSE message: `id:`, `event:` and a single `data:` line."""
    # The data is JSON on one line (JSON escapes newlines): no need for sse-starlette's splitting.
    return f"id: {event.id}\nevent: {event.type.value}\ndata: {event.data}\n\n".encode()


# The id of a terminal event served from the database: below every real log id, and answered
# with 204 if a browser reconnects with it.
DATABASE_COPY_ID = "0-1"


async def _relayed(
    batches: AsyncGenerator[list[Event], None], held: AbstractAsyncContextManager[None]
) -> AsyncIterator[bytes]:
    # aclosing: a client that hangs up unfollows the relay at once, not when garbage is collected.
    async with held, contextlib.aclosing(batches):
        async for batch in batches:
            yield b"".join(_encode(event) for event in batch)


async def _database_copy(message: Message) -> AsyncIterator[bytes]:
    """The log has expired: the answer, as the database holds it, as one terminal event."""
    event_type, data = terminal_event(message)
    yield _encode(Event(DATABASE_COPY_ID, event_type, dumps(data)))


@router.get(
    "/messages/{message_id}/stream",
    response_class=EventStream,
    responses={
        200: {"content": {"text/event-stream": {}}},
        204: {"description": "Already delivered in full"},
    },
)
async def stream_message(
    request: Request,
    message: MessageDep,
    user: UserDep,
    session: SessionDep,
    relay: RelayDep,
    revocations: RevocationsDep,
    log: LogDep,
    settings: SettingsDep,
    after: Annotated[str | None, Query(description="Cursor for a first connect")] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> Response:
    """The answer as Server-Sent Events, from the cursor on: replayed, then live, until a terminal event.

    Resumes from the `Last-Event-ID` header (a browser's reconnect) or `?after=`. A client
    disconnecting never stops the answer.
    """
    # SSE responses last minutes: give the database connection back now.
    await session.close()
    if message.role != Role.assistant:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an answer has a stream")
    cursor = last_event_id or after or "0"
    if not is_stream_id(cursor):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Invalid stream cursor")

    final_id = await log.final_id(message.id)
    if cursor == DATABASE_COPY_ID or (final_id and stream_id_key(cursor) >= stream_id_key(final_id)):
        # 204 is how SSE tells a browser to stop reconnecting: it already has the terminal event.
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    if message.status in FINAL_STATUSES and final_id is None:
        if not await log.exists(message.id):
            return EventStream(_database_copy(message))
        # Final in the database, but the worker died before appending the terminal event:
        # append it now from the database, so this reader (and every other) gets its end.
        await end_from_row(log, message)
    # The stream ends within moments if the user's session is revoked (every API process hears of it).
    revoked = asyncio.Event()
    held = revocations.hold(user, revoked, request.state.checked_at)
    batches = _relayed(relay.events(message.id, cursor), held)
    return EventStream(batches, ping=int(settings.heartbeat_seconds), ended=revoked)
