"""The SSE response every stream of the API uses: sse-starlette's, with a cheaper send timeout."""

import asyncio
from collections.abc import AsyncIterable

from sse_starlette import EventSourceResponse, ServerSentEvent
from sse_starlette.sse import SendTimeoutError
from starlette.types import Message, Send

# A client that reads nothing for this long (its TCP window full) is let go, and its stream with it.
SEND_TIMEOUT_SECONDS = 60.0


class EventStream(EventSourceResponse):
    """sse-starlette's response (heartbeats, disconnects, ending streams on shutdown), whose send
    timeout is asyncio's.

    sse-starlette wraps every send in an anyio cancel scope: at thousands of events a second that
    cost as much as the send itself (a fifth of the API's CPU when relaying).
    """

    def __init__(self, content: AsyncIterable[bytes | ServerSentEvent], ping: float | None = None) -> None:
        super().__init__(content, ping=ping, send_timeout=SEND_TIMEOUT_SECONDS)

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        try:
            async with asyncio.timeout(self.send_timeout):
                await send(message)
        except TimeoutError:
            raise SendTimeoutError() from None
