"""`GET /api/messages/{id}/stream`: an answer's event log as Server-Sent Events, replayed then live."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status

from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.lookups import MessageDep
from api.routing import CheckedRoute
from api.streams.event_stream import EventStream
from core.events import is_stream_id
from core.models import Role

router = APIRouter(route_class=CheckedRoute, tags=["messages"])


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
    deps: DepsDep,
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

    return await deps.streams.open(message, cursor, user, request.state.checked_at)
