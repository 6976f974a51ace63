"""`GET /api/updates`: changes to conversations (titles) as an endless stream of Server-Sent Events."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from fastapi import APIRouter, Request
from sse_starlette import ServerSentEvent

from api.accounts.auth import UserDep
from api.deps import DepsDep
from api.routing import CheckedRoute
from api.streams.event_stream import EventStream
from api.streams.updates import RESYNC, UpdateFeed

router = APIRouter(route_class=CheckedRoute, tags=["updates"])


async def _events(
    feed: UpdateFeed, held: AbstractAsyncContextManager[None], user_id: str
) -> AsyncIterator[ServerSentEvent]:
    async with held:
        with feed.follow(user_id) as queue:
            # Whatever changed before this connection (or while a browser reconnected) is in the list.
            yield ServerSentEvent(data="{}", event="resync")
            while True:
                payload = await queue.get()
                if payload == RESYNC:
                    yield ServerSentEvent(data="{}", event="resync")
                else:
                    yield ServerSentEvent(data=payload, event="conversation")


@router.get(
    "/updates",
    response_class=EventStream,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def follow_updates(request: Request, user: UserDep, deps: DepsDep) -> EventStream:
    """Server-Sent Events about conversations that change outside their answers' streams:
    `conversation` `{"conversation_id", "change"}` (change: `title`, `title_failed`), and `resync`
    (first, and after anything may have been missed: read the list again)."""
    closed = deps.quota.take(user.user_id)
    revoked = asyncio.Event()
    held = deps.revocations.hold(user, revoked, request.state.checked_at)
    events = _events(deps.updates, held, user.user_id)
    return EventStream(events, ping=int(deps.settings.heartbeat_seconds), ended=revoked, closed=closed)
