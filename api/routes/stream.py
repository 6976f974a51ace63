from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.deps import LogDep, RelayDep, SessionDep, SettingsDep
from api.routes.messages import get_message
from core.events import Event, dumps, is_stream_id, stream_id_key
from core.models import FINAL_STATUSES, Role
from core.schemas import terminal_event

router = APIRouter(tags=["messages"])


def _sse(event: Event) -> ServerSentEvent:
    return ServerSentEvent(data=event.data, event=event.type.value, id=event.id)


async def _relayed(events: AsyncIterator[Event]) -> AsyncIterator[ServerSentEvent]:
    async for event in events:
        yield _sse(event)


@router.get(
    "/messages/{message_id}/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}},
        204: {"description": "Already delivered in full"},
    },
)
async def stream_message(
    message_id: str,
    session: SessionDep,
    relay: RelayDep,
    log: LogDep,
    settings: SettingsDep,
    after: Annotated[str | None, Query(description="Cursor for a first connect")] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> Response:
    """The answer as Server-Sent Events, from the cursor on: replayed, then live, until a terminal event.

    Resumes from the `Last-Event-ID` header (a browser's reconnect) or `?after=`. A client
    disconnecting never stops the answer.
    """
    message = await get_message(session, message_id)
    # SSE responses last minutes: give the database connection back now.
    await session.close()
    if message.role != Role.assistant:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an answer has a stream")
    cursor = last_event_id or after or "0"
    if not is_stream_id(cursor):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Invalid stream cursor")

    final_id = await log.final_id(message_id)
    if final_id and stream_id_key(cursor) >= stream_id_key(final_id):
        # 204 is how SSE tells a browser to stop reconnecting: it already has the terminal event.
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    if message.status in FINAL_STATUSES and not await log.exists(message_id):
        event_type, data = terminal_event(message)

        async def from_database() -> AsyncIterator[ServerSentEvent]:
            yield ServerSentEvent(data=dumps(data), event=event_type.value)

        return EventSourceResponse(from_database())
    return EventSourceResponse(
        _relayed(relay.events(message_id, cursor)), ping=int(settings.heartbeat_seconds)
    )
